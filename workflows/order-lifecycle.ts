/**
 * OrderLifecycle: one Standard execution per Ozon posting, named by the posting number. States carry the words a
 * seller uses; every wait for the outside world is a `.waitForTaskToken` task with a timeout taken from the
 * posting (see `waitTimeouts` in functions/shared/order.ts), resolved by whoever sees the event.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import * as E from './errors';

export interface LifecycleFunctions {
  receivePosting: lambda.IFunction;
  reserveStock: lambda.IFunction;
  confirmPosting: lambda.IFunction;
  awaitEvent: lambda.IFunction;
  packAndLabel: lambda.IFunction;
  registerShipment: lambda.IFunction;
  setTrackingNumber: lambda.IFunction;
  checkTracking: lambda.IFunction;
  settlePayout: lambda.IFunction;
  releaseStock: lambda.IFunction;
  cancelPosting: lambda.IFunction;
  decideShortStock: lambda.IFunction;
  cancelShortLines: lambda.IFunction;
  remindPacking: lambda.IFunction;
  trackingOverdue: lambda.IFunction;
  alertDispute: lambda.IFunction;
  alertNotAccepted: lambda.IFunction;
}

type WaitKind = 'restock' | 'packed' | 'assembly' | 'tracking' | 'delivery' | 'dispute' | 'payout';

/** Errors keep the state's input (the posting number) next to them, under `$.error`. */
const ERROR_PATH = '$.error';

export function orderLifecycleDefinition(scope: Construct, fns: LifecycleFunctions): sfn.IChainable {
  const step = (id: string, fn: lambda.IFunction, payload?: Record<string, unknown>) => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      payload: payload ? sfn.TaskInput.fromObject(payload) : undefined,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
      retryOnServiceExceptions: true,
    });
    task.addRetry({
      errors: [...E.TRANSIENT],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      jitterStrategy: sfn.JitterType.FULL,
    });
    return task;
  };

  const wait = (id: string, kind: WaitKind) =>
    new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: fns.awaitEvent,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        postingNumber: sfn.JsonPath.stringAt('$.postingNumber'),
        waitFor: kind,
        token: sfn.JsonPath.taskToken,
        timeoutSeconds: sfn.JsonPath.numberAt(`$.timeouts.${kind}`),
      }),
      taskTimeout: sfn.Timeout.at(`$.timeouts.${kind}`),
    });

  const postingOnly = { postingNumber: sfn.JsonPath.stringAt('$.postingNumber') };

  // Endings
  const completed = new sfn.Succeed(scope, 'Completed');
  const cancelled = new sfn.Succeed(scope, 'Cancelled');
  const releaseStock = step('ReleaseStock', fns.releaseStock, postingOnly).next(cancelled);
  const cancelPosting = step('CancelPosting', fns.cancelPosting, postingOnly).next(cancelled);
  const unknownPosting = new sfn.Fail(scope, 'UnknownPosting', {
    error: E.POSTING_NOT_FOUND,
    cause: 'Ozon does not know this posting number',
  });
  const assemblyRefused = new sfn.Fail(scope, 'AssemblyRefused', {
    error: E.SHIP_REFUSED,
    cause: 'Ozon refused the assembly; the seller was alerted with what to fix',
  });
  const noTrackingNumber = new sfn.Fail(scope, 'NoTrackingNumber', {
    error: E.TRACKING_NUMBER_MISSING,
    cause: 'The carrier sent no tracking number despite three alerts',
  });
  const markingCodesRequired = new sfn.Fail(scope, 'MarkingCodesRequired', {
    error: E.MARKING_CODES_REQUIRED,
    cause: 'Ozon needs marking codes before assembly; the seller was alerted',
  });
  const packingNeverConfirmed = new sfn.Fail(scope, 'PackingNeverConfirmed', {
    error: E.PACKING_NEVER_CONFIRMED,
    cause: 'The warehouse never confirmed the posting as packed',
  });
  const notAccepted = new sfn.Fail(scope, 'NotAcceptedAtSortingCentre', {
    error: E.NOT_ACCEPTED,
    cause: 'The sorting centre did not accept the parcel; the seller was alerted to collect it',
  });

  const onCancel = <T extends sfn.TaskStateBase>(task: T): T => {
    task.addCatch(releaseStock, { errors: [E.CANCELLED], resultPath: ERROR_PATH });
    return task;
  };

  // Happy path, in order
  const receive = onCancel(
    step('ReceivePosting', fns.receivePosting, {
      postingNumber: sfn.JsonPath.stringAt('$.postingNumber'),
      executionArn: sfn.JsonPath.stringAt('$$.Execution.Id'),
    }),
  );
  receive.addCatch(unknownPosting, { errors: [E.POSTING_NOT_FOUND], resultPath: ERROR_PATH });

  const reserveStock = onCancel(step('ReserveStock', fns.reserveStock));

  // Short stock: wait for a restock until the decision deadline, then decide (wait on, retry, cancel lines, cancel).
  const awaitRestock = onCancel(wait('AwaitRestock', 'restock'));
  reserveStock.addCatch(awaitRestock, { errors: [E.STOCK_SHORT], resultPath: ERROR_PATH });
  awaitRestock.next(reserveStock);
  const decideShortStock = onCancel(step('DecideShortStock', fns.decideShortStock));
  awaitRestock.addCatch(decideShortStock, { errors: ['States.Timeout', E.DEADLINE_PASSED], resultPath: ERROR_PATH });
  const cancelShortLines = onCancel(step('CancelShortLines', fns.cancelShortLines));
  cancelShortLines.addCatch(cancelPosting, { errors: [E.NOTHING_TO_SHIP], resultPath: ERROR_PATH });
  cancelShortLines.next(reserveStock);
  decideShortStock.next(
    new sfn.Choice(scope, 'ShortStockDecision')
      .when(sfn.Condition.stringEquals('$.decision', 'wait'), awaitRestock)
      .when(sfn.Condition.stringEquals('$.decision', 'retry'), reserveStock)
      .when(sfn.Condition.stringEquals('$.decision', 'partial'), cancelShortLines)
      .otherwise(cancelPosting),
  );

  const confirm = onCancel(step('ConfirmPosting', fns.confirmPosting));
  confirm.addCatch(assemblyRefused, { errors: [E.SHIP_REFUSED], resultPath: ERROR_PATH });
  confirm.addCatch(markingCodesRequired, { errors: [E.MARKING_CODES_REQUIRED], resultPath: ERROR_PATH });

  // Optional policy: the warehouse confirms "packed" before the product asks Ozon to assemble; reminders meanwhile.
  const awaitPacked = onCancel(wait('AwaitPackedConfirmation', 'packed'));
  const remindPacking = onCancel(step('RemindPacking', fns.remindPacking));
  awaitPacked.addCatch(remindPacking, { errors: ['States.Timeout'], resultPath: ERROR_PATH });
  remindPacking.addCatch(packingNeverConfirmed, { errors: [E.PACKING_NEVER_CONFIRMED], resultPath: ERROR_PATH });
  remindPacking.next(awaitPacked);
  awaitPacked.next(confirm);
  const packingPolicy = new sfn.Choice(scope, 'PackingPolicy')
    .when(sfn.Condition.booleanEquals('$.requirePacked', true), awaitPacked)
    .otherwise(confirm);

  const awaitAssembly = onCancel(wait('AwaitAssembly', 'assembly'));
  // ship_failed, or no word from Ozon: ConfirmPosting ships again (it counts attempts and gives up after three).
  awaitAssembly.addCatch(confirm, { errors: [E.SHIP_FAILED, 'States.Timeout'], resultPath: ERROR_PATH });

  const packAndLabel = onCancel(step('PackAndLabel', fns.packAndLabel));
  packAndLabel.addRetry({
    errors: [E.LABEL_NOT_READY],
    interval: Duration.seconds(20),
    backoffRate: 1.5,
    maxAttempts: 5,
  });

  const registerShipment = onCancel(step('RegisterShipment', fns.registerShipment));

  // In transit: a timeout is the status SLA or the delivery window; CheckTracking looks once and escalates.
  const awaitDelivery = onCancel(wait('AwaitDelivery', 'delivery'));
  const checkTracking = onCancel(step('CheckTracking', fns.checkTracking));
  awaitDelivery.addCatch(checkTracking, { errors: ['States.Timeout'], resultPath: ERROR_PATH });
  checkTracking.next(awaitDelivery);
  const alertDispute = step('AlertDispute', fns.alertDispute);
  const awaitDispute = onCancel(wait('AwaitDisputeResolution', 'dispute'));
  awaitDelivery.addCatch(alertDispute, { errors: [E.IN_ARBITRATION], resultPath: ERROR_PATH });
  alertDispute.next(awaitDispute);
  awaitDispute.addCatch(checkTracking, { errors: ['States.Timeout'], resultPath: ERROR_PATH });
  awaitDispute.next(awaitDelivery);
  const alertNotAccepted = step('AlertNotAccepted', fns.alertNotAccepted);
  awaitDelivery.addCatch(alertNotAccepted, { errors: [E.NOT_ACCEPTED], resultPath: ERROR_PATH });
  alertNotAccepted.next(notAccepted);

  // rFBS: the carrier's tracking number; overdue ones are alerted up to three times.
  const awaitTracking = onCancel(wait('AwaitTrackingNumber', 'tracking'));
  const trackingOverdue = onCancel(step('TrackingOverdue', fns.trackingOverdue));
  awaitTracking.addCatch(trackingOverdue, { errors: ['States.Timeout'], resultPath: ERROR_PATH });
  trackingOverdue.addCatch(noTrackingNumber, { errors: [E.TRACKING_NUMBER_MISSING], resultPath: ERROR_PATH });
  trackingOverdue.next(awaitTracking);
  const setTracking = onCancel(step('SetTrackingNumber', fns.setTrackingNumber));
  setTracking.addCatch(assemblyRefused, { errors: [E.SHIP_REFUSED], resultPath: ERROR_PATH });

  const settlePayout = step('SettlePayout', fns.settlePayout);
  const awaitPayout = wait('AwaitPayout', 'payout');
  // No (complete) accruals within the settlement window: SettlePayout judges what is there and alerts.
  awaitPayout.addCatch(settlePayout, { errors: ['States.Timeout'], resultPath: ERROR_PATH });

  const bySchema = new sfn.Choice(scope, 'ShipmentBySchema')
    .when(sfn.Condition.stringEquals('$.schema', 'rfbs'), awaitTracking.next(setTracking).next(awaitDelivery))
    .otherwise(awaitDelivery);

  awaitDelivery.next(awaitPayout).next(settlePayout).next(completed);

  confirm.next(awaitAssembly).next(packAndLabel).next(registerShipment).next(bySchema);
  return receive.next(reserveStock).next(packingPolicy);
}
