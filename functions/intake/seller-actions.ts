/**
 * What the seller's systems may tell the product (the seller API), each action checked against the order and
 * Ozon before anything changes: restocks within bounds, the rFBS tracking number for a posting that waits for one,
 * "delivered" only after "delivering" and only as Ozon confirms it, the warehouse's "packed", and resuming a
 * posting that needs attention. A refused action names why, with the HTTP status the seller API answers.
 */
import * as z from 'zod/mini';
import { nowIso } from '#shared/clock';
import { eachLimited } from '#shared/each-limited';
import { OzonRequestRejected } from '#shared/errors';
import { recordEvent } from '#shared/event-store';
import { logger } from '#shared/handler';
import type { Order } from '#shared/order';
import { getOrder, ordersInPhase } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { refusedItems } from '#shared/ozon/schemas';
import { isCancelled } from '#shared/status';
import { publishStock } from '#stock/publish';
import { addStock } from '#stock/stock-store';
import { deliverToWait } from '#waits/deliver-to-wait';
import { recordOzonStatus } from './record-status';
import { refuse } from './refuse';
import { resumePosting } from './resume';

const PostingNumber = z.string().check(z.regex(/^[0-9]{1,20}(-[0-9]{1,10}){1,3}$/, 'not an Ozon posting number'));
export const SELLER_ACTIONS = {
  stock: z.strictObject({
    warehouseId: z.coerce.number().check(z.int(), z.positive()),
    offerId: z.string().check(z.minLength(1), z.maxLength(100)),
    quantity: z.int().check(z.positive(), z.maximum(100_000)),
  }),
  tracking: z.strictObject({
    postingNumber: PostingNumber,
    trackingNumber: z.string().check(z.regex(/^[A-Za-z0-9-]{3,64}$/)),
  }),
  delivered: z.strictObject({ postingNumber: PostingNumber }),
  packed: z.strictObject({ postingNumber: PostingNumber }),
  resume: z.strictObject({ postingNumber: PostingNumber }),
};
export type SellerAction = keyof typeof SELLER_ACTIONS;

/** A tracking number may be corrected a few times, not rewritten without end. */
export const MAX_TRACKING_CHANGES = 5;

async function knownOrder(postingNumber: string): Promise<Order> {
  const order = await getOrder(postingNumber);
  if (!order) throw refuse(404, `No posting ${postingNumber} is followed here`);
  if (isCancelled(order.status)) throw refuse(409, `Posting ${postingNumber} is cancelled`);
  return order;
}

export async function restock(input: z.infer<(typeof SELLER_ACTIONS)['stock']>) {
  const item = await addStock(input.warehouseId, input.offerId, input.quantity);
  if (!item) throw refuse(409, `That would put more than the allowed stock on hand for ${input.offerId}`);
  const woken = await wakePostingsWaitingFor(input.warehouseId, input.offerId);
  // Ozon sells the new units from now, not from the poller's next run; a failure leaves the item marked for it.
  const published = await publishStock([item], { alert: false }).then(
    (r) => r.published > 0,
    (error: unknown) => {
      logger.warn('Stock not published to Ozon now; the poller will', { error, offerId: input.offerId });
      return false;
    },
  );
  return { accepted: true, onHand: item.onHand, woken, publishedToOzon: published };
}

export async function setTracking(input: z.infer<(typeof SELLER_ACTIONS)['tracking']>) {
  const order = await knownOrder(input.postingNumber);
  if (order.schema !== 'rfbs') throw refuse(409, `${order.postingNumber} is FBS: Ozon delivers it, no tracking number`);
  if (!['packing', 'shipping', 'in_transit'].includes(order.phase) || order.status === 'delivered') {
    throw refuse(409, `${order.postingNumber} does not wait for a tracking number (phase ${order.phase})`);
  }
  if (order.trackingNumber === input.trackingNumber) {
    // The first report's hand-over to the wait may have failed: the seller's retry must finish it.
    await deliverToWait(order);
    return { accepted: true, duplicate: true };
  }
  const changes = (order.escalations.trackingChanges ?? 0) + 1;
  if (changes > MAX_TRACKING_CHANGES)
    throw refuse(409, `The tracking number was changed ${MAX_TRACKING_CHANGES} times`);
  const { order: updated } = await recordEvent(
    order.postingNumber,
    `tracking#${input.trackingNumber}`,
    { type: 'tracking_number', at: nowIso(), source: 'seller' },
    { trackingNumber: input.trackingNumber, escalations: { ...order.escalations, trackingChanges: changes } },
  );
  if (updated) await deliverToWait(updated);
  return { accepted: true };
}

/** Ozon moves the status itself; what it says afterwards is recorded, never the seller's word alone. */
export async function reportDelivered(input: z.infer<(typeof SELLER_ACTIONS)['delivered']>) {
  const order = await knownOrder(input.postingNumber);
  if (order.schema !== 'rfbs') throw refuse(409, `${order.postingNumber} is FBS: Ozon reports its delivery`);
  if (order.status !== 'delivering') {
    throw refuse(409, `${order.postingNumber} is ${order.status}: only a posting in "delivering" can be delivered`);
  }
  let refused: string[];
  try {
    refused = refusedItems(await ozon().call('markDelivered', { posting_number: [order.postingNumber] }));
  } catch (e) {
    if (e instanceof OzonRequestRejected) throw refuse(409, `Ozon refused "delivered": ${e.ozonMessage}`);
    throw e;
  }
  if (refused.length) throw refuse(409, `Ozon refused "delivered" for ${order.postingNumber}: ${refused.join('; ')}`);
  const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
  await recordOzonStatus(posting);
  return { accepted: true, status: posting.status };
}

export async function confirmPacked(input: z.infer<(typeof SELLER_ACTIONS)['packed']>) {
  const order = await knownOrder(input.postingNumber);
  const at = nowIso();
  const { fresh, order: updated } = await recordEvent(
    order.postingNumber,
    'packed',
    { type: 'packed', at, source: 'seller' },
    { packedAt: at },
  );
  if (updated) await deliverToWait(updated);
  return { accepted: true, duplicate: !fresh };
}

export const resume = (input: z.infer<(typeof SELLER_ACTIONS)['resume']>) => resumePosting(input.postingNumber);

/** Postings short of this offer in this warehouse get a restock event; their AwaitRestock reserves again. */
export async function wakePostingsWaitingFor(warehouseId: number, offerId: string): Promise<number> {
  const waiting = (await ordersInPhase('awaiting_stock')).filter(
    (o) => o.warehouseId === warehouseId && o.lines.some((l) => l.offerId === offerId),
  );
  const at = nowIso();
  // Ten at a time: hundreds of postings may wait for one offer, and the request must answer within its timeout.
  await eachLimited(waiting, async (order) => {
    const { order: updated } = await recordEvent(
      order.postingNumber,
      `restock#${offerId}#${at}`,
      { type: 'restock', at, source: 'seller' },
      { restockedAt: at },
    );
    if (updated) await deliverToWait(updated);
  });
  return waiting.length;
}
