/**
 * The steps of OrderLifecycle, one function per state, in the order a posting meets them. Each reads the order,
 * does its one side effect idempotently, writes the order and returns the small execution state.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { sendAlert } from './alerts';
import { now, nowIso } from './clock';
import { config, waitSettings } from './config';
import {
  cancellationOf,
  type ExecutionState,
  executionState,
  isAssembled,
  isCancelled,
  type Order,
  orderFromPosting,
  WaitKind,
} from './domain/order';
import { type Accrual, settle } from './domain/settlement';
import { packingList } from './domain/stock';
import { LabelNotReady, OzonRequestRejected, PostingCancelled, ShipRefused, StockShort } from './errors';
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
  assembly: 'confirming',
  tracking: 'shipping',
  delivery: 'in_transit',
  payout: 'settling',
} as const;

const state = (order: Order): ExecutionState => executionState(order, now(), waitSettings());

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
    await sendAlert(order, {
      kind: 'out_of_stock',
      lines: result.shortages.map((s) => ({ offerId: s.offerId, missing: s.missing })),
      deadline: order.shipmentDate,
    });
    throw new StockShort(JSON.stringify(result.shortages));
  }
  return state(order);
}

const SHIP_REFUSALS = ['HAS_INCORRECT_STATUS', 'EXEMPLAR_INFO_NOT_FILLED_COMPLETELY', 'HAS_INCORRECT_PRODUCT_QUANTITY'];

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
  await updateOrder(input.postingNumber, { phase: WAIT_PHASE[input.waitFor] });
  const order = await setWait(input.postingNumber, {
    on: input.waitFor,
    token: input.token,
    since: new Date(t).toISOString(),
    timeoutAt: new Date(t + input.timeoutSeconds * 1000).toISOString(),
  });
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
  await consume(order, nowIso());
  const updated = await updateOrder(order.postingNumber, {
    phase: 'packing',
    packingList: packingList(order.lines, handling),
    labelKey,
  });
  return state(updated);
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
    if (isAssembled(posting.status) && posting.status !== 'awaiting_deliver') return undefined;
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
 * CheckTracking: a delivery wait timed out. Ask Ozon once (a push may have been lost); if the status moved,
 * record it — AwaitDelivery then resolves at once. If not, the seller hears about it.
 */
export async function checkTracking(input: z.infer<typeof StepInput>): Promise<ExecutionState> {
  const order = await activeOrder(input.postingNumber);
  const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
  if (posting.status !== order.status) {
    await recordStatus(order.postingNumber, posting.status, posting.substatus ?? undefined, nowIso(), 'poll');
  } else {
    await sendAlert(order, {
      kind: 'delivery_stalled',
      status: order.status,
      since: order.lastStatusAt,
      deadline: order.deliveryDateEnd,
    });
  }
  return state(await requireOrder(order.postingNumber));
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
  if (!cancellation) {
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
  await updateOrder(order.postingNumber, { status: 'cancelled', cancellation });
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
