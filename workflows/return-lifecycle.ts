/**
 * ReturnLifecycle: one Standard execution per return, named `<posting number>_R<return id>` (the console's prefix
 * search by posting number finds it) and started by the poller from `/v2/returns/rfbs/list` and `/v1/returns/list`.
 * rFBS requests are answered before Ozon approves them itself (DecideReturn); then the unit is followed back and
 * checked (FollowReturn), and the refund is reconciled with the posting's settled payout (SettleReturn). FBS
 * returns start at FollowReturn. Every wait for Ozon or the seller is a step that says "not yet" and is retried on
 * its own clock; what runs out ends in LeaveReturn, which tells the seller (ReturnLeftToSeller): never a Fail.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import * as E from './errors';
import { lambdaStep } from './lambda-step';

export interface ReturnFunctions {
  decideReturn: lambda.IFunction;
  followReturn: lambda.IFunction;
  settleReturn: lambda.IFunction;
  leaveReturn: lambda.IFunction;
}

/** Each step gets the return and its execution's id (the seller's alerts link to it). */
const PAYLOAD = {
  'returnId.$': '$.returnId',
  'schema.$': '$.schema',
  'postingNumber.$': '$.postingNumber',
  'executionArn.$': '$$.Execution.Id',
};

export function returnDefinition(scope: Construct, fns: ReturnFunctions): sfn.IChainable {
  const step = (id: string, fn: lambda.IFunction) => lambdaStep(scope, id, fn, { payload: PAYLOAD });
  const retryOn = (task: tasks.LambdaInvoke, errors: string[], interval: Duration, maxAttempts: number) =>
    task.addRetry({ errors, interval, backoffRate: 1, maxAttempts });

  const closed = new sfn.Succeed(scope, 'ReturnClosed');
  const left = new sfn.Succeed(scope, 'ReturnLeftToSeller');
  const leave = lambdaStep(scope, 'LeaveReturn', fns.leaveReturn, {
    payload: { ...PAYLOAD, 'error.$': '$.error' },
  });
  // The alert itself failing (SNS down past the retries) still ends the return where the seller can see it.
  leave.addCatch(left, { errors: [sfn.Errors.ALL], resultPath: '$.leaveError' });
  leave.next(left);

  // The seller's answer is looked for hourly until the margin before Ozon's deadline (3 days by default), then
  // Ozon's own decision: 4 days of attempts cover both.
  const decide = step('DecideReturn', fns.decideReturn);
  retryOn(decide, [E.RETURN_AWAITING_SELLER, E.RETURN_AWAITING_OZON], Duration.hours(1), 96);

  // The parcel back (Russian Post, or Ozon to the drop-off point), then up to the utilization date at the drop-off
  // point (30 days at Ozon's), then the seller's check: every 6 hours, up to 45 days in all.
  const follow = step('FollowReturn', fns.followReturn);
  retryOn(follow, [E.RETURN_IN_TRANSIT, E.RETURN_NOT_COLLECTED, E.RETURN_AWAITING_CHECK], Duration.hours(6), 180);

  // Ozon books a refund within days; a posting's payout is settled within its settlement window.
  const settle = step('SettleReturn', fns.settleReturn);
  retryOn(settle, [E.POSTING_NOT_SETTLED, E.REFUND_NOT_BOOKED], Duration.hours(6), 80);

  for (const task of [decide, follow, settle]) {
    task.addCatch(leave, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  }
  const afterDecision = new sfn.Choice(scope, 'RequestAnswered')
    .when(sfn.Condition.stringEquals('$.next', 'parcel'), follow)
    .when(sfn.Condition.stringEquals('$.next', 'refund'), settle)
    .otherwise(closed);
  const afterUnit = new sfn.Choice(scope, 'UnitHandled')
    .when(sfn.Condition.stringEquals('$.next', 'refund'), settle)
    .otherwise(closed);
  decide.next(afterDecision);
  follow.next(afterUnit);
  settle.next(closed);

  return new sfn.Choice(scope, 'RfbsOrFbs')
    .when(sfn.Condition.stringEquals('$.schema', 'rfbs'), decide)
    .otherwise(follow);
}
