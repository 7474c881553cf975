/**
 * OrderLifecycle: one Standard execution per Ozon posting, named by the posting number. States carry the words a
 * seller uses; every wait for the outside world is a `.waitForTaskToken` task with a timeout taken from the
 * posting (see `waitTimeouts` in functions/shared/deadlines.ts), resolved by whoever sees the event.
 *
 * Three rules shape it (issue 8): a posting joins where Ozon says it is (JoinLifecycle); nothing ends or cancels on
 * the product's word alone (CancellationConfirmed follows ReleaseStock's and CancelPosting's read of Ozon); and
 * nothing dead-ends — what fails after its retries waits in NeedsAttention for the seller, re-checked daily.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { DEFAULT_WAIT_SETTINGS } from '#shared/deadlines';
import type { WaitKind } from '#shared/order';
import * as E from './errors';
import { lambdaStep } from './lambda-step';

export interface LifecycleFunctions {
  receivePosting: lambda.IFunction;
  reserveStock: lambda.IFunction;
  confirmPosting: lambda.IFunction;
  prepareAssembly: lambda.IFunction;
  shipInPackages: lambda.IFunction;
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
  decideCancellation: lambda.IFunction;
  qualityCheckFailed: lambda.IFunction;
  remindQualityCheck: lambda.IFunction;
}

/** Errors keep the state's input (the posting number) next to them, under `$.error`. */
const ERROR_PATH = '$.error';
/** NeedsAttention re-checks the posting with Ozon this often while the seller has not resumed it. */
const ATTENTION_RECHECK = Duration.hours(24);
/**
 * PackAndLabel's backstop: the assembly's wait (the batcher ends it then, AssemblyNotReported) and half an hour for
 * a batch (the queue's gathering window, a few retries).
 */
const PACKING_TIMEOUT = Duration.seconds(DEFAULT_WAIT_SETTINGS.assemblyWaitSeconds).plus(Duration.minutes(30));

export function orderLifecycleDefinition(scope: Construct, fns: LifecycleFunctions): sfn.IChainable {
  const steps: tasks.LambdaInvoke[] = [];
  const step = (id: string, fn: lambda.IFunction, payload?: Record<string, unknown>, resultPath?: string) => {
    const task = lambdaStep(scope, id, fn, { payload, resultPath });
    steps.push(task);
    return task;
  };

  const waits: tasks.LambdaInvoke[] = [];
  const wait = (id: string, kind: WaitKind, extra: Record<string, unknown> = {}, timeout?: Duration) => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: fns.awaitEvent,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        postingNumber: sfn.JsonPath.stringAt('$.postingNumber'),
        waitFor: kind,
        token: sfn.JsonPath.taskToken,
        timeoutSeconds: timeout ? timeout.toSeconds() : sfn.JsonPath.numberAt(`$.timeouts.${kind}`),
        ...extra,
      }),
      taskTimeout: timeout ? sfn.Timeout.duration(timeout) : sfn.Timeout.at(`$.timeouts.${kind}`),
    });
    // Storing the token can meet a throttled table like any step; the wait itself is never retried for its outcome.
    task.addRetry({ errors: [...E.TRANSIENT], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 6 });
    waits.push(task);
    return task;
  };

  const postingOnly = { postingNumber: sfn.JsonPath.stringAt('$.postingNumber') };
  const catchInto = (task: sfn.TaskStateBase, target: sfn.IChainable, errors: string[]) =>
    task.addCatch(target, { errors, resultPath: ERROR_PATH });

  // Endings
  const completed = new sfn.Succeed(scope, 'Completed');
  const cancelled = new sfn.Succeed(scope, 'Cancelled');
  // Shipped in several packages: Ozon made a posting of each, each followed by its own execution.
  const split = new sfn.Succeed(scope, 'Split');
  const unknownPosting = new sfn.Fail(scope, 'UnknownPosting', {
    error: E.POSTING_NOT_FOUND,
    cause: 'Ozon does not know this posting number: there is nothing to follow',
  });

  const receive = step('ReceivePosting', fns.receivePosting, {
    postingNumber: sfn.JsonPath.stringAt('$.postingNumber'),
    executionArn: sfn.JsonPath.stringAt('$$.Execution.Id'),
  });
  catchInto(receive, unknownPosting, [E.POSTING_NOT_FOUND]);

  // Stopped: the seller is alerted with what happened and how to resume; Ozon is asked again every day meanwhile.
  const needsAttention = wait(
    'NeedsAttention',
    'attention',
    { problem: sfn.JsonPath.stringAt('$.error.Error'), cause: sfn.JsonPath.stringAt('$.error.Cause') },
    ATTENTION_RECHECK,
  );
  needsAttention.next(receive);
  catchInto(needsAttention, receive, [sfn.Errors.TIMEOUT]);

  // A cancellation is over only when Ozon confirms it; otherwise the posting goes on where Ozon says it is.
  const releaseStock = step('ReleaseStock', fns.releaseStock, postingOnly);
  const cancelPosting = step('CancelPosting', fns.cancelPosting, postingOnly);
  const cancellationConfirmed = new sfn.Choice(scope, 'CancellationConfirmed');
  releaseStock.next(cancellationConfirmed);
  cancelPosting.next(cancellationConfirmed);
  const onCancel = <T extends sfn.TaskStateBase>(task: T): T => {
    catchInto(task, releaseStock, [E.CANCELLED]);
    return task;
  };
  onCancel(receive);

  const reserveStock = onCancel(step('ReserveStock', fns.reserveStock));

  // Short stock: wait for a restock until the decision deadline, then decide (wait on, retry, cancel lines, cancel).
  const awaitRestock = onCancel(wait('AwaitRestock', 'restock'));
  catchInto(reserveStock, awaitRestock, [E.STOCK_SHORT]);
  awaitRestock.next(reserveStock);
  const decideShortStock = onCancel(step('DecideShortStock', fns.decideShortStock));
  catchInto(awaitRestock, decideShortStock, [sfn.Errors.TIMEOUT, E.DEADLINE_PASSED]);
  const cancelShortLines = onCancel(step('CancelShortLines', fns.cancelShortLines));
  catchInto(cancelShortLines, cancelPosting, [E.NOTHING_TO_SHIP]);
  decideShortStock.next(
    new sfn.Choice(scope, 'ShortStockDecision')
      .when(sfn.Condition.stringEquals('$.decision', 'wait'), awaitRestock)
      .when(sfn.Condition.stringEquals('$.decision', 'retry'), reserveStock)
      .when(sfn.Condition.stringEquals('$.decision', 'partial'), cancelShortLines)
      .otherwise(cancelPosting),
  );

  const confirm = onCancel(step('ConfirmPosting', fns.confirmPosting));

  // Optional policy: the warehouse confirms "packed" before the product asks Ozon to assemble; reminders meanwhile.
  // ConfirmPosting itself says "not packed yet": no Choice on the way of every posting that does not use it.
  const awaitPacked = onCancel(wait('AwaitPackedConfirmation', 'packed'));
  const remindPacking = onCancel(step('RemindPacking', fns.remindPacking));
  catchInto(confirm, awaitPacked, [E.NOT_PACKED_YET]);
  catchInto(awaitPacked, remindPacking, [sfn.Errors.TIMEOUT]);
  remindPacking.next(awaitPacked);
  awaitPacked.next(confirm);

  // Optional policy (quality/): the warehouse checks the units first. ConfirmPosting says "not checked yet"; a failed
  // check writes the unit off and frees the reservation (QualityCheckFailed), and ReserveStock takes another unit —
  // or, with none left, the short-stock path.
  const awaitQuality = onCancel(wait('AwaitQualityCheck', 'quality'));
  const remindQuality = onCancel(step('RemindQualityCheck', fns.remindQualityCheck));
  const qualityFailed = onCancel(step('QualityCheckFailed', fns.qualityCheckFailed));
  catchInto(confirm, awaitQuality, [E.QUALITY_CHECK_PENDING]);
  catchInto(awaitQuality, qualityFailed, [E.QUALITY_CHECK_FAILED]);
  catchInto(awaitQuality, remindQuality, [sfn.Errors.TIMEOUT]);
  remindQuality.next(awaitQuality);
  awaitQuality.next(confirm);
  qualityFailed.next(reserveStock);

  // Ozon approves some orders before they may be assembled: wait, then look again with Ozon at the deadline.
  const awaitApproval = onCancel(wait('AwaitApproval', 'approval'));
  catchInto(confirm, awaitApproval, [E.AWAITING_APPROVAL]);
  awaitApproval.next(confirm);
  catchInto(awaitApproval, receive, [sfn.Errors.TIMEOUT]);

  // Marking codes, customs data or a box count go to Ozon before assembly; what the seller has not sent yet is
  // alerted and waited for (AwaitMarkingCodes), asked again at the deadline. Only postings with needs come here.
  const prepareAssembly = onCancel(step('PrepareAssembly', fns.prepareAssembly));
  prepareAssembly.addRetry({
    errors: [E.ASSEMBLY_DATA_CHECKING],
    interval: Duration.seconds(10),
    backoffRate: 2,
    maxAttempts: 8,
  });
  const awaitMarks = onCancel(wait('AwaitMarkingCodes', 'marks'));
  catchInto(confirm, prepareAssembly, [E.ASSEMBLY_DATA_REQUIRED]);
  catchInto(prepareAssembly, awaitMarks, [E.ASSEMBLY_DATA_MISSING]);
  prepareAssembly.next(confirm);
  awaitMarks.next(prepareAssembly);
  catchInto(awaitMarks, prepareAssembly, [sfn.Errors.TIMEOUT]);

  // Several packages (the seller's packing data): Ozon splits the posting, the new postings go on on their own.
  const shipInPackages = onCancel(step('ShipInPackages', fns.shipInPackages));
  catchInto(confirm, shipInPackages, [E.SHIPS_IN_PACKAGES]);
  shipInPackages.next(split);

  // Packing comes in batches (the units of up to 40 postings of a warehouse off the shelf in one transaction, one
  // packing list) and waits for Ozon's word on the assembly itself: the batcher packs a posting once Ozon reports it
  // assembled (no wait state before it: one transition, one stored token and one read less per posting). FBS
  // labels come with the carriage (workflows/handover.ts).
  const packAndLabel = onCancel(
    new tasks.LambdaInvoke(scope, 'PackAndLabel', {
      lambdaFunction: fns.packAndLabel,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        postingNumber: sfn.JsonPath.stringAt('$.postingNumber'),
        schema: sfn.JsonPath.stringAt('$.schema'),
        timeouts: sfn.JsonPath.objectAt('$.timeouts'),
        token: sfn.JsonPath.taskToken,
      }),
      // The batcher ends it by the assembly's timeout (AssemblyNotReported); this is the backstop for a batcher
      // that could not (its queue's dead letters): both go back to ConfirmPosting, which asks Ozon first.
      taskTimeout: sfn.Timeout.duration(PACKING_TIMEOUT),
    }),
  );
  // Only the queuing Lambda is retried: the wait's own end (a failure or the timeout) goes where it says.
  packAndLabel.addRetry({ errors: [...E.TRANSIENT], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 6 });
  // ship_failed, or no word from Ozon: ConfirmPosting ships again (it counts attempts and gives up after three).
  catchInto(packAndLabel, confirm, [E.SHIP_FAILED, E.ASSEMBLY_NOT_REPORTED, sfn.Errors.TIMEOUT]);
  steps.push(packAndLabel);

  const registerShipment = onCancel(step('RegisterShipment', fns.registerShipment));

  // In transit: a timeout is the status SLA or the delivery window; CheckTracking looks once and escalates.
  const awaitDelivery = onCancel(wait('AwaitDelivery', 'delivery'));
  const checkTracking = onCancel(step('CheckTracking', fns.checkTracking));
  catchInto(awaitDelivery, checkTracking, [sfn.Errors.TIMEOUT]);
  checkTracking.next(awaitDelivery);
  const alertDispute = step('AlertDispute', fns.alertDispute);
  const awaitDispute = onCancel(wait('AwaitDisputeResolution', 'dispute'));
  catchInto(awaitDelivery, alertDispute, [E.IN_ARBITRATION]);
  alertDispute.next(awaitDispute);
  catchInto(awaitDispute, checkTracking, [sfn.Errors.TIMEOUT]);
  awaitDispute.next(awaitDelivery);
  // The sorting centre refused the parcel: the seller collects it, then resumes (the error is kept for the alert).
  const alertNotAccepted = step('AlertNotAccepted', fns.alertNotAccepted, postingOnly, sfn.JsonPath.DISCARD);
  catchInto(awaitDelivery, alertNotAccepted, [E.NOT_ACCEPTED]);
  alertNotAccepted.next(needsAttention);

  // rFBS: the carrier's tracking number; overdue ones are alerted up to three times.
  const awaitTracking = onCancel(wait('AwaitTrackingNumber', 'tracking'));
  const trackingOverdue = onCancel(step('TrackingOverdue', fns.trackingOverdue));
  catchInto(awaitTracking, trackingOverdue, [sfn.Errors.TIMEOUT]);
  trackingOverdue.next(awaitTracking);
  const setTracking = onCancel(step('SetTrackingNumber', fns.setTrackingNumber));

  // The poller's payout sweep settles the posting and ends the wait (one finance call for 200 postings). No
  // (complete) accruals within the settlement window: SettlePayout judges what is there and alerts.
  const settlePayout = step('SettlePayout', fns.settlePayout);
  const awaitPayout = wait('AwaitPayout', 'payout');
  catchInto(awaitPayout, settlePayout, [sfn.Errors.TIMEOUT]);
  settlePayout.next(completed);

  // rFBS: RegisterShipment hands the parcel to the seller's carrier (HandoverToCarrier), or, for a carrier Ozon
  // registers the parcel with (aggregator), waits for that and looks again; FBS goes on to delivery.
  catchInto(registerShipment, awaitTracking, [E.HANDOVER_TO_CARRIER]);
  const awaitRegistration = onCancel(wait('AwaitCarrierRegistration', 'registration'));
  catchInto(registerShipment, awaitRegistration, [E.CARRIER_REGISTERING]);
  awaitRegistration.next(registerShipment);
  catchInto(awaitRegistration, registerShipment, [sfn.Errors.TIMEOUT, E.CARRIER_REGISTRATION_FAILED]);
  awaitTracking.next(setTracking).next(awaitDelivery);
  awaitDelivery.next(awaitPayout).next(completed);
  confirm.next(packAndLabel).next(registerShipment).next(awaitDelivery);
  reserveStock.next(confirm);

  // Join where Ozon says the posting is: after receiving it, after a resume, and after a cancellation Ozon denied.
  const join = new sfn.Choice(scope, 'JoinLifecycle')
    // A split's new posting, still being assembled by Ozon, waits for that in PackAndLabel like any other.
    .when(sfn.Condition.stringEquals('$.joinAt', 'assembly'), packAndLabel)
    .when(sfn.Condition.stringEquals('$.joinAt', 'pack'), packAndLabel)
    .when(sfn.Condition.stringEquals('$.joinAt', 'transit'), awaitDelivery)
    .when(sfn.Condition.stringEquals('$.joinAt', 'settle'), awaitPayout)
    .otherwise(reserveStock);
  receive.next(join);
  cancelShortLines.next(join);
  cancellationConfirmed
    .when(sfn.Condition.and(sfn.Condition.isPresent('$.split'), sfn.Condition.booleanEquals('$.split', true)), split)
    .when(sfn.Condition.booleanEquals('$.cancelled', true), cancelled)
    .otherwise(join);

  // A buyer's cancellation request (rFBS) ends whatever wait the posting is in: answered before Ozon's deadline,
  // then the posting goes on where Ozon says (or ends through ReleaseStock when the request was approved).
  const decideCancellation = onCancel(step('DecideCancellationRequest', fns.decideCancellation));
  decideCancellation.addRetry({
    errors: [E.CANCELLATION_NOT_APPLIED],
    interval: Duration.seconds(20),
    backoffRate: 2,
    maxAttempts: 5,
  });
  const awaitCancellationDecision = onCancel(wait('AwaitCancellationDecision', 'cancellation'));
  catchInto(decideCancellation, awaitCancellationDecision, [E.CANCELLATION_DECISION_ASKED]);
  awaitCancellationDecision.next(decideCancellation);
  catchInto(awaitCancellationDecision, decideCancellation, [sfn.Errors.TIMEOUT]);
  decideCancellation.next(receive);
  const noRequestCatch = new Set([needsAttention, awaitPayout, awaitCancellationDecision]);
  // PackAndLabel too: it is where the posting waits for Ozon's assembly.
  for (const w of [...waits.filter((x) => !noRequestCatch.has(x)), packAndLabel]) {
    catchInto(w, decideCancellation, [E.CANCELLATION_REQUESTED]);
  }

  // No dead ends: whatever still fails after its retries waits for the seller (added last: Catches match in order).
  for (const task of [...steps, ...waits.filter((w) => w !== needsAttention)]) {
    catchInto(task, needsAttention, [sfn.Errors.ALL]);
  }
  catchInto(needsAttention, receive, [sfn.Errors.ALL]);
  return receive;
}
