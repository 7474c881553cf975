/**
 * ReleaseStock: the posting looks cancelled. Ozon is asked first — a cancellation the product only heard of (a
 * push, a stale record) must not end a posting Ozon still wants shipped. Confirmed: the units go back and the
 * execution ends `Cancelled`; a cancellation after handover needs the seller. Not confirmed: the order takes Ozon's
 * status and the execution joins the lifecycle there again. A posting split into new ones ends `Split`.
 */
import { recordOzonStatus } from '#intake/record-status';
import { sendAlert } from '#shared/alerts';
import { stepHandler } from '#shared/handler';
import { cancellationOf } from '#shared/order';
import { requireOrder, updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { isCancelled, joinAt } from '#shared/status';
import { PostingRef, stateOf } from '#shared/steps';
import { release } from './stock-store';

export async function releaseStock(input: PostingRef) {
  const order = await requireOrder(input.postingNumber);
  const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
  if (!isCancelled(posting.status)) {
    const current = (await recordOzonStatus(posting)) ?? order;
    return { ...stateOf(current), cancelled: false, joinAt: joinAt(posting.status) };
  }
  // Split into new postings (a ship in several packages): not a cancellation. The units stay reserved for the new
  // postings, which take the reservation over at their receipt; this execution ends `Split`.
  if (posting.status === 'cancelled_from_split_pending') {
    const updated = await updateOrder(order.postingNumber, { phase: 'split', status: posting.status });
    return { ...stateOf(updated), cancelled: true, split: true };
  }
  const cancellation = cancellationOf(posting);
  // Units still on our shelf (reserved, or packed but never picked up) go back; a parcel that left does not.
  await release(order, order.handedOverAt === undefined);
  const updated = await updateOrder(order.postingNumber, { phase: 'cancelled', status: 'cancelled', cancellation });
  if (cancellation.afterShip) await sendAlert(updated, { kind: 'cancelled_after_ship', reason: cancellation.reason });
  return { ...stateOf(updated), cancelled: true };
}

export const handler = stepHandler(PostingRef, releaseStock);
