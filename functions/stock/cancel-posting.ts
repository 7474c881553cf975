/** CancelPosting: stock did not come in time; cancel on Ozon as "out of stock" (seller reason 352). */
import { sendAlert } from '#shared/alerts';
import { OzonRequestRejected } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { isCancelled } from '#shared/order';
import { requireOrder, updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { PostingRef } from '#shared/steps';
import { releaseStock } from './release-stock';
import { currentShortages } from './shortages';

export async function cancelPosting(input: PostingRef) {
  const order = await requireOrder(input.postingNumber);
  if (!isCancelled(order.status)) {
    try {
      await ozon().call('cancel', {
        posting_number: order.postingNumber,
        cancel_reason_id: 352,
        cancel_reason_message: 'Product is out of stock',
      });
    } catch (e) {
      if (!(e instanceof OzonRequestRejected && e.ozonMessage.includes('POSTING_ALREADY_CANCELLED'))) throw e;
    }
  }
  const cancellation = { reasonId: 352, reason: 'out of stock', initiator: 'seller', afterShip: false };
  const updated = await updateOrder(order.postingNumber, { status: 'cancelled', cancellation });
  const { short } = await currentShortages(order);
  await sendAlert(updated, {
    kind: 'stock_cancelled',
    lines: short.map((x) => ({ offerId: x.offerId, missing: x.missing })),
  });
  return releaseStock(input);
}

export const handler = stepHandler(PostingRef, cancelPosting);
