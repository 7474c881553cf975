/**
 * Hands a recorded event to the execution waiting for it. Called by the waiting step right after it stores its
 * token, and by whoever records an event (webhook, poller, carrier callback): whichever writes second sees both.
 */
import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { sfnClient } from '#shared/clients';
import { now } from '#shared/clock';
import { policy, waitSettings } from '#shared/config';
import { evaluateWait, executionState, type Order } from '#shared/order';
import { clearWait } from '#shared/order-store';

export type Delivery = 'none' | 'success' | 'failure';

export async function deliverToWait(order: Order): Promise<Delivery> {
  const wait = order.wait;
  if (!wait) return 'none';
  const outcome = evaluateWait(order, wait.on);
  if (outcome.outcome === 'pending') return 'none';
  // Clearing first makes the token single-use across concurrent deliverers.
  if (!(await clearWait(order.postingNumber, wait.token))) return 'none';
  try {
    if (outcome.outcome === 'success') {
      await sfnClient().send(
        new SendTaskSuccessCommand({
          taskToken: wait.token,
          output: JSON.stringify(executionState(order, now(), waitSettings(), policy())),
        }),
      );
    } else {
      await sfnClient().send(
        new SendTaskFailureCommand({ taskToken: wait.token, error: outcome.error, cause: outcome.cause }),
      );
    }
  } catch (e) {
    // The wait already ended (timed out, or the execution stopped): nothing is waiting for this event any more.
    if (e instanceof TaskTimedOut || e instanceof InvalidToken || e instanceof TaskDoesNotExist) return 'none';
    throw e;
  }
  return outcome.outcome;
}
