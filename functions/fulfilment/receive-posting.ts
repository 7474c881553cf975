/**
 * ReceivePosting: Ozon's view of the posting becomes the order record, and the execution joins the lifecycle where
 * the posting is (`joinAt`): a posting first met after it was assembled, handed over or delivered never goes back
 * through reservation — reserving stock that already left and cancelling for want of it is the worst thing the
 * product could do to a seller. Run again (a resume, a re-check after NeedsAttention) it refreshes the order.
 *
 * What Ozon asks at receipt is answered here too: a shipment date (`set_cutoff`, rFBS), and for FBS whether the
 * drop-off point will take the parcel (its limits, read once an hour per delivery method).
 */

import type * as z from 'zod/mini';
import { noteRfbsFollowed } from '#aftersale/rfbs-followed';
import { recordOzonStatus } from '#intake/record-status';
import { sendAlert } from '#shared/alerts';
import { onReset } from '#shared/clients';
import { now, nowIso } from '#shared/clock';
import { policy } from '#shared/config';
import { PostingCancelled } from '#shared/errors';
import { logger, stepHandler } from '#shared/handler';
import { type Order, orderFromPosting } from '#shared/order';
import { createOrder, requireOrder, updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import type { Posting } from '#shared/ozon/schemas';
import { type JoinAt, joinAt } from '#shared/status';
import { ReceiveInput, snapshotOf, stateOf } from '#shared/steps';
import { adoptReservation, createReserved } from '#stock/stock-store';
import { packingData } from './packing-store';
import { cutoffDate, type DropoffLimits, dropoffProblems } from './rules';

export async function receivePosting(input: z.infer<typeof ReceiveInput>) {
  const { result: posting } = await ozon().call('getPosting', {
    posting_number: input.postingNumber,
    with: { analytics_data: true, financial_data: true },
  });
  const at = nowIso();
  const fresh = { ...orderFromPosting(posting, at), executionArn: input.executionArn };
  const reservation = await reserveAtReceipt(fresh, at);
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
  const join = joinOf(order);
  if (join === 'cancelled') throw new PostingCancelled(`Posting ${order.postingNumber} is cancelled on Ozon`);
  // Before the posting goes on: the poll follows its buyer's cancellation requests from its next run.
  if (order.schema === 'rfbs') await noteRfbsFollowed();
  if (created) order = await answerOzon(order, posting);
  // Reserved with the order just now: ReserveStock passes the state on untouched, and ConfirmPosting decides on
  // the order as written here (`orderSnapshot`) instead of reading it back a moment later.
  if (reservation !== 'reserved') return { ...stateOf(order), joinAt: join };
  return { ...stateOf(order), joinAt: join, reservedAtReceipt: true, orderSnapshot: snapshotOf(order) };
}

/**
 * A posting met before assembly is reserved as its order is written (ReserveStock then has nothing to do); one
 * whose stock is short is written alone, and ReserveStock alerts and waits. A posting that came out of a split
 * takes over its share of the parent's reservation instead.
 */
async function reserveAtReceipt(fresh: Order, at: string): Promise<'reserved' | 'exists' | 'short' | 'not_tried'> {
  const join = joinAt(fresh.status);
  if (fresh.parentPostingNumber && (join === 'reserve' || join === 'pack')) {
    const adopted = await adoptReservation(fresh, at);
    if (adopted === 'adopted') return 'reserved';
    if (adopted === 'exists') return 'exists';
  }
  return join === 'reserve' ? createReserved(fresh, at) : 'not_tried';
}

/**
 * Where the execution joins. A posting from a split that Ozon still assembles (ShipInPackages asked for it) waits
 * for that assembly rather than shipping again; should nobody have asked, the wait's timeout ships it.
 */
function joinOf(order: Order): JoinAt | 'assembly' {
  if (order.parentPostingNumber && order.status === 'awaiting_packaging') return 'assembly';
  return joinAt(order.status);
}

/** Drop-off limits per delivery method, read from Ozon at most once an hour by each function instance. */
const LIMITS_TTL_MS = 3600_000;
const limitsCache = new Map<string, { limits: DropoffLimits; at: number }>();
// The local runtime points the functions at another Ozon between runs: forget what the last one said.
onReset(() => limitsCache.clear());

async function answerOzon(order: Order, posting: Posting): Promise<Order> {
  let current = order;
  // rFBS: Ozon wants the shipment date from the seller before anything else.
  if (order.schema === 'rfbs' && posting.available_actions?.includes('set_cutoff')) {
    const date = cutoffDate(now(), policy().cutoffHandlingHours, order.shipmentDate);
    const { result } = await ozon().call('setCutoff', { posting_number: order.postingNumber, new_cutoff_date: date });
    if (result) current = await updateOrder(order.postingNumber, { shipmentDate: date });
  }
  if (order.schema === 'fbs' && joinAt(order.status) === 'reserve') {
    await checkDropoffLimits(current, posting).catch((error: unknown) =>
      // A check, not a step of the posting's way: a failure to read the limits must not hold the posting.
      logger.warn('Drop-off limits not checked', { error, postingNumber: order.postingNumber }),
    );
  }
  return current;
}

async function checkDropoffLimits(order: Order, posting: Posting) {
  const method = String(posting.delivery_method?.id ?? order.warehouseId);
  let cached = limitsCache.get(method);
  // Wall-clock time, like the packing data's copy: how often one instance asks, not the product's clock.
  if (!cached || Date.now() - cached.at > LIMITS_TTL_MS) {
    const { result } = await ozon().call('restrictions', { posting_number: order.postingNumber });
    cached = { limits: result, at: Date.now() };
    limitsCache.set(method, cached);
  }
  const grams = new Map(Object.entries((await packingData()).grams));
  const problems = dropoffProblems(order.lines, cached.limits, grams);
  if (problems.length) await sendAlert(order, { kind: 'dropoff_limits', problems, deadline: order.shipmentDate });
}

export const handler = stepHandler(ReceiveInput, receivePosting);
