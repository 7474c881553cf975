/**
 * The order as the product keeps it: one record per Ozon posting. Pure: no AWS, no I/O. The rules about what a
 * status means and when a wait is over live here so that the webhook, the poller and the waiting step agree.
 */
import { z } from 'zod';
import type { Posting } from '#shared/ozon/schemas';

export const Schema = z.enum(['fbs', 'rfbs']);
export type Schema = z.infer<typeof Schema>;

export const WaitKind = z.enum(['restock', 'packed', 'assembly', 'tracking', 'delivery', 'dispute', 'payout']);
export type WaitKind = z.infer<typeof WaitKind>;

export const OrderLine = z.object({
  sku: z.number().int(),
  offerId: z.string(),
  name: z.string(),
  qty: z.number().int().positive(),
  price: z.number().nonnegative(),
});
export type OrderLine = z.infer<typeof OrderLine>;

export const OrderEvent = z.object({
  type: z.string(),
  status: z.string().optional(),
  substatus: z.string().optional(),
  at: z.string(),
  source: z.enum(['push', 'poll', 'step', 'seller']),
});
export type OrderEvent = z.infer<typeof OrderEvent>;

export const Wait = z.object({
  on: WaitKind,
  token: z.string(),
  since: z.string(),
  timeoutAt: z.string(),
  /** A deadline that can move while the wait is in flight (TYPE_CUTOFF_DATE_CHANGED); the poller enforces it. */
  deadlineAt: z.string().optional(),
});
export type Wait = z.infer<typeof Wait>;

export const Phase = z.enum([
  'received',
  'awaiting_stock',
  'reserved',
  'awaiting_packed',
  'confirming',
  'packing',
  'shipping',
  'in_transit',
  'settling',
  'completed',
  'cancelled',
]);
export type Phase = z.infer<typeof Phase>;

export const Order = z.object({
  postingNumber: z.string(),
  status: z.string(),
  substatus: z.string().optional(),
  phase: Phase,
  schema: Schema,
  tplIntegrationType: z.string(),
  warehouseId: z.number(),
  lines: z.array(OrderLine).min(1),
  shipmentDate: z.string().optional(),
  deliveryDateEnd: z.string().optional(),
  expectedPayout: z.number(),
  currency: z.string(),
  trackingNumber: z.string().optional(),
  wait: Wait.optional(),
  events: z.record(z.string(), OrderEvent).default({}),
  lastStatusAt: z.string(),
  deliveredAt: z.string().optional(),
  restockedAt: z.string().optional(),
  packedAt: z.string().optional(),
  availableActions: z.array(z.string()).default([]),
  /** How often each kind of escalation (stalled parcel, missing tracking number) has fired. */
  escalations: z.record(z.string(), z.number().int()).default({}),
  tariffication: z
    .object({ nextRate: z.number().optional(), nextType: z.string().optional(), nextStartsAt: z.string().optional() })
    .optional(),
  executionArn: z.string().optional(),
  reservedAt: z.string().optional(),
  shipAttempts: z.number().int().default(0),
  labelKey: z.string().optional(),
  packingList: z.array(z.string()).optional(),
  cancellation: z
    .object({ reasonId: z.number().optional(), reason: z.string(), initiator: z.string(), afterShip: z.boolean() })
    .optional(),
  payout: z
    .object({ expected: z.number(), actual: z.number(), difference: z.number(), verdict: z.string(), at: z.string() })
    .optional(),
  accrued: z.number().optional(),
  alerts: z.array(z.object({ kind: z.string(), severity: z.string(), at: z.string() })).default([]),
});
export type Order = z.infer<typeof Order>;

/** Statuses after which the parcel has left the seller: assembly is over. */
const ASSEMBLED = new Set([
  'awaiting_registration',
  'acceptance_in_progress',
  'awaiting_deliver',
  'driver_pickup',
  'delivering',
  'delivered',
  'arbitration',
  'client_arbitration',
]);
const CANCELLED = new Set(['cancelled', 'cancelled_from_split_pending']);

export const isCancelled = (status: string) => CANCELLED.has(status);
export const isAssembled = (status: string) => ASSEMBLED.has(status);

/**
 * Push `new_state` → API `status`, from Ozon's mapping table. Unknown `posting_<x>` names map to `<x>`, which is
 * Ozon's own rule for everything the table does not list.
 */
const PUSH_STATE_TO_STATUS: Record<string, string> = {
  posting_created: 'awaiting_packaging',
  posting_transferring_to_delivery: 'awaiting_deliver',
  posting_in_carriage: 'awaiting_deliver',
  posting_not_in_carriage: 'awaiting_deliver',
  posting_on_way_to_city: 'delivering',
  posting_transferred_to_courier_service: 'delivering',
  posting_in_courier_service: 'delivering',
  posting_on_way_to_pickup_point: 'delivering',
  posting_in_pickup_point: 'delivering',
  posting_conditionally_delivered: 'delivering',
  posting_delivered: 'delivered',
  posting_received: 'delivered',
  posting_canceled: 'cancelled',
  posting_cancelled: 'cancelled',
  posting_not_in_sort_center: 'not_accepted',
  posting_in_arbitration: 'arbitration',
  posting_in_client_arbitration: 'client_arbitration',
  posting_driver_pick_up: 'driver_pickup',
};
export function statusFromPushState(state: string): string {
  // Own properties only: a push saying "constructor" must not find Object.prototype's.
  return Object.hasOwn(PUSH_STATE_TO_STATUS, state)
    ? (PUSH_STATE_TO_STATUS[state] as string)
    : state.replace(/^posting_/, '');
}

export function orderFromPosting(posting: Posting, nowIso: string): Order {
  const financial = posting.financial_data?.products ?? [];
  const expectedPayout = round2(financial.reduce((sum, p) => sum + p.payout, 0));
  const tpl = posting.tpl_integration_type ?? 'ozon';
  return Order.parse({
    postingNumber: posting.posting_number,
    status: posting.status,
    substatus: posting.substatus ?? undefined,
    phase: 'received',
    // Ozon's own logistics is FBS to us; wherever the seller registers the parcel with a carrier, it is rFBS.
    schema: tpl === 'non_integrated' || tpl === 'aggregator' || tpl === '3pl_tracking' ? 'rfbs' : 'fbs',
    tplIntegrationType: tpl,
    warehouseId: posting.delivery_method?.warehouse_id ?? 0,
    lines: posting.products.map((p) => ({
      sku: p.sku,
      offerId: p.offer_id,
      name: p.name,
      qty: p.quantity,
      price: Number(p.price),
    })),
    shipmentDate: posting.shipment_date ?? undefined,
    deliveryDateEnd: posting.analytics_data?.delivery_date_end ?? undefined,
    expectedPayout,
    currency: posting.products[0]?.currency_code ?? 'RUB',
    trackingNumber: posting.tracking_number || undefined,
    availableActions: posting.available_actions ?? [],
    tariffication: tarifficationOf(posting),
    lastStatusAt: nowIso,
    cancellation: isCancelled(posting.status) ? cancellationOf(posting) : undefined,
  });
}

function tarifficationOf(posting: Posting): Order['tariffication'] {
  const t = [posting.tariffication].flat()[0];
  if (!t) return undefined;
  return {
    nextRate: t.next_tariff_rate ?? undefined,
    nextType: t.next_tariff_type || undefined,
    nextStartsAt: t.next_tariff_starts_at || undefined,
  };
}

export function cancellationOf(posting: Pick<Posting, 'cancellation'>): NonNullable<Order['cancellation']> {
  const c = posting.cancellation;
  return {
    reasonId: c?.cancel_reason_id ?? undefined,
    reason: c?.cancel_reason || 'not given',
    initiator: c?.cancellation_initiator || c?.cancellation_type || 'unknown',
    afterShip: c?.cancelled_after_ship ?? false,
  };
}

export type WaitOutcome =
  | { outcome: 'pending' }
  | { outcome: 'success' }
  | { outcome: 'failure'; error: string; cause: string };

/**
 * Whether what a wait waits for has happened, judged from the order record alone. The waiting step asks this
 * right after storing its token (an event may have arrived while an earlier step ran); whoever records a new
 * event asks it again. Both sides see each other's write because both are single-item updates.
 */
export function evaluateWait(order: Order, kind: WaitKind): WaitOutcome {
  if (isCancelled(order.status)) {
    return { outcome: 'failure', error: 'PostingCancelled', cause: `Posting ${order.postingNumber} was cancelled` };
  }
  const since = order.wait?.on === kind ? order.wait.since : '';
  switch (kind) {
    case 'restock':
      return order.restockedAt && order.restockedAt >= since ? { outcome: 'success' } : { outcome: 'pending' };
    case 'packed':
      return order.packedAt ? { outcome: 'success' } : { outcome: 'pending' };
    case 'assembly':
      if (isAssembled(order.status)) return { outcome: 'success' };
      if (order.substatus === 'ship_failed') {
        return { outcome: 'failure', error: 'ShipFailed', cause: 'Ozon reported ship_failed for the assembly' };
      }
      return { outcome: 'pending' };
    case 'tracking':
      return order.trackingNumber ? { outcome: 'success' } : { outcome: 'pending' };
    case 'delivery':
      if (order.status === 'delivered') return { outcome: 'success' };
      if (order.status === 'not_accepted') {
        return { outcome: 'failure', error: 'NotAccepted', cause: 'The sorting centre did not accept the parcel' };
      }
      if (DISPUTED.has(order.status)) {
        return { outcome: 'failure', error: 'InArbitration', cause: `The posting is in ${order.status}` };
      }
      return { outcome: 'pending' };
    case 'dispute':
      return DISPUTED.has(order.status) ? { outcome: 'pending' } : { outcome: 'success' };
    case 'payout':
      return order.accrued !== undefined && Math.abs(order.accrued - order.expectedPayout) < 0.005
        ? { outcome: 'success' }
        : { outcome: 'pending' };
  }
}

const DISPUTED = new Set(['arbitration', 'client_arbitration']);

export interface WaitSettings {
  /** Decide about short stock this long before shipment_date: assembly still has to happen after it. */
  assemblyBufferSeconds: number;
  /** Remind the warehouse this often while a required "packed" confirmation is missing. */
  packedReminderSeconds: number;
  assemblyWaitSeconds: number;
  /** After shipment_date, how long the seller's carrier may take to send the tracking number. */
  trackingGraceSeconds: number;
  /** SLA: `awaiting_deliver` this long past shipment_date is stalled. */
  handoverStallSeconds: number;
  /** SLA: `delivering` (or any transit status) this long without a change is stalled. */
  transitStallSeconds: number;
  disputeWaitSeconds: number;
  settlementWindowSeconds: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;
export const DEFAULT_WAIT_SETTINGS: WaitSettings = {
  assemblyBufferSeconds: 4 * HOUR,
  packedReminderSeconds: 2 * HOUR,
  assemblyWaitSeconds: 2 * HOUR,
  trackingGraceSeconds: DAY,
  handoverStallSeconds: DAY,
  transitStallSeconds: 5 * DAY,
  disputeWaitSeconds: 14 * DAY,
  settlementWindowSeconds: 14 * DAY,
};

/** Seconds from now until a date; an absent or unreadable date gives the fallback, never NaN. */
function secondsUntil(iso: string | undefined, nowMs: number, fallback: number): number {
  const at = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(at) ? fallback : Math.max(60, Math.ceil((at - nowMs) / 1000));
}
const parsedOr = (iso: string | undefined, fallback: number) => {
  const at = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(at) ? fallback : at;
};
const plusSeconds = (iso: string | undefined, seconds: number) => {
  const at = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(at) ? undefined : new Date(at + seconds * 1000).toISOString();
};

/** When short stock must be decided: shipment_date minus the assembly buffer. */
export function restockDeadline(order: Order, s: WaitSettings = DEFAULT_WAIT_SETTINGS): string | undefined {
  return plusSeconds(order.shipmentDate, -s.assemblyBufferSeconds);
}

/** When the parcel counts as stalled in its current status (the per-status SLA). */
export function stallDeadline(order: Order, s: WaitSettings = DEFAULT_WAIT_SETTINGS): string | undefined {
  if (order.status === 'awaiting_deliver' || isCancelled(order.status) || order.status === 'awaiting_packaging') {
    // Not picked up: stalled one grace period after shipment_date, and one more after each check that escalated
    // (CheckTracking moves lastStatusAt), so checks do not repeat back to back once the first grace has passed.
    const candidates = [order.shipmentDate, order.lastStatusAt]
      .map((iso) => plusSeconds(iso, s.handoverStallSeconds))
      .filter((iso): iso is string => iso !== undefined)
      .sort();
    return candidates.at(-1);
  }
  return plusSeconds(order.lastStatusAt, s.transitStallSeconds);
}

/**
 * Each wait's timeout, in seconds from now, derived from the posting. Passed in the execution's state so the
 * `TimeoutSecondsPath` of every wait reads a value computed by this one function.
 */
export function waitTimeouts(order: Order, nowMs: number, s: WaitSettings = DEFAULT_WAIT_SETTINGS) {
  const settleFrom = parsedOr(order.deliveredAt, nowMs);
  const shipment = parsedOr(order.shipmentDate, Number.NaN);
  const trackingBy = Number.isNaN(shipment) || shipment < nowMs ? undefined : order.shipmentDate;
  const deliveryEnd = parsedOr(order.deliveryDateEnd, Number.NaN);
  const stall = secondsUntil(stallDeadline(order, s), nowMs, s.transitStallSeconds);
  // The delivery window promised to the buyer also ends a wait, so its passing is noticed on time.
  const window =
    Number.isNaN(deliveryEnd) || deliveryEnd < nowMs ? stall : secondsUntil(order.deliveryDateEnd, nowMs, stall);
  return {
    restock: secondsUntil(restockDeadline(order, s), nowMs, s.packedReminderSeconds),
    // Remind at the reminder interval, and once exactly at shipment_date; after it, keep the interval.
    packed: trackingBy
      ? Math.min(s.packedReminderSeconds, secondsUntil(trackingBy, nowMs, DAY))
      : s.packedReminderSeconds,
    assembly: s.assemblyWaitSeconds,
    tracking: trackingBy ? secondsUntil(trackingBy, nowMs, DAY) : s.trackingGraceSeconds,
    delivery: Math.min(stall, window),
    dispute: s.disputeWaitSeconds,
    payout: Math.max(HOUR, Math.ceil((settleFrom + s.settlementWindowSeconds * 1000 - nowMs) / 1000)),
  } satisfies Record<WaitKind, number>;
}

/** What flows between states: the posting number and a few fields. The order itself stays in DynamoDB. */
export const ExecutionState = z.object({
  postingNumber: z.string(),
  schema: Schema,
  timeouts: z.record(WaitKind, z.number().int().positive()),
  /** The seller's policy: the warehouse confirms "packed" before the product asks Ozon to assemble. */
  requirePacked: z.boolean(),
});
export type ExecutionState = z.infer<typeof ExecutionState>;

export function executionState(
  order: Order,
  nowMs: number,
  settings?: WaitSettings,
  policy: { requirePacked: boolean } = { requirePacked: false },
): ExecutionState {
  return {
    postingNumber: order.postingNumber,
    schema: order.schema,
    timeouts: waitTimeouts(order, nowMs, settings),
    requirePacked: policy.requirePacked,
  };
}

export const round2 = (n: number) => Math.round(n * 100) / 100;
