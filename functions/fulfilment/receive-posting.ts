/**
 * ReceivePosting: Ozon's view of the posting becomes the order record, and the execution joins the lifecycle where
 * the posting is (`joinAt`): a posting first met after it was assembled, handed over or delivered never goes back
 * through reservation — reserving stock that already left and cancelling for want of it is the worst thing the
 * product could do to a seller. Run again (a resume, a re-check after NeedsAttention) it refreshes the order.
 */

import type * as z from 'zod/mini';
import { recordOzonStatus } from '#intake/record-status';
import { nowIso } from '#shared/clock';
import { PostingCancelled } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { orderFromPosting } from '#shared/order';
import { createOrder, requireOrder, updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { joinAt } from '#shared/status';
import { ReceiveInput, stateOf } from '#shared/steps';
import { createReserved } from '#stock/stock-store';

export async function receivePosting(input: z.infer<typeof ReceiveInput>) {
  const { result: posting } = await ozon().call('getPosting', {
    posting_number: input.postingNumber,
    with: { analytics_data: true, financial_data: true },
  });
  const at = nowIso();
  const fresh = { ...orderFromPosting(posting, at), executionArn: input.executionArn };
  // A posting met before assembly is reserved as its order is written (ReserveStock then has nothing to do); one
  // whose stock is short is written alone, and ReserveStock alerts and waits.
  const reservation = joinAt(fresh.status) === 'reserve' ? await createReserved(fresh, at) : 'not_tried';
  let { order, created } =
    reservation === 'reserved'
      ? { order: { ...fresh, phase: 'reserved' as const, reservedAt: at }, created: true }
      : reservation === 'exists'
        ? { order: await requireOrder(fresh.postingNumber), created: false }
        : await createOrder(fresh);
  if (!created) {
    // Ozon's word on the status, ordered like any other; the execution that follows the posting now is this one.
    await recordOzonStatus(posting);
    order = await updateOrder(order.postingNumber, { executionArn: input.executionArn });
  }
  const join = joinAt(order.status);
  if (join === 'cancelled') throw new PostingCancelled(`Posting ${order.postingNumber} is cancelled on Ozon`);
  return { ...stateOf(order), joinAt: join, ...(reservation === 'reserved' ? { reservedAtReceipt: true } : {}) };
}

export const handler = stepHandler(ReceiveInput, receivePosting);
