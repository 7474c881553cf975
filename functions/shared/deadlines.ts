/**
 * Deadlines and wait timeouts derived from the posting, and the small execution state that carries them between
 * states (every `TimeoutSecondsPath` reads a value computed here). Pure.
 */
import * as z from 'zod/mini';
import { type Order, Schema, WaitKind } from './order';
import { isCancelled } from './status';

export interface WaitSettings {
  /** Decide about short stock this long before shipment_date: assembly still has to happen after it. */
  assemblyBufferSeconds: number;
  /** Remind the warehouse this often while a required "packed" confirmation is missing. */
  packedReminderSeconds: number;
  assemblyWaitSeconds: number;
  /** Ask the seller again this often for marking codes or a box count still missing. */
  marksReminderSeconds: number;
  /** How long Ozon may take to register an aggregator's parcel with the carrier before it is looked at again. */
  registrationWaitSeconds: number;
  /** After shipment_date, how long the seller's carrier may take to send the tracking number. */
  trackingGraceSeconds: number;
  /** SLA: an rFBS parcel `awaiting_deliver` this long past shipment_date is stalled (FBS: the transit SLA). */
  handoverStallSeconds: number;
  /** SLA: `delivering` (or any transit status) this long without a change is stalled. */
  transitStallSeconds: number;
  disputeWaitSeconds: number;
  settlementWindowSeconds: number;
  /** A posting that needs the seller is re-checked with Ozon this often, and the seller reminded. */
  attentionRecheckSeconds: number;
  /** A buyer's cancellation request is answered this long before Ozon approves it itself. */
  cancellationMarginSeconds: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;
export const DEFAULT_WAIT_SETTINGS: WaitSettings = {
  assemblyBufferSeconds: 4 * HOUR,
  packedReminderSeconds: 2 * HOUR,
  assemblyWaitSeconds: 2 * HOUR,
  registrationWaitSeconds: 6 * HOUR,
  marksReminderSeconds: 6 * HOUR,
  trackingGraceSeconds: DAY,
  handoverStallSeconds: DAY,
  transitStallSeconds: 5 * DAY,
  disputeWaitSeconds: 14 * DAY,
  settlementWindowSeconds: 14 * DAY,
  attentionRecheckSeconds: DAY,
  cancellationMarginSeconds: 2 * HOUR,
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
    // An FBS parcel leaves with its carriage at the shipment date (the cutoff), and whether it did is its carriage's
    // check (CheckHandover, an hour after): from the shipment date it is a parcel in transit, watched by the transit
    // SLA. With the short grace every FBS parcel would be looked at once in transit (an Ozon call and two
    // transitions each), since its `delivering` push cannot move a wait's timeout.
    const grace =
      order.status === 'awaiting_deliver' && order.schema === 'fbs' ? s.transitStallSeconds : s.handoverStallSeconds;
    const candidates = [order.shipmentDate, order.lastStatusAt]
      .map((iso) => plusSeconds(iso, grace))
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
    // Ozon's approval: looked at again (ReceivePosting) at the shipment date, then daily.
    approval: trackingBy ? secondsUntil(trackingBy, nowMs, DAY) : DAY,
    // The seller's marking codes: asked for again at a fixed interval. A constant, because the wait is re-entered
    // after a step that failed (the state keeps the timeouts computed before it); the shipment date itself is the
    // deadline sweep's to warn about (the posting is in the `due` sweep meanwhile).
    marks: s.marksReminderSeconds,
    // Remind at the reminder interval, and once exactly at shipment_date; after it, keep the interval.
    packed: trackingBy
      ? Math.min(s.packedReminderSeconds, secondsUntil(trackingBy, nowMs, DAY))
      : s.packedReminderSeconds,
    // The warehouse's quality check: reminded like the packed confirmation (it is the same warehouse's work).
    quality: trackingBy
      ? Math.min(s.packedReminderSeconds, secondsUntil(trackingBy, nowMs, DAY))
      : s.packedReminderSeconds,
    assembly: s.assemblyWaitSeconds,
    registration: s.registrationWaitSeconds,
    tracking: trackingBy ? secondsUntil(trackingBy, nowMs, DAY) : s.trackingGraceSeconds,
    // An FBS parcel's missed carriage is not this wait's to notice: its carriage's Handover execution looks at all of
    // the carriage's parcels with one Ozon call an hour after the cutoff (functions/handover/check-handover.ts).
    delivery: Math.min(stall, window),
    dispute: s.disputeWaitSeconds,
    payout: Math.max(HOUR, Math.ceil((settleFrom + s.settlementWindowSeconds * 1000 - nowMs) / 1000)),
    attention: s.attentionRecheckSeconds,
    // The seller's answer to a cancellation request, until the margin before Ozon approves it itself.
    cancellation: order.cancellationRequest?.autoApproveAt
      ? secondsUntil(plusSeconds(order.cancellationRequest.autoApproveAt, -s.cancellationMarginSeconds), nowMs, HOUR)
      : HOUR,
  } satisfies Record<WaitKind, number>;
}

/** What flows between states: the posting number and a few fields. The order itself stays in DynamoDB. */
export const ExecutionState = z.object({
  postingNumber: z.string(),
  schema: Schema,
  timeouts: z.record(WaitKind, z.int().check(z.positive())),
});
export type ExecutionState = z.infer<typeof ExecutionState>;

export function executionState(order: Order, nowMs: number, settings?: WaitSettings): ExecutionState {
  return { postingNumber: order.postingNumber, schema: order.schema, timeouts: waitTimeouts(order, nowMs, settings) };
}

/**
 * Whether a run of a periodic job (the poller's payout sweep, its daily stock check) is the first of its period:
 * the period of `everyHours` on the clock has changed since the previous run. A first run (none before) is.
 */
export function firstRunOfPeriod(previousRunMs: number | undefined, nowMs: number, everyHours: number): boolean {
  if (previousRunMs === undefined) return true;
  const period = everyHours * 3600_000;
  return Math.floor(nowMs / period) > Math.floor(previousRunMs / period);
}
