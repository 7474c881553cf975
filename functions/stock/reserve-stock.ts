/** ReserveStock: every line or none from the seller's stock; a second run finds the posting reserved. */
import * as z from 'zod/mini';
import { itemsOf } from '#buyers/rules';
import { sendAlert } from '#shared/alerts';
import { nowIso } from '#shared/clock';
import { waitSettings } from '#shared/config';
import { restockDeadline } from '#shared/deadlines';
import { StockShort } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { updateOrder } from '#shared/order-store';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { markToPublish, reserve } from './stock-store';

export const ReserveInput = z.extend(StepInput, {
  reservedAtReceipt: z.optional(z.boolean()),
  /** ReceivePosting's order, passed on as it came for ConfirmPosting (checked there). */
  orderSnapshot: z.optional(z.unknown()),
});

export async function reserveStock(input: z.infer<typeof ReserveInput>) {
  // ReceivePosting wrote the order with its reservation just now: nothing to read, nothing to write.
  if (input.reservedAtReceipt) {
    const { reservedAtReceipt: _, ...state } = input;
    return state;
  }
  // The lines were written at receipt, and the transaction's condition on the order makes a reservation happen
  // once: a read a moment old decides nothing wrong (a cancellation it misses is released after ConfirmPosting).
  const order = await activeOrder(input.postingNumber, { consistent: false });
  // Reserved already (a retried ReceivePosting): a second transaction would only be refused, and billed.
  if (order.reservedAt) return stateOf(order);
  const result = await reserve(order, nowIso());
  if (!result.reserved) {
    // Ozon sold what the seller does not have: its figure for these offers is too high, publish the real one.
    await markToPublish(
      order.warehouseId,
      result.shortages.map((s) => s.offerId),
    );
    const waiting = await updateOrder(order.postingNumber, { phase: 'awaiting_stock' });
    await sendAlert(waiting, {
      kind: 'out_of_stock',
      lines: result.shortages.map((s) => ({ offerId: s.offerId, missing: s.missing })),
      deadline: restockDeadline(order, waitSettings()),
    });
    // The buyer hears of the wait before any cancellation. Loaded here, not at cold start: a reservation that
    // succeeds (nearly all) never needs the chat.
    const { tellBuyer } = await import('#buyers/tell-buyer');
    await tellBuyer(waiting, 'stock_short', { items: itemsOf(waiting.lines, result.shortages) });
    throw new StockShort(JSON.stringify(result.shortages));
  }
  return stateOf(order);
}

export const handler = stepHandler(ReserveInput, reserveStock);
