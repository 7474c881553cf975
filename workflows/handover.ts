/**
 * Handover: one Standard execution per FBS carriage (warehouse, delivery method, departure date), named by it and
 * started by the poller `HANDOVER_LEAD_HOURS` before the carriage's cutoff (functions/handover/plan.ts). It makes
 * the act on Ozon, waits for its documents, gets the labels of the act's parcels in label tasks of 20, stores the
 * act, the carriage barcode and the labels, and tells the seller what to print and bring, by when; an hour after the
 * cutoff it looks at the carriage's parcels once and alerts each that did not leave. What Ozon will not do is the
 * seller's, alerted (LeftToSeller): never a Fail, and the postings' own executions go on either way.
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
  checkHandover: lambda.IFunction;
}

const ERROR_PATH = '$.error';

export function handoverDefinition(scope: Construct, fns: HandoverFunctions): sfn.IChainable {
  const steps: tasks.LambdaInvoke[] = [];
  const step = (id: string, fn: lambda.IFunction) => {
    const task = lambdaStep(scope, id, fn);
    steps.push(task);
    return task;
  };
  /** Retries one named error: the handover waits for Ozon's time (an act, documents, labels, the cutoff). */
  const retryOn = (
    task: tasks.LambdaInvoke,
    error: string,
    interval: Duration,
    backoffRate: number,
    maxAttempts: number,
  ) => task.addRetry({ errors: [error], interval, backoffRate, maxAttempts });

  const ready = new sfn.Succeed(scope, 'HandedOver');
  const unchecked = new sfn.Succeed(scope, 'HandoverNotChecked');
  const nothing = new sfn.Succeed(scope, 'NothingToHandOver');
  const leftToSeller = new sfn.Succeed(scope, 'LeftToSeller');

  const createAct = step('CreateAct', fns.createAct);
  // Postings still being packed or registered: Ozon says "not yet"; asked again every 10 minutes — CreateAct stops
  // saying so shortly before the cutoff, so the attempts end there (the bound below is only a backstop: 3 days).
  retryOn(createAct, E.ACT_NOT_YET, Duration.minutes(10), 1, 432);
  // Started up to HANDOVER_PLAN_HOURS ahead: waits for the act's time hour by hour (no Ozon call until then). An
  // hour is shorter than the lead less the last try's margin, so one attempt always falls inside it.
  retryOn(createAct, E.ACT_TOO_EARLY, Duration.hours(1), 1, 72);
  createAct.addCatch(nothing, { errors: [E.NOTHING_TO_HAND_OVER], resultPath: sfn.JsonPath.DISCARD });

  const checkAct = step('CheckAct', fns.checkAct);
  retryOn(checkAct, E.ACT_NOT_READY, Duration.seconds(20), 1.5, 10);

  const printLabels = step('PrintLabels', fns.printLabels);
  const fetchLabels = step('FetchLabels', fns.fetchLabels);
  // Ozon forms label files in under a minute; FetchLabels itself waits that long before its first look.
  retryOn(fetchLabels, E.LABEL_NOT_READY, Duration.seconds(30), 1.5, 8);

  const documents = step('HandOverDocuments', fns.handOverDocuments);
  // Labels that cannot be had are the seller's to print in the cabinet: the act and its alert go out regardless.
  for (const task of [printLabels, fetchLabels]) {
    task.addCatch(documents, { errors: [sfn.Errors.ALL], resultPath: '$.labelsError' });
  }
  const problem = step('AlertHandoverProblem', fns.alertHandoverProblem);

  // An hour after the cutoff, the carriage's parcels that did not leave: one Ozon list, not a look per posting.
  // Whether the act was made or left to the seller, the parcels are looked at; the outcome names which it was.
  // Before its time the step says so (no Ozon call) and is retried hourly, as CreateAct waits for the act's time.
  const checkHandover = step('CheckHandover', fns.checkHandover);
  retryOn(checkHandover, E.HANDOVER_NOT_DUE, Duration.hours(1), 1, 72);
  // Ozon unreachable for the whole retry: the parcels' own stall SLA still watches each of them.
  checkHandover.addCatch(unchecked, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  const outcome = new sfn.Choice(scope, 'ActMadeOrLeft')
    .when(sfn.Condition.booleanEquals('$.leftToSeller', true), leftToSeller)
    .otherwise(ready);
  problem.next(checkHandover);
  checkHandover.next(outcome);

  for (const task of steps.filter((s) => ![problem, printLabels, fetchLabels, checkHandover].includes(s))) {
    task.addCatch(problem, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  }
  createAct.next(checkAct).next(printLabels).next(fetchLabels).next(documents).next(checkHandover);
  return createAct;
}
