/**
 * OrderLifecycle: one Standard execution per Ozon posting, named by the posting number. States carry the words a
 * seller uses; every wait for the outside world is a `.waitForTaskToken` task with a timeout taken from the
 * posting (see `waitTimeouts` in functions/lib/domain/order.ts), resolved by whoever sees the event.
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
}

type WaitKind = 'assembly' | 'tracking' | 'delivery' | 'payout';

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
    error: 'TrackingNumberMissing',
    cause: 'The carrier sent no tracking number before the shipment date',
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
  reserveStock.addCatch(cancelPosting, { errors: [E.STOCK_SHORT], resultPath: ERROR_PATH });

  const confirm = onCancel(step('ConfirmPosting', fns.confirmPosting));
  confirm.addCatch(assemblyRefused, { errors: [E.SHIP_REFUSED], resultPath: ERROR_PATH });

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

  const awaitDelivery = onCancel(wait('AwaitDelivery', 'delivery'));
  const checkTracking = onCancel(step('CheckTracking', fns.checkTracking));
  awaitDelivery.addCatch(checkTracking, { errors: ['States.Timeout'], resultPath: ERROR_PATH });
  checkTracking.next(awaitDelivery);

  const awaitTracking = onCancel(wait('AwaitTrackingNumber', 'tracking'));
  awaitTracking.addCatch(noTrackingNumber, { errors: ['States.Timeout'], resultPath: ERROR_PATH });
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

  return receive
    .next(reserveStock)
    .next(confirm)
    .next(awaitAssembly)
    .next(packAndLabel)
    .next(registerShipment)
    .next(bySchema);
}
