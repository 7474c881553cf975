/**
 * DecideShortStock: the restock wait ended without stock (deadline, or the deadline moved). Wait on if there is
 * still time, reserve again if stock came in, cancel the missing lines if the seller allows it, else cancel.
 */
import { now } from '#shared/clock';
import { env, waitSettings } from '#shared/config';
import { restockDeadline } from '#shared/deadlines';
import { stepHandler } from '#shared/handler';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { shortStockDecision } from './rules';
import { currentShortages } from './shortages';

export async function decideShortStock(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const { wanted, short } = await currentShortages(order);
  const deadline = Date.parse(restockDeadline(order, waitSettings()) ?? '');
  const decision = shortStockDecision(wanted, short, deadline <= now(), env('policy').PARTIAL_CANCEL);
  return { ...stateOf(order), decision };
}

export const handler = stepHandler(StepInput, decideShortStock);
