/**
 * Hands a recorded event to the execution waiting for it. Called by the waiting step right after it stores its
 * token, and by whoever records an event (webhook, poller, seller API): whichever writes second sees both.
 */
import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { sfnClient } from '#shared/aws/sfn';
import { payoutTolerance } from '#shared/config';
import type { Order } from '#shared/order';
import { waitOf } from '#shared/order-store';
import { emitMetric } from '#shared/powertools';
import { stateOf } from '#shared/steps';
import { evaluateWait, type WaitOutcome } from './rules';

export type Delivery = 'none' | 'success' | 'failure';

/**
 * Hands the order's current event to its wait, if the wait is over. The wait stays stored after its token was
 * used (the next wait replaces it): a second delivery is refused by Step Functions as a task that no longer
 * exists, which is harmless, and a delivery that failed is tried again by the next deliverer (a redelivered push,
 * the poller, the wait's own timeout).
 */
export async function deliverToWait(order: Order): Promise<Delivery> {
  const wait = await waitOf(order);
  if (!wait) return 'none';
  const outcome = evaluateWait({ ...order, wait }, wait.on, payoutTolerance());
  if (outcome.outcome === 'pending') return 'none';
  const sent = await sendTaskOutcome(wait.token, outcome, order);
  if (sent)
    emitMetric('WaitsEnded', 1, { wait: wait.on, outcome: outcome.outcome === 'success' ? 'event' : outcome.error });
  return sent ? outcome.outcome : 'none';
}

/** Ends a wait with success (the execution state of the order) or a named failure; false if nothing waits. */
export async function sendTaskOutcome(
  token: string,
  outcome: Exclude<WaitOutcome, { outcome: 'pending' }>,
  order: Order,
): Promise<boolean> {
  if (outcome.outcome === 'failure') return sendTaskFailure(token, outcome);
  const output = JSON.stringify(stateOf(order));
  return endTask(() => sfnClient().send(new SendTaskSuccessCommand({ taskToken: token, output })));
}

/** Ends a wait with a named failure, which the state catches; false if nothing waits. */
export function sendTaskFailure(
  token: string,
  outcome: Extract<WaitOutcome, { outcome: 'failure' }>,
): Promise<boolean> {
  return endTask(() =>
    sfnClient().send(new SendTaskFailureCommand({ taskToken: token, error: outcome.error, cause: outcome.cause })),
  );
}

async function endTask(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (e) {
    // The wait already ended (timed out, delivered by someone else, or the execution stopped).
    if (e instanceof TaskTimedOut || e instanceof InvalidToken || e instanceof TaskDoesNotExist) return false;
    throw e;
  }
}
