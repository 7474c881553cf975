/**
 * Postings the product has never seen: created at a later status, as if the seller had assembled them by hand in
 * the Ozon cabinet (and they were then handed over / delivered / cancelled). Ozon sends no TYPE_NEW_POSTING for
 * them here — the product has to find them with its catch-up poll — and they move on from the current status like
 * any other posting.
 *
 * The history is back-dated from "now" (the moment the posting reached its current status):
 *
 *   created ── lead ──> assembled ── handover ──> handed over (delivering_date) ── transit ──> delivered
 *
 * `lead` is how long the seller took to assemble it (1 h, or half the shipment SLA if that is shorter), so that
 * shipment_date (the assembly deadline, docs/14-fbs.md) falls after the assembly. Once handed over, shipment_date
 * is clamped to the hand-over moment: it is in the past for a parcel that already left the warehouse.
 */
import { BUYER_CANCEL_REASON, tplOf } from './catalogue.js';
import type { Posting, TaskKind } from './model.js';
import type { Timing } from './types.js';
import { HOUR } from './util.js';

export const START_AT = ['awaiting_packaging', 'awaiting_deliver', 'delivering', 'delivered', 'cancelled'] as const;
export type StartAt = (typeof START_AT)[number];

/** How long before its assembly an adopted posting was bought, at most (sandbox choice). */
const MAX_LEAD_MS = HOUR;
/** analytics_data.delivery_date_begin is this long before delivery_date_end (as for new postings) */
const DELIVERY_SLOT_MS = 4 * HOUR;

export interface NextTransition {
  kind: TaskKind;
  /** simulated ms from now */
  delay: number;
}

/**
 * Rewrites a freshly created `awaiting_packaging` posting (created at `now`, with its SLA and delivery window
 * already applied) into one at `startAt`; returns the transitions to schedule from now on.
 */
export function adopt(p: Posting, startAt: Exclude<StartAt, 'awaiting_packaging'>, t: Timing, now: number) {
  const sla = p.shipmentDate - p.createdAt;
  const window = p.deliveryEnd - p.createdAt;
  const lead = Math.min(MAX_LEAD_MS, Math.floor(sla / 2));
  const rfbs = p.schema === 'rfbs';
  const tpl = tplOf(p);
  // an rFBS carrier (aggregator, 3pl_tracking) moves the parcel on by itself, as Ozon does for FBS
  const carrier = tpl === 'aggregator' || tpl === '3pl_tracking';
  const next: NextTransition[] = [];

  // moments of the history, newest first
  const deliveredAt = startAt === 'delivered' ? now : null;
  const handedOverAt = startAt === 'delivering' ? now : deliveredAt !== null ? deliveredAt - t.transit : null;
  const assembledAt = startAt === 'awaiting_deliver' ? now : handedOverAt !== null ? handedOverAt - t.handover : null;
  const createdAt = (assembledAt ?? now) - lead;

  p.createdAt = createdAt;
  p.shipmentDate = Math.min(createdAt + sla, handedOverAt ?? Number.POSITIVE_INFINITY);
  p.deliveryEnd = createdAt + window;
  p.deliveryBegin = Math.max(createdAt, p.deliveryEnd - DELIVERY_SLOT_MS);
  p.lastChangedAt = now;
  p.deliveringDate = handedOverAt;
  p.deliveredAt = deliveredAt;

  switch (startAt) {
    case 'awaiting_deliver':
      if (tpl === 'aggregator') {
        // registered with the carrier by Ozon, tracking number assigned; the carrier collects it
        setStatus(p, 'awaiting_deliver', 'posting_registered', 'posting_awaiting_registration');
        p.tracking_number = carrierTrackingNumber(p);
        if (p.stall !== 'awaiting_deliver') next.push({ kind: 'handover', delay: t.handover });
        break;
      }
      // same status/substatus as after /v4/posting/fbs/ship (docs/14-fbs.md, ozon-api.md §2)
      setStatus(p, 'awaiting_deliver', 'posting_transferring_to_delivery', 'posting_created');
      // FBS is collected by Ozon; rFBS non_integrated waits for the seller's /v2/fbs/posting/delivering, and
      // 3pl_tracking for the seller's tracking number
      if (!rfbs && p.stall !== 'awaiting_deliver') next.push({ kind: 'handover', delay: t.handover });
      break;
    case 'delivering':
      if (carrier) {
        setStatus(p, 'delivering', 'posting_transferred_to_courier_service', 'posting_transferring_to_delivery');
        p.tracking_number = tpl === 'aggregator' ? carrierTrackingNumber(p) : trackingNumber(p);
        if (!p.stall) next.push({ kind: 'deliver', delay: t.transit });
      } else if (rfbs) {
        // the seller moved it to delivering in the cabinet and entered a track number there
        setStatus(p, 'delivering', 'posting_transferred_to_courier_service', 'posting_transferring_to_delivery');
        p.tracking_number = trackingNumber(p);
      } else {
        setStatus(p, 'delivering', 'posting_on_way_to_city', 'posting_transferring_to_delivery');
        if (!p.stall) next.push({ kind: 'deliver', delay: t.transit });
      }
      break;
    case 'delivered':
      setStatus(
        p,
        'delivered',
        'posting_delivered',
        rfbs ? 'posting_transferred_to_courier_service' : 'posting_on_way_to_city',
      );
      if (rfbs) p.tracking_number = tpl === 'aggregator' ? carrierTrackingNumber(p) : trackingNumber(p);
      if (!p.noAccruals) next.push({ kind: 'settle', delay: t.settlement });
      break;
    case 'cancelled':
      // The buyer cancelled it before it was assembled (the commonest way a posting ends cancelled unseen).
      setStatus(p, 'cancelled', 'posting_canceled', 'posting_created');
      p.cancellation = {
        cancel_reason_id: BUYER_CANCEL_REASON.id,
        cancel_reason: BUYER_CANCEL_REASON.title,
        cancellation_type: 'client',
        cancelled_after_ship: false,
        affect_cancellation_rating: false,
        cancellation_initiator: 'Клиент',
      };
      break;
  }
  return next;
}

function setStatus(p: Posting, status: string, substatus: string, previous: string) {
  p.status = status;
  p.substatus = substatus;
  p.previous_substatus = previous;
}

/** deterministic, no RNG draw: adopting a posting must not shift the posting-number stream */
const trackingNumber = (p: Posting) => `RP${String(p.order_id).padStart(10, '0')}RU`;

/**
 * The tracking number Ozon assigns an aggregator posting when it registers it with the carrier (Boxberry-like: a
 * prefix and digits; the docs give no format). Deterministic, no RNG draw; the posting's index keeps the postings
 * of one order (a split) apart.
 */
export function carrierTrackingNumber(p: Pick<Posting, 'order_id' | 'posting_number'>) {
  const index = p.posting_number.slice(p.posting_number.lastIndexOf('-') + 1);
  return `BB${String(p.order_id).padStart(10, '0')}${index.padStart(2, '0')}`;
}
