/** AlertNotAccepted: the sorting centre refused the parcel; the seller has to collect it. */
import { sendAlert } from '#shared/alerts';
import { stepHandler } from '#shared/handler';
import { requireOrder } from '#shared/order-store';
import { PostingRef } from '#shared/steps';

/** Its result is discarded: the error it follows goes on to NeedsAttention, which names it to the seller. */
export async function alertNotAccepted(input: PostingRef) {
  const order = await requireOrder(input.postingNumber);
  await sendAlert(order, { kind: 'not_accepted' });
  return { alerted: true };
}

export const handler = stepHandler(PostingRef, alertNotAccepted);
