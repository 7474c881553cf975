/** ReserveStock: every line or none from the seller's stock; a second run finds the posting reserved. */
import { sendAlert } from '#shared/alerts';
import { nowIso } from '#shared/clock';
import { waitSettings } from '#shared/config';
import { restockDeadline } from '#shared/deadlines';
import { StockShort } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { updateOrder } from '#shared/order-store';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { reserve } from './stock-store';

export async function reserveStock(input: StepInput) {
  // The lines were written at receipt, and the transaction's condition on the order makes a reservation happen
  // once: a read a moment old decides nothing wrong (a cancellation it misses is released after ConfirmPosting).
  const order = await activeOrder(input.postingNumber, { consistent: false });
  const result = await reserve(order, nowIso());
  if (!result.reserved) {
    const waiting = await updateOrder(order.postingNumber, { phase: 'awaiting_stock' });
    await sendAlert(waiting, {
      kind: 'out_of_stock',
      lines: result.shortages.map((s) => ({ offerId: s.offerId, missing: s.missing })),
      deadline: restockDeadline(order, waitSettings()),
    });
    throw new StockShort(JSON.stringify(result.shortages));
  }
  return stateOf(order);
}

export const handler = stepHandler(StepInput, reserveStock);
