/**
 * The seller's figures from what a local run kept in its data dir (`npm run report`), pure: per day, the postings
 * received, those confirmed late or cancelled by the seller, stalled parcels, returns, payout gaps, buyers' messages
 * and rating warnings — the same figures the CloudWatch dashboard shows from the functions' metrics in AWS.
 */
export const FIGURES = [
  'received',
  'confirmedLate',
  'carriageMissed',
  'cancelledBySeller',
  'qualityFailed',
  'stalled',
  'returns',
  'payoutsReopened',
  'payoutGaps',
  'buyerMessages',
  'buyersWaiting',
  'ratingWarnings',
] as const;
export type Figure = (typeof FIGURES)[number];
/**
 * A day's counts, and what is derived from them: the share of postings received that day confirmed and handed over
 * on time (the alerts of the day against its postings: a late one is counted on the day it was late), and the
 * average hours from delivery to settlement of the postings settled that day (`SettlementLagHours`).
 */
export type DayFigures = { day: string } & Record<Figure, number> & {
    onTimePct?: number;
    settlementLagHours?: number;
  };

/** Which alert kind counts towards which figure (an alert is sent once per posting and occurrence). */
const FIGURE_OF_ALERT: Record<string, Figure> = {
  confirmation_deadline_missed: 'confirmedLate',
  handover_missed: 'carriageMissed',
  stock_cancelled: 'cancelledBySeller',
  partial_cancel: 'cancelledBySeller',
  quality_failed: 'qualityFailed',
  delivery_stalled: 'stalled',
  payout_reversed: 'payoutsReopened',
  payout_mismatch: 'payoutGaps',
  payout_missing: 'payoutGaps',
  buyer_message: 'buyerMessages',
  buyer_reply_due: 'buyersWaiting',
  rating_warning: 'ratingWarnings',
};

export interface Logged {
  /** executions.jsonl `started` lines: one per posting received (and per resume `_r<N>`). */
  postingsStarted: { name: string; at: number }[];
  /** executions-ReturnLifecycle.jsonl `started` lines. */
  returnsStarted: { at: number }[];
  alerts: { kind: string; at: number }[];
  /** metrics.jsonl: the functions' metrics (the settlement lag among them); absent in older data dirs. */
  metrics?: { name: string; value: number; at: number }[];
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const onTime = (r: Record<Figure, number>) =>
  r.received
    ? Math.max(0, Math.round((100 * (r.received - r.confirmedLate - r.carriageMissed)) / r.received))
    : undefined;
const average = (values: number[]) =>
  values.length ? round1(values.reduce((a, b) => a + b, 0) / values.length) : undefined;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The figures per simulated day, the last `days` days that have any, oldest first, with a total row's numbers. */
export function figuresByDay(
  logged: Logged,
  days: number,
): { days: DayFigures[]; total: Record<Figure, number> & { onTimePct?: number; settlementLagHours?: number } } {
  const byDay = new Map<string, DayFigures>();
  const row = (ms: number) => {
    const day = dayOf(ms);
    let r = byDay.get(day);
    if (!r) {
      r = { day, ...(Object.fromEntries(FIGURES.map((f) => [f, 0])) as Record<Figure, number>) };
      byDay.set(day, r);
    }
    return r;
  };
  // A resume (`<posting>_r<N>`) is the same posting received once.
  for (const s of logged.postingsStarted) if (!/_r\d+$/.test(s.name)) row(s.at).received++;
  for (const s of logged.returnsStarted) row(s.at).returns++;
  for (const a of logged.alerts) {
    const figure = FIGURE_OF_ALERT[a.kind];
    if (figure) row(a.at)[figure]++;
  }
  const lags = new Map<string, number[]>();
  for (const m of logged.metrics ?? []) {
    if (m.name !== 'SettlementLagHours') continue;
    row(m.at);
    lags.set(dayOf(m.at), [...(lags.get(dayOf(m.at)) ?? []), m.value]);
  }
  const all = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day)).slice(-days);
  for (const d of all) {
    const pct = onTime(d);
    if (pct !== undefined) d.onTimePct = pct;
    const lag = average(lags.get(d.day) ?? []);
    if (lag !== undefined) d.settlementLagHours = lag;
  }
  const counts = Object.fromEntries(FIGURES.map((f) => [f, all.reduce((n, d) => n + d[f], 0)])) as Record<
    Figure,
    number
  >;
  const allLags = average(all.flatMap((d) => lags.get(d.day) ?? []));
  const pct = onTime(counts);
  return {
    days: all,
    total: {
      ...counts,
      ...(pct !== undefined ? { onTimePct: pct } : {}),
      ...(allLags !== undefined ? { settlementLagHours: allLags } : {}),
    },
  };
}
