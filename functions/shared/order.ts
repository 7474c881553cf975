/**
 * The order as the product keeps it: one record per Ozon posting. Pure: no AWS, no I/O. The rules about what a
 * status means and when a wait is over live here so that the webhook, the poller and the waiting step agree.
 */
import * as z from 'zod/mini';
import type { Posting } from './ozon/schemas';
import { handedOver, isCancelled } from './status';

export const Schema = z.enum(['fbs', 'rfbs']);
export type Schema = z.infer<typeof Schema>;

/**
 * A posting's schema from Ozon's `tpl_integration_type`: Ozon's own logistics is FBS to us; wherever the seller
 * registers the parcel with a carrier, it is rFBS.
 */
export function schemaOf(tplIntegrationType: string | null | undefined): Schema {
  const tpl = tplIntegrationType ?? 'ozon';
  return tpl === 'non_integrated' || tpl === 'aggregator' || tpl === '3pl_tracking' ? 'rfbs' : 'fbs';
}

/**
 * What a wait waits for. `attention`: a step failed in a way only the seller can fix (NeedsAttention); the seller's
 * resume, or a periodic re-check with Ozon, ends it.
 */
export const WaitKind = z.enum([
  'restock',
  'approval',
  'packed',
  'marks',
  'assembly',
  'registration',
  'tracking',
  'delivery',
  'dispute',
  'payout',
  'attention',
  /** The seller's answer to a buyer's cancellation request (rFBS), until shortly before Ozon approves it itself. */
  'cancellation',
  /** The warehouse's quality check of the units before Ozon is asked to assemble (the seller's policy, quality/). */
  'quality',
]);
export type WaitKind = z.infer<typeof WaitKind>;

/**
 * What Ozon needs from the seller before it assembles (the posting's `requirements`, `is_multibox`): a "Честный
 * ЗНАК" code or a jewellery UIN per unit, a customs declaration (GTD) or RNPT per unit, the box count.
 */
export const AssemblyNeed = z.enum(['mark', 'jw_uin', 'gtd', 'rnpt', 'boxes']);
export type AssemblyNeed = z.infer<typeof AssemblyNeed>;

export const OrderLine = z.object({
  sku: z.int(),
  offerId: z.string(),
  name: z.string(),
  qty: z.int().check(z.positive()),
  price: z.number().check(z.nonnegative()),
});
export type OrderLine = z.infer<typeof OrderLine>;

export const OrderEvent = z.object({
  type: z.string(),
  status: z.optional(z.string()),
  substatus: z.optional(z.string()),
  at: z.string(),
  source: z.enum(['push', 'poll', 'step', 'seller']),
  /** For alerts: the kind and severity sent. */
  kind: z.optional(z.string()),
  severity: z.optional(z.string()),
});
export type OrderEvent = z.infer<typeof OrderEvent>;

export const Wait = z.object({
  on: WaitKind,
  token: z.string(),
  since: z.string(),
  timeoutAt: z.string(),
  /** A deadline that can move while the wait is in flight (TYPE_CUTOFF_DATE_CHANGED); the poller enforces it. */
  deadlineAt: z.optional(z.string()),
});
export type Wait = z.infer<typeof Wait>;

export const Phase = z.enum([
  'received',
  'awaiting_stock',
  'reserved',
  'awaiting_packed',
  /** Waiting for the warehouse's quality check of the reserved units (quality/). */
  'awaiting_check',
  /** Waiting for the seller's marking codes or box count before Ozon may assemble. */
  'awaiting_marks',
  'confirming',
  'packing',
  'shipping',
  'in_transit',
  'settling',
  'completed',
  'cancelled',
  /** Shipped in several packages: Ozon made a posting of each, followed on its own; this one is over. */
  'split',
  'needs_attention',
]);
export type Phase = z.infer<typeof Phase>;

export const Order = z.object({
  postingNumber: z.string(),
  status: z.string(),
  substatus: z.optional(z.string()),
  phase: Phase,
  schema: Schema,
  tplIntegrationType: z.string(),
  warehouseId: z.number(),
  lines: z.array(OrderLine).check(z.minLength(1)),
  shipmentDate: z.optional(z.string()),
  deliveryDateEnd: z.optional(z.string()),
  /**
   * What Ozon's financial data promises the seller for the posting; absent while Ozon does not know it yet (its
   * answers often say 0 before shipping). Refreshed from Ozon when the payout is judged.
   */
  expectedPayout: z.optional(z.number()),
  currency: z.string(),
  trackingNumber: z.optional(z.string()),
  wait: z.optional(Wait),
  lastStatusAt: z.string(),
  deliveredAt: z.optional(z.string()),
  /** When the buyer last wrote in the posting's chat (TYPE_NEW_MESSAGE): Ozon's 48 h reply window after delivery. */
  lastBuyerMessageAt: z.optional(z.string()),
  restockedAt: z.optional(z.string()),
  /** When the seller asked to resume a posting that needs attention (seller API `resume`). */
  resumeRequestedAt: z.optional(z.string()),
  /** When the units left the seller's stock (packed), so a cancellation before pickup can give them back. */
  shippedFromStockAt: z.optional(z.string()),
  /** When the parcel was first seen handed over (courier, drop-off point): its units are no longer on the shelf. */
  handedOverAt: z.optional(z.string()),
  packedAt: z.optional(z.string()),
  /**
   * The warehouse's quality check of the reserved units (seller API `qualityCheck`), when the seller's policy wants
   * one: `pending` until it answers; `failed` until QualityCheckFailed wrote the unit off and freed the reservation
   * (then `pending` again, for the next unit); `passed` lets ConfirmPosting ask Ozon to assemble. `last` keeps the
   * latest failure (what, why, when); `failures` counts them.
   */
  qualityCheck: z.optional(
    z.object({
      result: z.enum(['pending', 'passed', 'failed']),
      failures: z.int(),
      at: z.optional(z.string()),
      offerId: z.optional(z.string()),
      units: z.optional(z.int()),
      reason: z.optional(z.string()),
      last: z.optional(z.object({ offerId: z.string(), reason: z.string(), at: z.string() })),
    }),
  ),
  /** What Ozon needs before assembly (absent: nothing), and when it accepted what the product sent it. */
  needs: z.optional(z.array(AssemblyNeed)),
  preparedAt: z.optional(z.string()),
  /** When the seller last sent assembly data (marking codes, box count; seller API `marks`). */
  assemblyDataAt: z.optional(z.string()),
  /** When the exemplars last went to Ozon (its check runs after that): a retry only asks for the check's result. */
  exemplarsSentAt: z.optional(z.string()),
  /** A posting that came out of a split: the posting it came from, whose reservation it took over. */
  parentPostingNumber: z.optional(z.string()),
  /**
   * The shipment date (carriage cutoff) whose missed handover was alerted: once per date; a date Ozon moves the
   * parcel to is watched again. Kept apart from lastStatusAt, which orders status writes.
   */
  handoverMissedFor: z.optional(z.string()),
  /** How often each kind of escalation (stalled parcel, missing tracking number) has fired. */
  escalations: z._default(z.record(z.string(), z.int()), {}),
  tariffication: z.optional(
    z.object({
      nextRate: z.optional(z.number()),
      nextType: z.optional(z.string()),
      nextStartsAt: z.optional(z.string()),
    }),
  ),
  executionArn: z.optional(z.string()),
  reservedAt: z.optional(z.string()),
  /**
   * The packing batch the posting was packed in: the key stem of its packing list in the labels bucket (labelFiles),
   * one batch for up to 20 postings of a warehouse. Its FBS label is the carriage's: the label manifest beside the act
   * of its warehouse and departure date names the file (functions/handover/rules.ts labelTaskFiles).
   */
  labelBatch: z.optional(z.string()),
  cancellation: z.optional(
    z.object({ reasonId: z.optional(z.number()), reason: z.string(), initiator: z.string(), afterShip: z.boolean() }),
  ),
  /**
   * A buyer's cancellation request (rFBS, `/v2/conditional-cancellation/list`), found by the poller: open until the
   * product or the seller answers it (`decision`), or Ozon does. While open, the posting's wait ends with
   * CancellationRequested and DecideCancellationRequest answers it before `autoApproveAt`.
   */
  cancellationRequest: z.optional(
    z.object({
      id: z.number(),
      reason: z.string(),
      requestedAt: z.string(),
      autoApproveAt: z.optional(z.string()),
      /** The seller's own answer (seller API `cancellationRequest`), when the policy asks the seller. */
      seller: z.optional(z.object({ approve: z.boolean(), comment: z.optional(z.string()), at: z.string() })),
      /** When the seller was asked (once). */
      askedAt: z.optional(z.string()),
      /** `left`: read-only mode — the product does not answer on Ozon, the seller does in the cabinet. */
      decision: z.optional(z.enum(['approved', 'rejected', 'left'])),
      decidedBy: z.optional(z.enum(['policy', 'seller', 'ozon'])),
      decidedAt: z.optional(z.string()),
    }),
  ),
  /** The settlement's verdict; what was expected and accrued are `expectedPayout` and `accrued` beside it. */
  payout: z.optional(z.object({ difference: z.number(), verdict: z.string(), at: z.string() })),
  accrued: z.optional(z.number()),
  /** When each kind of alert was last sent (bounded: one entry per kind); the alerts themselves are events. */
  alerts: z._default(z.array(z.object({ kind: z.string(), at: z.string() })), []),
});
export type Order = z.infer<typeof Order>;

/**
 * The payout Ozon's financial data promises, or undefined while it is not known: Ozon answers 0 (or nothing) for
 * a line before the posting ships, and a sum with such a line would promise the seller too little.
 */
export function payoutOf(posting: Pick<Posting, 'financial_data'>): number | undefined {
  const products = posting.financial_data?.products ?? [];
  if (products.length === 0 || products.some((p) => !(p.payout > 0))) return undefined;
  return round2(products.reduce((sum, p) => sum + p.payout, 0));
}

export function orderFromPosting(posting: Posting, nowIso: string): Order {
  const expectedPayout = payoutOf(posting);
  const tpl = posting.tpl_integration_type ?? 'ozon';
  return Order.parse({
    postingNumber: posting.posting_number,
    status: posting.status,
    substatus: posting.substatus ?? undefined,
    phase: 'received',
    schema: schemaOf(tpl),
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
    tariffication: tarifficationOf(posting),
    lastStatusAt: nowIso,
    handedOverAt: handedOver(posting.status) ? nowIso : undefined,
    cancellation: isCancelled(posting.status) ? cancellationOf(posting) : undefined,
    needs: assemblyNeeds(posting),
    parentPostingNumber: posting.parent_posting_number || undefined,
  });
}

/** What Ozon asks of the seller before it assembles this posting; undefined when nothing. */
export function assemblyNeeds(posting: Pick<Posting, 'requirements' | 'is_multibox'>): AssemblyNeed[] | undefined {
  const r = posting.requirements;
  const needs: AssemblyNeed[] = [];
  if (r?.products_requiring_mandatory_mark?.length) needs.push('mark');
  if (r?.products_requiring_jw_uin?.length) needs.push('jw_uin');
  if (r?.products_requiring_gtd?.length) needs.push('gtd');
  if (r?.products_requiring_rnpt?.length) needs.push('rnpt');
  if (posting.is_multibox) needs.push('boxes');
  return needs.length ? needs : undefined;
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

export const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The phase a status moves a posting to, and the phases it may move it from: handed over means in transit,
 * delivered means waiting for the payout. Written with the status itself, so the waits that follow need no write
 * of their own; a status arriving late (a redelivered push) never moves a posting back from a later phase.
 */
export function phaseAfterStatus(status: string): { phase: Phase; from: Phase[] } | undefined {
  // The phase itself is among the `from`s: a repeated push (Ozon sends some twice) is one plain write, not a
  // refused one and a second.
  if (status === 'delivered') return { phase: 'settling', from: ['packing', 'shipping', 'in_transit', 'settling'] };
  if (handedOver(status)) return { phase: 'in_transit', from: ['packing', 'shipping', 'in_transit'] };
  return undefined;
}
