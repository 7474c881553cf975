/** ReleaseStock: on any cancellation, reserved units go back; a cancellation after handover needs the seller. */
import { sendAlert } from '#shared/alerts';
import { nowIso } from '#shared/clock';
import { stepHandler } from '#shared/handler';
import { cancellationOf } from '#shared/order';
import { requireOrder, updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { PostingRef } from '#shared/steps';
import { release } from './stock-store';

export async function releaseStock(input: PostingRef) {
  const order = await requireOrder(input.postingNumber);
  await release(order, nowIso());
  let cancellation = order.cancellation;
  // A push says a posting was cancelled but not by whom; Ozon's posting does.
  if (!cancellation || cancellation.initiator === 'unknown') {
    const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
    cancellation = cancellationOf(posting);
  }
  const updated = await updateOrder(order.postingNumber, { phase: 'cancelled', status: 'cancelled', cancellation });
  if (cancellation.afterShip) await sendAlert(updated, { kind: 'cancelled_after_ship', reason: cancellation.reason });
  return { postingNumber: order.postingNumber, cancelled: true };
}

export const handler = stepHandler(PostingRef, releaseStock);
