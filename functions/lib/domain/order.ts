/**
 * The order as the product keeps it: one record per Ozon posting. Pure: no AWS, no I/O. The rules about what a
 * status means and when a wait is over live here so that the webhook, the poller and the waiting step agree.
 */
import { z } from 'zod';
import type { Posting } from '../ozon/schemas';

export const Schema = z.enum(['fbs', 'rfbs']);
export type Schema = z.infer<typeof Schema>;

export const WaitKind = z.enum(['assembly', 'tracking', 'delivery', 'payout']);
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
  source: z.enum(['push', 'poll', 'step', 'carrier']),
});
export type OrderEvent = z.infer<typeof OrderEvent>;

export const Wait = z.object({ on: WaitKind, token: z.string(), since: z.string(), timeoutAt: z.string() });
export type Wait = z.infer<typeof Wait>;

export const Phase = z.enum([
  'received',
  'reserved',
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
  return PUSH_STATE_TO_STATUS[state] ?? state.replace(/^posting_/, '');
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
    lastStatusAt: nowIso,
    cancellation: isCancelled(posting.status) ? cancellationOf(posting) : undefined,
  });
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
  switch (kind) {
    case 'assembly':
      if (isAssembled(order.status)) return { outcome: 'success' };
      if (order.substatus === 'ship_failed') {
        return { outcome: 'failure', error: 'ShipFailed', cause: 'Ozon reported ship_failed for the assembly' };
      }
      return { outcome: 'pending' };
    case 'tracking':
      return order.trackingNumber ? { outcome: 'success' } : { outcome: 'pending' };
    case 'delivery':
      return order.status === 'delivered' ? { outcome: 'success' } : { outcome: 'pending' };
    case 'payout':
      return order.accrued !== undefined && Math.abs(order.accrued - order.expectedPayout) < 0.005
        ? { outcome: 'success' }
        : { outcome: 'pending' };
  }
}

export interface WaitSettings {
  assemblyWaitSeconds: number;
  /** How long a parcel may sit in one transit status before the product checks on it. */
  transitStallSeconds: number;
  settlementWindowSeconds: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;
export const DEFAULT_WAIT_SETTINGS: WaitSettings = {
  assemblyWaitSeconds: 2 * HOUR,
  transitStallSeconds: 7 * DAY,
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

/**
 * Each wait's timeout, in seconds from now, derived from the posting. Passed in the execution's state so the
 * `TimeoutSecondsPath` of every wait reads a value computed by this one function.
 */
export function waitTimeouts(order: Order, nowMs: number, s: WaitSettings = DEFAULT_WAIT_SETTINGS) {
  const deliveryEnd = parsedOr(order.deliveryDateEnd, Number.NaN);
  const deliveryBy = Number.isNaN(deliveryEnd) ? undefined : deliveryEnd + 3 * DAY * 1000;
  const settleFrom = parsedOr(order.deliveredAt, nowMs);
  return {
    assembly: s.assemblyWaitSeconds,
    tracking: secondsUntil(order.shipmentDate, nowMs, DAY),
    delivery: Math.min(
      s.transitStallSeconds,
      deliveryBy ? Math.max(HOUR, Math.ceil((deliveryBy - nowMs) / 1000)) : s.transitStallSeconds,
    ),
    payout: Math.max(HOUR, Math.ceil((settleFrom + s.settlementWindowSeconds * 1000 - nowMs) / 1000)),
  } satisfies Record<WaitKind, number>;
}

/** What flows between states: the posting number and a few fields. The order itself stays in DynamoDB. */
export const ExecutionState = z.object({
  postingNumber: z.string(),
  schema: Schema,
  timeouts: z.record(WaitKind, z.number().int().positive()),
});
export type ExecutionState = z.infer<typeof ExecutionState>;

export function executionState(order: Order, nowMs: number, settings?: WaitSettings): ExecutionState {
  return { postingNumber: order.postingNumber, schema: order.schema, timeouts: waitTimeouts(order, nowMs, settings) };
}

export const round2 = (n: number) => Math.round(n * 100) / 100;
