/**
 * A workflow step: one Lambda task with the product's timeout and the retry every step has — transient errors and
 * timeouts, backed off with jitter. Both state machines (OrderLifecycle, Handover) build their steps with it.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import * as E from './errors';

/** Above the Lambda timeout (60 s), which is above the Ozon client's worst case (functions/shared/ozon/client.ts). */
export const STEP_TIMEOUT = Duration.seconds(90);

/** Transient errors and timeouts are tried again: six attempts, from 2 s, doubling, with full jitter. */
export function retryTransient(task: sfn.TaskStateBase): void {
  task.addRetry({
    errors: [...E.TRANSIENT, ...E.TIMEOUTS],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    jitterStrategy: sfn.JitterType.FULL,
  });
}

export function lambdaStep(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  options: { payload?: Record<string, unknown>; resultPath?: string } = {},
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    payload: options.payload ? sfn.TaskInput.fromObject(options.payload) : undefined,
    resultPath: options.resultPath,
    taskTimeout: sfn.Timeout.duration(STEP_TIMEOUT),
    retryOnServiceExceptions: true,
  });
  retryTransient(task);
  return task;
}
