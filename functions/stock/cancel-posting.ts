/**
 * CancelPosting: stock did not come in time; cancel on Ozon as "out of stock" (seller reason 352). Ozon is asked
 * right before: only a posting Ozon still lets the seller cancel is cancelled. One that moved on (assembled by
 * hand, handed over) is left alone, the seller is told, and the execution joins the lifecycle where it is.
 */

import { tellBuyer } from '#buyers/tell-buyer';
import { recordOzonStatus } from '#intake/record-status';
import { sendAlert } from '#shared/alerts';
import { OzonRequestRejected } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { requireOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { isCancelled, joinAt, sellerMayCancel } from '#shared/status';
import { PostingRef, stateOf } from '#shared/steps';
import { releaseStock } from './release-stock';
import { currentShortages } from './shortages';

export async function cancelPosting(input: PostingRef) {
  const order = await requireOrder(input.postingNumber);
  const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
  if (!isCancelled(posting.status) && !sellerMayCancel(posting.status)) {
    const current = (await recordOzonStatus(posting)) ?? order;
    await sendAlert(current, { kind: 'cancel_skipped', status: posting.status });
    return { ...stateOf(current), cancelled: false, joinAt: joinAt(posting.status) };
  }
  if (!isCancelled(posting.status)) {
    // Told before the cancel: a cancelled posting's chat may be closed to the seller.
    await tellBuyer(order, 'stock_cancelled');
    try {
      await ozon().call('cancel', {
        posting_number: order.postingNumber,
        cancel_reason_id: 352,
        cancel_reason_message: 'Product is out of stock',
      });
    } catch (e) {
      if (!(e instanceof OzonRequestRejected && e.ozonMessage.includes('POSTING_ALREADY_CANCELLED'))) throw e;
    }
    const { short } = await currentShortages(order);
    await sendAlert(order, {
      kind: 'stock_cancelled',
      lines: short.map((x) => ({ offerId: x.offerId, missing: x.missing })),
    });
  }
  // ReleaseStock reads Ozon again: the cancellation is recorded as Ozon reports it, reason and initiator included.
  return releaseStock(input);
}

export const handler = stepHandler(PostingRef, cancelPosting);
