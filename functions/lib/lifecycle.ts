/**
 * The steps of OrderLifecycle, one function per state, in the order a posting meets them. Each reads the order,
 * does its one side effect idempotently, writes the order and returns the small execution state.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { sendAlert } from './alerts';
import { now, nowIso } from './clock';
import { config, policy, waitSettings } from './config';
import {
  cancellationOf,
  type ExecutionState,
  executionState,
  isAssembled,
  isCancelled,
  type Order,
  orderFromPosting,
  restockDeadline,
  stallDeadline,
  WaitKind,
} from './domain/order';
import { type Accrual, settle } from './domain/settlement';
import { packingList, reservationLines, shortages, shortStockDecision } from './domain/stock';
import {
  LabelNotReady,
  MarkingCodesRequired,
  NothingToShip,
  OzonRequestRejected,
  PackingNeverConfirmed,
  PostingCancelled,
  ShipRefused,
  StockShort,
  TrackingNumberMissing,
} from './errors';
import { ozon } from './ozon/client';
import { createOrder, getOrder, recordEvent, requireOrder, setWait, updateOrder } from './store/orders';
import { consume, getStock, release, reserve } from './store/stock';
import { deliverToWait } from './tasks';

export const ReceiveInput = z.object({ postingNumber: z.string().min(1), executionArn: z.string().optional() });
export const StepInput = z.object({
  postingNumber: z.string().min(1),
  schema: z.enum(['fbs', 'rfbs']),
  timeouts: z.record(z.string(), z.number()),
});
export const PostingRef = z.object({ postingNumber: z.string().min(1) });
export const WaitInput = z.object({
  postingNumber: z.string().min(1),
  waitFor: WaitKind,
  token: z.string().min(1),
  timeoutSeconds: z.number().positive(),
});

const MAX_SHIP_ATTEMPTS = 3;
const WAIT_PHASE = {
  restock: 'awaiting_stock',
  packed: 'awaiting_packed',
  assembly: 'confirming',
  tracking: 'shipping',
  delivery: 'in_transit',
  dispute: 'in_transit',
  payout: 'settling',
} as const satisfies Record<WaitKind, Order['phase']>;

const state = (order: Order): ExecutionState => executionState(order, now(), waitSettings(), policy());

async function activeOrder(postingNumber: string): Promise<Order> {
  const order = await requireOrder(postingNumber);
  // A step that finds the posting cancelled stops before its side effect; the Catch releases the stock.
  if (isCancelled(order.status)) throw new PostingCancelled(`Posting ${postingNumber} is cancelled`);
  return order;
}

/** ReceivePosting: Ozon's view of the posting becomes our order record. */
export async function receivePosting(input: z.infer<typeof ReceiveInput>): Promise<ExecutionState> {
  const { result: posting } = await ozon().call('getPosting', {
    posting_number: input.postingNumber,
    with: { analytics_data: true, financial_data: true },
  });
  const { order } = await createOrder({ ...orderFromPosting(posting, nowIso()), executionArn: input.executionArn });
  if (isCancelled(order.status)) throw new PostingCancelled(`Posting ${order.postingNumber} arrived cancelled`);
  return state(order);
}

/** ReserveStock: every line or none; a second run finds the posting reserved. */
export async function reserveStock(input: z.infer<typeof StepInput>): Promise<ExecutionState> {
  const order = await activeOrder(input.postingNumber);
  const result = await reserve(order, nowIso());
  if (!result.reserved) {
    const waiting = await updateOrder(order.postingNumber, { phase: 'awaiting_stock' });
    await sendAlert(waiting, {
      kind: 'out_of_stock',
      lines: result.shortages.map((s) => ({ offerId: s.offerId, missing: s.missing })),
      deadline: restockDeadline(order, waitSettings()),
    });
    throw new StockShort(JSON.stringify(result.shortages));
  }
  return state(order);
}

const SHIP_REFUSALS = ['HAS_INCORRECT_STATUS', 'HAS_INCORRECT_PRODUCT_QUANTITY'];

/**
 * ConfirmPosting: asks Ozon to assemble. Ozon assembles asynchronously, so the answer only means "accepted";
 * AwaitAssembly waits for the status. A second ship answers POSTING_ALREADY_SHIPPED, which is success.
 */
export async function confirmPosting(input: z.infer<typeof StepInput>): Promise<ExecutionState> {
  const order = await activeOrder(input.postingNumber);
  if (isAssembled(order.status)) return state(order);
  if (order.shipAttempts >= MAX_SHIP_ATTEMPTS) {
    await sendAlert(order, {
      kind: 'ship_refused',
      reason: `assembly failed ${order.shipAttempts} times`,
      deadline: order.shipmentDate,
    });
    throw new ShipRefused(`Assembly of ${order.postingNumber} failed ${order.shipAttempts} times`);
  }
  try {
    await ozon().call('ship', {
      posting_number: order.postingNumber,
      packages: [{ products: order.lines.map((l) => ({ product_id: l.sku, quantity: l.qty })) }],
      with: { additional_data: false },
    });
  } catch (e) {
    if (!(e instanceof OzonRequestRejected)) throw e;
    if (e.ozonMessage.includes('POSTING_ALREADY_SHIPPED')) {
      // Accepted by an earlier attempt whose answer we lost: fall through to the status check.
    } else if (e.ozonMessage.includes('POSTING_ALREADY_CANCELLED')) {
      await updateOrder(order.postingNumber, { status: 'cancelled' });
      throw new PostingCancelled(`Ozon says ${order.postingNumber} is already cancelled`);
    } else if (e.ozonMessage.includes('EXEMPLAR_INFO_NOT_FILLED_COMPLETELY')) {
      await sendAlert(order, { kind: 'marking_codes_required', deadline: order.shipmentDate });
      throw new MarkingCodesRequired(e.message, { cause: e });
    } else {
      const reason = SHIP_REFUSALS.find((r) => e.ozonMessage.includes(r)) ?? e.ozonMessage;
      await sendAlert(order, { kind: 'ship_refused', reason, deadline: order.shipmentDate });
      throw new ShipRefused(e.message, { cause: e });
    }
  }
  const updated = await updateOrder(order.postingNumber, {
    phase: 'confirming',
    shipAttempts: order.shipAttempts + 1,
    substatus: 'ship_requested',
  });
  return state(updated);
}

/**
 * Every Await* state: stores the task token on the order, then checks whether what it waits for already
 * happened. The execution resumes when someone calls SendTaskSuccess/Failure with this token.
 */
export async function awaitEvent(input: z.infer<typeof WaitInput>): Promise<{ stored: true }> {
  const t = now();
  // Only the restock wait has a deadline that can move (a cutoff change); only it needs the order first.
  const deadlineAt =
    input.waitFor === 'restock' ? restockDeadline(await requireOrder(input.postingNumber), waitSettings()) : undefined;
  // Phase and wait in one write: the order item is billed per write, and this runs for every wait of every posting.
  const order = await setWait(
    input.postingNumber,
    {
      on: input.waitFor,
      token: input.token,
      since: new Date(t).toISOString(),
      timeoutAt: new Date(t + input.timeoutSeconds * 1000).toISOString(),
      deadlineAt,
    },
    WAIT_PHASE[input.waitFor],
  );
  await deliverToWait(order);
  return { stored: true };
}

let s3: S3Client | undefined;

/** PackAndLabel: the packing list (handling notes for fragile goods) and, once assembled, Ozon's label PDF. */
export async function packAndLabel(input: z.infer<typeof StepInput>): Promise<ExecutionState> {
  const order = await activeOrder(input.postingNumber);
  const stock = await getStock(
    order.warehouseId,
    order.lines.map((l) => l.offerId),
  );
  const handling = new Map([...stock].map(([offerId, item]) => [offerId, item.handling]));
  let labelKey = order.labelKey;
  if (!labelKey && order.schema === 'fbs') {
    labelKey = await fetchLabel(order);
  }
  const packed = { packingList: packingList(order.lines, handling), labelKey };
  // A retry finds the stock already taken; then only the packing result is written.
  if (!(await consume(order, nowIso(), packed))) {
    await updateOrder(order.postingNumber, { phase: 'packing', ...packed });
  }
  // Packing changes none of the dates the wait timeouts come from: no need to read the order back.
  return state(order);
}

/**
 * Ozon serves the label only in `awaiting_deliver`. Refused earlier, it is not ready yet (retried by the state
 * machine); refused because the parcel already moved on (picked up), there is nothing left to print.
 */
async function fetchLabel(order: Order): Promise<string | undefined> {
  let pdf: Uint8Array;
  try {
    pdf = await ozon().packageLabel([order.postingNumber]);
  } catch (e) {
    if (!(e instanceof OzonRequestRejected && /aren't ready|not ready/i.test(e.ozonMessage))) throw e;
    const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
    // Only `awaiting_deliver` serves a label; a parcel that already moved on (picked up, refused) needs none.
    if (posting.status !== 'awaiting_deliver' && posting.status !== 'awaiting_packaging') return undefined;
    throw new LabelNotReady(e.message, { cause: e });
  }
  const key = `labels/${order.postingNumber}.pdf`;
  const bucket = config().LABELS_BUCKET;
  if (bucket) {
    s3 ??= new S3Client({ forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: pdf, ContentType: 'application/pdf' }));
  }
  return key;
}

/** RegisterShipment: FBS is ready for Ozon's pickup; rFBS needs the seller's carrier and its tracking number. */
export async function registerShipment(input: z.infer<typeof StepInput>): Promise<ExecutionState> {
  const order = await activeOrder(input.postingNumber);
  if (order.schema === 'rfbs' && !order.trackingNumber) {
    await sendAlert(order, {
      kind: 'rfbs_handover',
      deadline: order.shipmentDate,
      callbackPath: 'POST /carrier/tracking {"postingNumber","trackingNumber"}',
    });
  }
  return state(await updateOrder(order.postingNumber, { phase: 'shipping' }));
}

const perItemError = (r: { result: { posting_number: string; result: boolean; error?: string | string[] | null }[] }) =>
  r.result.filter((x) => !x.result).map((x) => [x.error].flat().join(', ') || 'unknown error');

/** SetTrackingNumber (rFBS): the carrier's tracking number goes to Ozon, then the posting is `delivering`. */
export async function setTrackingNumber(input: z.infer<typeof StepInput>): Promise<ExecutionState> {
  const order = await activeOrder(input.postingNumber);
  const pn = order.postingNumber;
  const tracking = await ozon().call('setTrackingNumbers', {
    tracking_numbers: [{ posting_number: pn, tracking_number: order.trackingNumber }],
  });
  const trackingErrors = perItemError(tracking);
  if (trackingErrors.length) throw new ShipRefused(`Ozon refused tracking number for ${pn}: ${trackingErrors}`);
  if (order.status !== 'delivering' && order.status !== 'delivered') {
    const delivering = await ozon().call('markDelivering', { posting_number: [pn] });
    const errors = perItemError(delivering).filter((e) => !e.includes('TRANSITION_IS_NOT_POSSIBLE'));
    if (errors.length) throw new ShipRefused(`Ozon refused "delivering" for ${pn}: ${errors}`);
  }
  return state(await updateOrder(pn, { phase: 'in_transit' }));
}

/**
 * CheckTracking: a delivery wait timed out (the status SLA or the delivery window). Ask Ozon once — a push may
 * have been lost; if the status moved, record it and AwaitDelivery resolves or waits on the new status. If not,
 * escalate: alert the seller, tell the buyer through Ozon chat where that is allowed, and after the configured
 * number of checks raise "possibly lost".
 */
export async function checkTracking(input: z.infer<typeof StepInput>): Promise<ExecutionState> {
  const order = await activeOrder(input.postingNumber);
  const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
  const actions = posting.available_actions ?? [];
  if (posting.status !== order.status) {
    await recordStatus(order.postingNumber, posting.status, posting.substatus ?? undefined, nowIso(), 'poll', {
      availableActions: actions,
    });
    return state(await requireOrder(order.postingNumber));
  }
  const t = now();
  const windowEnd = order.deliveryDateEnd ? Date.parse(order.deliveryDateEnd) : Number.NaN;
  if (!Number.isNaN(windowEnd) && t >= windowEnd && order.status !== 'delivered') {
    await sendAlert(order, { kind: 'delivery_window_passed', deadline: order.deliveryDateEnd });
  }
  const stalled = Date.parse(stallDeadline(order, waitSettings()) ?? '') <= t;
  if (!stalled) return state(await updateOrder(order.postingNumber, { availableActions: actions }));

  const checks = (order.escalations.stall ?? 0) + 1;
  let updated = await updateOrder(order.postingNumber, {
    availableActions: actions,
    escalations: { ...order.escalations, stall: checks },
    // The next check comes one SLA later: measure it from now, not from the last status change.
    lastStatusAt: new Date(t).toISOString(),
  });
  await sendAlert(updated, {
    kind: 'delivery_stalled',
    status: order.status,
    since: order.lastStatusAt,
    deadline: order.deliveryDateEnd,
  });
  // The buyer hears it once; the seller hears every escalation.
  if (actions.includes('can_create_chat') && !order.escalations.buyerTold) {
    const { chat_id } = (await ozon().call('startChat', { posting_number: order.postingNumber })).result;
    const text = config().BUYER_STALL_MESSAGE.replaceAll('{posting}', order.postingNumber);
    await ozon().call('sendChatMessage', { chat_id, text });
    updated = await updateOrder(order.postingNumber, {
      escalations: { ...updated.escalations, buyerTold: (updated.escalations.buyerTold ?? 0) + 1 },
    });
  }
  if (checks >= config().MAX_STALL_ESCALATIONS) {
    await sendAlert(updated, { kind: 'possibly_lost', status: order.status, since: order.lastStatusAt, checks });
  }
  return state(updated);
}

/**
 * DecideShortStock: the restock wait ended without stock (deadline, or the deadline moved). Wait on if there is
 * still time, reserve again if stock came in, cancel the missing lines if the seller allows it, else cancel.
 */
export async function decideShortStock(input: z.infer<typeof StepInput>) {
  const order = await activeOrder(input.postingNumber);
  const { wanted, short } = await currentShortages(order);
  const deadline = Date.parse(restockDeadline(order, waitSettings()) ?? '');
  const decision = shortStockDecision(wanted, short, deadline <= now(), config().PARTIAL_CANCEL);
  return { ...state(order), decision };
}

/** What the posting wants per offer, and what of it the seller's stock cannot cover right now. */
async function currentShortages(order: Order) {
  const wanted = reservationLines(order.lines);
  return {
    wanted,
    short: shortages(
      wanted,
      await getStock(
        order.warehouseId,
        wanted.map((l) => l.offerId),
      ),
    ),
  };
}

/** CancelShortLines: Ozon cancels only the missing quantities (reason 352); the posting then ships the rest. */
export async function cancelShortLines(input: z.infer<typeof StepInput>): Promise<ExecutionState> {
  const order = await activeOrder(input.postingNumber);
  const { short } = await currentShortages(order);
  const remaining = order.lines
    .map((line) => {
      const s = short.find((x) => x.offerId === line.offerId);
      return s ? { ...line, qty: Math.min(line.qty, s.available) } : line;
    })
    .filter((line) => line.qty > 0);
  if (remaining.length === 0) throw new NothingToShip(`No line of ${order.postingNumber} can be shipped`);
  const items = short.map((s) => ({
    sku: order.lines.find((l) => l.offerId === s.offerId)?.sku,
    quantity: s.missing,
  }));
  await ozon().call('cancelProducts', {
    posting_number: order.postingNumber,
    cancel_reason_id: 352,
    cancel_reason_message: 'Product is out of stock',
    items,
  });
  // What Ozon will pay changes with the lines: take the new expected payout from Ozon, not from our arithmetic.
  const { result: posting } = await ozon().call('getPosting', {
    posting_number: order.postingNumber,
    with: { financial_data: true },
  });
  const updated = await updateOrder(order.postingNumber, {
    lines: remaining,
    expectedPayout: orderFromPosting(posting, nowIso()).expectedPayout,
  });
  await sendAlert(updated, {
    kind: 'partial_cancel',
    lines: short.map((s) => ({ offerId: s.offerId, missing: s.missing })),
  });
  return state(updated);
}

/** RemindPacking: the warehouse has not confirmed "packed"; remind, and raise it when the deadline passed. */
export async function remindPacking(input: z.infer<typeof StepInput>): Promise<ExecutionState> {
  const order = await activeOrder(input.postingNumber);
  const reminders = (order.escalations.packing ?? 0) + 1;
  if (reminders > MAX_PACKING_REMINDERS) {
    throw new PackingNeverConfirmed(`${order.postingNumber}: no packed confirmation after ${reminders - 1} reminders`);
  }
  const updated = await updateOrder(order.postingNumber, { escalations: { ...order.escalations, packing: reminders } });
  const missed = order.shipmentDate && Date.parse(order.shipmentDate) <= now();
  if (missed)
    await sendAlert(updated, {
      kind: 'confirmation_deadline_missed',
      deadline: order.shipmentDate,
      cost: lateCost(order),
    });
  else await sendAlert(updated, { kind: 'packing_reminder', deadline: order.shipmentDate });
  return state(updated);
}
const MAX_PACKING_REMINDERS = 24;

/** What a late shipment costs, from the posting's `tariffication`, in plain words for the alert. */
export function lateCost(order: Order): string {
  const t = order.tariffication;
  if (!t?.nextRate) return 'Late shipment may be charged by Ozon.';
  const from = t.nextStartsAt ? ` from ${t.nextStartsAt}` : '';
  return `Ozon's tariff changes to ${t.nextRate}%${t.nextType ? ` (${t.nextType})` : ''}${from}.`;
}

/** TrackingOverdue (rFBS): the carrier's tracking number is late. Alert; after three alerts give up. */
export async function trackingOverdue(input: z.infer<typeof StepInput>): Promise<ExecutionState> {
  const order = await activeOrder(input.postingNumber);
  const overdue = (order.escalations.tracking ?? 0) + 1;
  if (overdue > 3)
    throw new TrackingNumberMissing(`${order.postingNumber}: no tracking number after ${overdue - 1} alerts`);
  const updated = await updateOrder(order.postingNumber, { escalations: { ...order.escalations, tracking: overdue } });
  await sendAlert(updated, { kind: 'tracking_missing', deadline: order.shipmentDate });
  return state(updated);
}

export const DeliveryProblemInput = StepInput.extend({ problem: z.enum(['arbitration', 'not_accepted']) });

/** AlertDispute / AlertNotAccepted: Ozon or the buyer opened a dispute, or the sorting centre refused the parcel. */
export async function reportDeliveryProblem(input: z.infer<typeof DeliveryProblemInput>): Promise<ExecutionState> {
  const order = await requireOrder(input.postingNumber);
  if (input.problem === 'not_accepted') await sendAlert(order, { kind: 'not_accepted' });
  else await sendAlert(order, { kind: 'arbitration', status: order.status });
  return state(order);
}

/** SettlePayout: sums the posting's accruals and compares them with the expected payout. */
export async function settlePayout(input: z.infer<typeof StepInput>) {
  const order = await requireOrder(input.postingNumber);
  const { posting_accruals } = await ozon().call('accruals', { posting_numbers: [order.postingNumber] });
  const accruals: Accrual[] = (
    posting_accruals.find((p) => p.posting_number === order.postingNumber)?.accruals ?? []
  ).map((a) => ({ typeId: a.type_id, amount: Number(a.accrued.amount) }));
  const result = settle(order.expectedPayout, accruals, config().PAYOUT_TOLERANCE_RUB);
  const updated = await updateOrder(order.postingNumber, {
    phase: 'completed',
    accrued: result.actual,
    payout: { ...result, at: nowIso() },
  });
  if (result.verdict === 'missing') {
    await sendAlert(updated, { kind: 'payout_missing', expected: result.expected, currency: order.currency });
  } else if (result.verdict !== 'settled') {
    await sendAlert(updated, { kind: 'payout_mismatch', ...result, currency: order.currency });
  }
  return { ...state(updated), verdict: result.verdict };
}

/** ReleaseStock: on any cancellation, reserved units go back; a cancellation after handover needs the seller. */
export async function releaseStock(input: z.infer<typeof PostingRef>) {
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

/** CancelPosting: stock did not come in time; cancel on Ozon as "out of stock" (seller reason 352). */
export async function cancelPosting(input: z.infer<typeof PostingRef>) {
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

/**
 * Records a status seen by anyone (push, poll, step) once, and hands it to a waiting execution. An older
 * status arriving after a newer one is kept in the history but does not move the order back.
 */
export async function recordStatus(
  postingNumber: string,
  status: string,
  substatus: string | undefined,
  changedAt: string,
  source: 'push' | 'poll' | 'carrier',
  extra: Record<string, unknown> = {},
) {
  const at = new Date(changedAt).toISOString();
  const key = `status#${status}#${substatus ?? ''}#${at}`;
  const current = await getOrder(postingNumber);
  const stale = current !== undefined && current.lastStatusAt > at;
  const patch = stale
    ? extra
    : { status, substatus, lastStatusAt: at, ...(status === 'delivered' ? { deliveredAt: at } : {}), ...extra };
  const result = await recordEvent(postingNumber, key, { type: 'status', status, substatus, at, source }, patch);
  if (result && result !== 'recorded-before-order') await deliverToWait(result);
  return result;
}
