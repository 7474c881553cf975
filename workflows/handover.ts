/**
 * Handover: one Standard execution per FBS carriage (warehouse, delivery method, departure date), named by it and
 * started by the poller `HANDOVER_LEAD_HOURS` before the carriage's cutoff (functions/handover/plan.ts). It makes
 * the act on Ozon, waits for its documents, gets the labels of the act's parcels in label tasks of 20, stores the
 * act, the carriage barcode and the labels, and tells the seller what to print and bring, by when. What Ozon will not do is the seller's, alerted (LeftToSeller): never a Fail, and the
 * postings' own executions go on either way.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import * as E from './errors';
import { lambdaStep } from './lambda-step';

export interface HandoverFunctions {
  createAct: lambda.IFunction;
  checkAct: lambda.IFunction;
  printLabels: lambda.IFunction;
  fetchLabels: lambda.IFunction;
  handOverDocuments: lambda.IFunction;
  alertHandoverProblem: lambda.IFunction;
}

const ERROR_PATH = '$.error';

export function handoverDefinition(scope: Construct, fns: HandoverFunctions): sfn.IChainable {
  const steps: tasks.LambdaInvoke[] = [];
  const step = (id: string, fn: lambda.IFunction) => {
    const task = lambdaStep(scope, id, fn);
    steps.push(task);
    return task;
  };

  const ready = new sfn.Succeed(scope, 'HandoverReady');
  const nothing = new sfn.Succeed(scope, 'NothingToHandOver');
  const leftToSeller = new sfn.Succeed(scope, 'LeftToSeller');

  const createAct = step('CreateAct', fns.createAct);
  // Postings still being packed or registered: Ozon says "not yet"; asked again every 10 minutes — CreateAct stops
  // saying so shortly before the cutoff, so the attempts end there (the bound below is only a backstop: 3 days).
  createAct.addRetry({ errors: [E.ACT_NOT_YET], interval: Duration.minutes(10), backoffRate: 1, maxAttempts: 432 });
  // Started up to HANDOVER_PLAN_HOURS ahead: waits for the act's time hour by hour (no Ozon call until then). An
  // hour is shorter than the lead less the last try's margin, so one attempt always falls inside it.
  createAct.addRetry({ errors: [E.ACT_TOO_EARLY], interval: Duration.hours(1), backoffRate: 1, maxAttempts: 72 });
  createAct.addCatch(nothing, { errors: [E.NOTHING_TO_HAND_OVER], resultPath: sfn.JsonPath.DISCARD });

  const checkAct = step('CheckAct', fns.checkAct);
  checkAct.addRetry({ errors: [E.ACT_NOT_READY], interval: Duration.seconds(20), backoffRate: 1.5, maxAttempts: 10 });

  const printLabels = step('PrintLabels', fns.printLabels);
  const fetchLabels = step('FetchLabels', fns.fetchLabels);
  // Ozon forms label files in under a minute; FetchLabels itself waits that long before its first look.
  fetchLabels.addRetry({
    errors: [E.LABEL_NOT_READY],
    interval: Duration.seconds(30),
    backoffRate: 1.5,
    maxAttempts: 8,
  });

  const documents = step('HandOverDocuments', fns.handOverDocuments);
  // Labels that cannot be had are the seller's to print in the cabinet: the act and its alert go out regardless.
  for (const task of [printLabels, fetchLabels]) {
    task.addCatch(documents, { errors: [sfn.Errors.ALL], resultPath: '$.labelsError' });
  }
  const problem = step('AlertHandoverProblem', fns.alertHandoverProblem);
  problem.next(leftToSeller);

  for (const task of steps.filter((s) => s !== problem && s !== printLabels && s !== fetchLabels)) {
    task.addCatch(problem, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  }
  createAct.next(checkAct).next(printLabels).next(fetchLabels).next(documents).next(ready);
  return createAct;
}
