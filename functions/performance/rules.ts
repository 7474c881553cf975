/**
 * The seller's standing with Ozon, pure: which of Ozon's rating indicators got worse, and which of the product's own
 * incidents (the postings it recorded missing a deadline, cancelled by the seller, a buyer left unanswered) weigh on
 * each indicator, so an alert can name them.
 */

/** Ozon's statuses of an indicator (`/v1/rating/summary` `status`), from good to bad. */
const SEVERITY_OF: Record<string, number> = { OK: 0, UNKNOWN_STATUS: 0, WARNING: 1, CRITICAL: 2 };
export const severityOf = (status: string | null | undefined) => SEVERITY_OF[status ?? ''] ?? 0;

export interface Indicator {
  rating: string;
  name: string;
  status: string;
  value: number;
  past?: number;
  valueType?: string;
}

/**
 * The indicators that are WARNING or CRITICAL now and were better at the last look (or never seen): each is alerted
 * once when it worsens, not every day it stays bad.
 */
export function worsened(now: Indicator[], before: Record<string, string>): Indicator[] {
  return now.filter((i) => severityOf(i.status) > 0 && severityOf(i.status) > severityOf(before[i.rating]));
}

/**
 * What the product records about a posting, by day: what Ozon's indicators count against the seller (EVIDENCE), and
 * the rest of the seller's figures the weekly digest counts (a stalled parcel, a payout gap, a failed quality check).
 */
export type IncidentKind =
  | 'confirmation_missed'
  | 'handover_missed'
  | 'seller_cancelled'
  | 'delivery_late'
  | 'buyer_unanswered'
  | 'stalled'
  | 'payout_gap'
  | 'quality_failed';
/** The incidents only the digest counts: Ozon's indicators do not weigh them (EVIDENCE leaves them out). */
export const FIGURE_ONLY: readonly IncidentKind[] = ['stalled', 'payout_gap', 'quality_failed'];
export const INCIDENT_KINDS: readonly IncidentKind[] = [
  'confirmation_missed',
  'handover_missed',
  'seller_cancelled',
  'delivery_late',
  'buyer_unanswered',
  'stalled',
  'payout_gap',
  'quality_failed',
];

/**
 * The incidents that weigh on each indicator (`/v1/rating/history` describes each rating), and the days Ozon counts:
 * late or cancelled FBS postings over 7 days, on-time delivery and replies over 30.
 */
export const EVIDENCE: Record<string, { kinds: IncidentKind[]; days: number }> = {
  rating_order_cancellation: { kinds: ['seller_cancelled'], days: 7 },
  rating_shipment_delay: { kinds: ['handover_missed', 'confirmation_missed'], days: 7 },
  rating_on_time: { kinds: ['confirmation_missed', 'handover_missed', 'delivery_late'], days: 30 },
  rating_reaction_time: { kinds: ['buyer_unanswered'], days: 30 },
  rating_average_response_time: { kinds: ['buyer_unanswered'], days: 30 },
  rating_replied_dialogs_ratio: { kinds: ['buyer_unanswered'], days: 30 },
};

/** The alert kinds the product sends that are such incidents (alerts.ts records them as they go out). */
export const INCIDENT_OF_ALERT: Record<string, IncidentKind> = {
  confirmation_deadline_missed: 'confirmation_missed',
  handover_missed: 'handover_missed',
  stock_cancelled: 'seller_cancelled',
  partial_cancel: 'seller_cancelled',
  delivery_window_passed: 'delivery_late',
  delivery_stalled: 'stalled',
  payout_mismatch: 'payout_gap',
  payout_missing: 'payout_gap',
  quality_failed: 'quality_failed',
};

/**
 * `/v1/analytics/data` metrics the weekly digest asks for, by the seller's plan (docs/52-premium.md: revenue and
 * ordered units for everyone; views, add-to-cart conversion, cancellations and returns with Premium Plus).
 */
export const DIGEST_METRICS = {
  free: ['revenue', 'ordered_units'],
  premium_plus: ['revenue', 'ordered_units', 'hits_view', 'conv_tocart', 'cancellations', 'returns'],
} as const;
export type AnalyticsPlan = keyof typeof DIGEST_METRICS;
/** SKUs the digest lists (by revenue): the rest are in the cabinet's analytics. */
export const DIGEST_SKUS = 10;

export interface SkuFigures {
  sku: string;
  name: string;
  /** Each metric asked for, by name; a metric Ozon did not answer is absent. */
  metrics: Record<string, number>;
}

/** The analytics rows as figures per SKU, the metrics named in the order they were asked for. */
export function skuFigures(
  rows: { dimensions: { id: string; name?: string | null }[]; metrics: (number | null | undefined)[] }[],
  metrics: readonly string[],
): SkuFigures[] {
  return rows.map((r) => ({
    sku: r.dimensions[0]?.id ?? '',
    name: r.dimensions[0]?.name ?? '',
    metrics: Object.fromEntries(
      metrics.flatMap((m, i) => {
        const v = r.metrics[i];
        return typeof v === 'number' ? [[m, v]] : [];
      }),
    ),
  }));
}

/** The offers with the most incidents (the digest's "by product"), at most `limit`, most first. */
export function offersWithMostIncidents(
  byOffer: Record<string, Partial<Record<string, number>>>,
  limit = DIGEST_SKUS,
): { offerId: string; incidents: Record<string, number> }[] {
  const total = (i: Partial<Record<string, number>>) => Object.values(i).reduce<number>((a, b) => a + (b ?? 0), 0);
  return Object.entries(byOffer)
    .sort(([a, x], [b, y]) => total(y) - total(x) || a.localeCompare(b))
    .slice(0, limit)
    .map(([offerId, incidents]) => ({ offerId, incidents: incidents as Record<string, number> }));
}

/** The Premium Plus metrics a seller without it does not get in the digest (it says so). */
export const missingWithoutPremium = (plan: AnalyticsPlan): string[] =>
  plan === 'premium_plus'
    ? []
    : DIGEST_METRICS.premium_plus.filter((m) => !(DIGEST_METRICS.free as readonly string[]).includes(m));

/** An indicator's value as the cabinet shows it: a percent, a time in hours, else the number. */
export function formatValue(value: number, valueType: string | undefined): string {
  const v = Math.round(value * 100) / 100;
  if (valueType === 'PERCENT') return `${v}%`;
  if (valueType === 'TIME') return `${v}`;
  return String(v);
}

/** The UTC days (YYYY-MM-DD) from `days - 1` days before `nowMs` to that day. */
export function lastDays(nowMs: number, days: number): string[] {
  return Array.from({ length: days }, (_, i) => new Date(nowMs - i * 86_400_000).toISOString().slice(0, 10));
}
