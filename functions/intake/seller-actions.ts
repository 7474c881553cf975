/**
 * What the seller's systems may tell the product (the seller API), each action checked against the order and
 * Ozon before anything changes: restocks within bounds, the rFBS tracking number for a posting that waits for one,
 * "delivered" only after "delivering" and only as Ozon confirms it, the warehouse's "packed", and resuming a
 * posting that needs attention. A refused action names why, with the HTTP status the seller API answers.
 */
import * as z from 'zod/mini';
import { RETURN_ACTIONS } from '#aftersale/seller-returns';
import { replyToBuyer } from '#buyers/buyer-messages';
import { saveAssemblyData } from '#fulfilment/assembly-store';
import { setPacking } from '#fulfilment/packing-store';
import { QUALITY_ACTIONS } from '#quality/seller-quality';
import { nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { eachLimited } from '#shared/each-limited';
import { OzonRequestRejected } from '#shared/errors';
import { recordEvent } from '#shared/event-store';
import { logger } from '#shared/handler';
import type { Order } from '#shared/order';
import { getOrder, ordersInPhase } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { refusedItems } from '#shared/ozon/schemas';
import { isAssembled, isCancelled } from '#shared/status';
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
  /** The seller's courier has the parcel for the last mile (rFBS, own delivery). */
  lastMile: z.strictObject({ postingNumber: PostingNumber }),
  packed: z.strictObject({ postingNumber: PostingNumber }),
  /** What Ozon needs before assembly: marking codes (one per unit), GTD/RNPT ("absent" if none), the box count. */
  marks: z.strictObject({
    postingNumber: PostingNumber,
    products: z
      .array(
        z.strictObject({
          offerId: z.string().check(z.minLength(1), z.maxLength(100)),
          marks: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(300))).check(z.maxLength(300))),
          jwUins: z.optional(z.array(z.string().check(z.regex(/^\d{1,40}$/))).check(z.maxLength(300))),
          gtd: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
          rnpt: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
        }),
      )
      .check(z.maxLength(100)),
    boxes: z.optional(z.int().check(z.positive(), z.maximum(1000))),
  }),
  /** The seller's packing data for an offer: ships alone (its own package), boxes and grams per unit. */
  packing: z.strictObject({
    offerId: z.string().check(z.minLength(1), z.maxLength(100)),
    shipsAlone: z.optional(z.boolean()),
    boxesPerUnit: z.optional(z.int().check(z.positive(), z.maximum(100))),
    gramsPerUnit: z.optional(z.number().check(z.positive(), z.maximum(1_000_000))),
    /** The warehouse checks the offer's units before Ozon is asked to assemble a posting of it (quality/). */
    qualityCheck: z.optional(z.boolean()),
  }),
  resume: z.strictObject({ postingNumber: PostingNumber }),
  /** The seller's answer to a buyer's cancellation request (rFBS, when the policy asks the seller). */
  cancellationRequest: z.strictObject({
    postingNumber: PostingNumber,
    approve: z.boolean(),
    comment: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
  }),
  ...RETURN_ACTIONS,
  ...QUALITY_ACTIONS,
  /** The seller's reply in a buyer's chat (the chat id is in the `buyer_message` alert). */
  buyerReply: z.strictObject({
    chatId: z.string().check(z.minLength(1), z.maxLength(100)),
    text: z.string().check(z.minLength(1), z.maxLength(1000)),
  }),
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
  if (order.tplIntegrationType === 'aggregator') {
    throw refuse(409, `${order.postingNumber}: Ozon registers it with the carrier and assigns the tracking number`);
  }
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

/**
 * The seller's own delivery reports its progress; Ozon moves the status itself, and what it says afterwards is
 * recorded, never the seller's word alone. A carrier Ozon tracks (`3pl_tracking`, `aggregator`) reports nothing here.
 */
async function reportProgress(postingNumber: string, step: 'markLastMile' | 'markDelivered', words: string) {
  const order = await knownOrder(postingNumber);
  if (order.schema !== 'rfbs') throw refuse(409, `${order.postingNumber} is FBS: Ozon reports its delivery`);
  if (order.tplIntegrationType !== 'non_integrated') {
    throw refuse(409, `${order.postingNumber} goes with a carrier Ozon tracks (${order.tplIntegrationType})`);
  }
  if (order.status !== 'delivering') {
    throw refuse(409, `${order.postingNumber} is ${order.status}: only a posting in "delivering" can be ${words}`);
  }
  let refused: string[];
  try {
    refused = refusedItems(await ozon().call(step, { posting_number: [order.postingNumber] }));
  } catch (e) {
    if (e instanceof OzonRequestRejected) throw refuse(409, `Ozon refused "${words}": ${e.ozonMessage}`);
    throw e;
  }
  if (refused.length) throw refuse(409, `Ozon refused "${words}" for ${order.postingNumber}: ${refused.join('; ')}`);
  const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
  await recordOzonStatus(posting);
  return { accepted: true, status: posting.status, substatus: posting.substatus ?? undefined };
}

export const reportDelivered = (input: z.infer<(typeof SELLER_ACTIONS)['delivered']>) =>
  reportProgress(input.postingNumber, 'markDelivered', 'delivered');
export const reportLastMile = (input: z.infer<(typeof SELLER_ACTIONS)['lastMile']>) =>
  reportProgress(input.postingNumber, 'markLastMile', 'last mile');

/** Kept beside the order, then handed to the posting's wait for them (AwaitMarkingCodes); checked by Ozon there. */
export async function receiveMarks(input: z.infer<(typeof SELLER_ACTIONS)['marks']>) {
  const order = await knownOrder(input.postingNumber);
  if (isAssembled(order.status) || order.preparedAt) {
    throw refuse(409, `${order.postingNumber} needs no assembly data now (status ${order.status})`);
  }
  const known = new Set(order.lines.map((l) => l.offerId));
  const unknown = input.products.filter((p) => !known.has(p.offerId)).map((p) => p.offerId);
  if (unknown.length) throw refuse(422, `${order.postingNumber} has no line for ${unknown.join(', ')}`);
  const at = nowIso();
  await saveAssemblyData(order.postingNumber, {
    products: input.products.map((p) => ({ ...p, marks: p.marks ?? [], jwUins: p.jwUins ?? [] })),
    boxes: input.boxes,
    at,
  });
  const { order: updated } = await recordEvent(
    order.postingNumber,
    `marks#${at}`,
    { type: 'assembly_data', at, source: 'seller' },
    { assemblyDataAt: at },
  );
  if (updated) await deliverToWait(updated);
  return { accepted: true };
}

export const setPackingData = (input: z.infer<(typeof SELLER_ACTIONS)['packing']>) => setPacking(input.offerId, input);

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

/**
 * The seller's answer to an open cancellation request: kept on the order (the first answer counts) and handed to
 * the posting's wait; DecideCancellationRequest reads Ozon and answers there. Refused when nothing is open.
 */
export async function answerCancellationRequest(input: z.infer<(typeof SELLER_ACTIONS)['cancellationRequest']>) {
  const order = await knownOrder(input.postingNumber);
  const request = order.cancellationRequest;
  if (!request || request.decision) {
    throw refuse(
      409,
      `No open cancellation request for ${input.postingNumber}${request?.decision ? ` (${request.decision})` : ''}`,
    );
  }
  const at = nowIso();
  const seller = { approve: input.approve, at, ...(input.comment ? { comment: input.comment } : {}) };
  const { fresh, order: updated } = await recordEvent(
    order.postingNumber,
    `cancel_answer#${request.id}`,
    { type: 'cancellation_answer', at, source: 'seller' },
    { cancellationRequest: { ...request, seller } },
  );
  if (updated) await deliverToWait(updated);
  return { accepted: true, duplicate: !fresh };
}

/** The seller's reply to a buyer, sent in Ozon's chat; Ozon's refusal (its chat rule) is the seller's answer. */
export async function sendBuyerReply(input: z.infer<(typeof SELLER_ACTIONS)['buyerReply']>) {
  if (env('ozon').OZON_READ_ONLY) throw refuse(409, 'Read-only mode: reply in the seller cabinet');
  try {
    await replyToBuyer(input.chatId, input.text);
  } catch (e) {
    if (e instanceof OzonRequestRejected) throw refuse(422, `Ozon refused the message: ${e.ozonMessage}`);
    throw e;
  }
  return { sent: true };
}

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
