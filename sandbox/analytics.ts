/**
 * /v1/analytics/data (docs/52-premium.md, swagger AnalyticsAPI_AnalyticsGetData, ozon-api.md §3.12), computed from
 * the sandbox's own postings and returns per SKU and UTC day:
 *
 * - `ordered_units` ("заказано товаров") and `revenue` ("заказано на сумму", price × units): the units of every order
 *   on the day the posting was created (paid), cancelled later or not; a split's new postings are not counted again.
 *   A seller's partial cancellation (/v2/posting/fbs/product/cancel) takes units off the posting's lines, so they no
 *   longer count as ordered (the sandbox keeps no other record of them);
 * - `cancellations` ("отменено товаров"): the units of a posting on the day it was cancelled;
 * - `delivered_units` ("доставлено товаров"): on the day of delivery;
 * - `returns` ("возвращено товаров"): one unit per rFBS return request or FBS return, on the day the buyer asked;
 * - views, sessions, add-to-cart, conversions, `position_category`, `unknown_metric`: the sandbox has no shop-front
 *   traffic, so 0.
 *
 * The plan (SandboxOptions.premium): "Для продавцов без подписки Premium Plus: доступны данные за последние 3 месяца,
 * есть ограничения по способам группировки данных и метрикам" — revenue and ordered_units only, and the dimensions
 * unknownDimension, sku, spu, day, week, month (docs/52's lists). The docs do not say what Ozon answers otherwise: the
 * sandbox refuses (routes-analytics.ts). Ozon's 1-call-a-minute limit is the gate's (gate.ts).
 */
import type { AfterSale } from './aftersale.js';
import { ApiError, type Model } from './model.js';
import { round2 } from './util.js';

/** docs/52 / swagger: "Метрики, доступные всем продавцам" */
export const FREE_METRICS = ['revenue', 'ordered_units'] as const;
/** docs/52 / swagger: "Метрики, доступные только продавцам с подпиской Premium Plus" */
export const PREMIUM_PLUS_METRICS = [
  'unknown_metric',
  'hits_view_search',
  'hits_view_pdp',
  'hits_view',
  'hits_tocart_search',
  'hits_tocart_pdp',
  'hits_tocart',
  'session_view_search',
  'session_view_pdp',
  'session_view',
  'conv_tocart_search',
  'conv_tocart_pdp',
  'conv_tocart',
  'returns',
  'cancellations',
  'delivered_units',
  'position_category',
] as const;
export const ANALYTICS_METRICS: readonly string[] = [...FREE_METRICS, ...PREMIUM_PLUS_METRICS];
type Metric = (typeof FREE_METRICS)[number] | (typeof PREMIUM_PLUS_METRICS)[number];

/** "Способы группировки, доступные всем продавцам" */
export const FREE_DIMENSIONS = ['unknownDimension', 'sku', 'spu', 'day', 'week', 'month'] as const;
/** "… только продавцам с подпиской Premium Plus" (swagger's list; docs/52 has descriptionType and no category3/4) */
export const PREMIUM_PLUS_DIMENSIONS = [
  'year',
  'category1',
  'category2',
  'category3',
  'category4',
  'brand',
  'modelID',
  'descriptionType',
] as const;
export const ANALYTICS_DIMENSIONS: readonly string[] = [...FREE_DIMENSIONS, ...PREMIUM_PLUS_DIMENSIONS];
/** the ones the sandbox can group by: it keeps no categories, brands or models */
export const MODELLED_DIMENSIONS = ['sku', 'spu', 'day', 'week', 'month', 'year'] as const;
type Dimension = (typeof MODELLED_DIMENSIONS)[number];

export interface AnalyticsQuery {
  /** UTC dates, YYYY-MM-DD, both included */
  from: string;
  to: string;
  metrics: string[];
  dimension: string[];
  filters: { key: string; op: 'EQ' | 'GT' | 'GTE' | 'LT' | 'LTE'; value: string }[];
  sort: { key: string; order: 'ASC' | 'DESC' }[];
  limit: number;
  offset: number;
}

/** one SKU on one UTC day */
interface Cell {
  sku: number;
  name: string;
  day: string;
  m: Partial<Record<Metric, number>>;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** the Monday of the day's ISO week (sandbox's id of a `week`) */
function weekOf(day: string) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/** a dimension's {id, name}: sku / spu the SKU and the product's name (the sandbox has no merged cards: spu = sku);
 * day YYYY-MM-DD, week its Monday, month YYYY-MM, year YYYY, all with name '' (sandbox's formats) */
function dimensionOf(c: Cell, d: Dimension): { id: string; name: string } {
  switch (d) {
    case 'sku':
    case 'spu':
      return { id: String(c.sku), name: c.name };
    case 'day':
      return { id: c.day, name: '' };
    case 'week':
      return { id: weekOf(c.day), name: '' };
    case 'month':
      return { id: c.day.slice(0, 7), name: '' };
    case 'year':
      return { id: c.day.slice(0, 4), name: '' };
  }
}

/** numbers as numbers, anything else as text */
function compare(a: string | number, b: string | number) {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

const OPS = {
  EQ: (c: number) => c === 0,
  GT: (c: number) => c > 0,
  GTE: (c: number) => c >= 0,
  LT: (c: number) => c < 0,
  LTE: (c: number) => c <= 0,
};

export const isModelledDimension = (d: string): d is Dimension =>
  (MODELLED_DIMENSIONS as readonly string[]).includes(d);

/** every SKU-day with some activity, from the postings and the after-sale records */
function cells(model: Model, afterSale: AfterSale): Cell[] {
  const byKey = new Map<string, Cell>();
  const add = (sku: number, name: string, at: number, metric: Metric, v: number) => {
    const day = dayOf(at);
    const key = `${sku} ${day}`;
    let c = byKey.get(key);
    if (!c) {
      c = { sku, name, day, m: {} };
      byKey.set(key, c);
    }
    c.m[metric] = (c.m[metric] ?? 0) + v;
  };
  for (const p of model.order) {
    for (const l of p.lines) {
      if (l.quantity <= 0) continue;
      // the order as paid: a split's postings carry their parent's order, counted once at the parent
      if (!p.parentPostingNumber) {
        add(l.sku, l.name, p.createdAt, 'ordered_units', l.quantity);
        add(l.sku, l.name, p.createdAt, 'revenue', Number(l.price) * l.quantity);
      }
      // a cancelled posting's lastChangedAt is its cancellation (nothing changes it afterwards)
      if (p.status === 'cancelled') add(l.sku, l.name, p.lastChangedAt, 'cancellations', l.quantity);
      if (p.deliveredAt !== null) add(l.sku, l.name, p.deliveredAt, 'delivered_units', l.quantity);
    }
  }
  for (const r of [...afterSale.rfbsReturns, ...afterSale.fbsReturns]) add(r.sku, r.name, r.createdAt, 'returns', 1);
  return [...byKey.values()];
}

/** /v1/analytics/data `result` (the query is checked against the plan and the docs already) */
export function analyticsData(model: Model, afterSale: AfterSale, q: AnalyticsQuery) {
  const dims = q.dimension.filter(isModelledDimension);
  const metricFilters = q.filters.filter((f) => ANALYTICS_METRICS.includes(f.key));
  const dimFilters = q.filters.filter((f) => !ANALYTICS_METRICS.includes(f.key));
  for (const f of dimFilters) {
    // "Можно передать любой атрибут из параметров dimension и metric, кроме атрибута brand"
    if (!isModelledDimension(f.key))
      throw new ApiError(400, 3, `invalid request payload: filters: key ${f.key} is not a dimension or metric`);
  }
  // the day range, then the dimension filters, on the SKU-days
  const picked = cells(model, afterSale).filter(
    (c) =>
      c.day >= q.from &&
      c.day <= q.to &&
      dimFilters.every((f) => OPS[f.op](compare(dimensionOf(c, f.key as Dimension).id, f.value))),
  );
  // grouped by the dimensions asked for
  const rows = new Map<string, { dimensions: { id: string; name: string }[]; m: Partial<Record<Metric, number>> }>();
  for (const c of picked) {
    const dimensions = dims.map((d) => dimensionOf(c, d));
    const key = JSON.stringify(dimensions.map((x) => x.id));
    let row = rows.get(key);
    if (!row) {
      row = { dimensions, m: {} };
      rows.set(key, row);
    }
    for (const [k, v] of Object.entries(c.m) as [Metric, number][]) row.m[k] = (row.m[k] ?? 0) + v;
  }
  const value = (m: Partial<Record<Metric, number>>, k: string) => {
    const v = m[k as Metric] ?? 0;
    return k === 'revenue' ? round2(v) : v;
  };
  let list = [...rows.values()].filter((r) =>
    metricFilters.every((f) => OPS[f.op](compare(value(r.m, f.key), f.value))),
  );
  // default order: by the dimensions' ids (sandbox's); then the sort keys, in order
  list.sort((a, b) => {
    for (let i = 0; i < a.dimensions.length; i++) {
      const c = compare(a.dimensions[i]?.id ?? '', b.dimensions[i]?.id ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });
  for (const s of [...q.sort].reverse()) {
    const sign = s.order === 'DESC' ? -1 : 1;
    list = list.slice().sort((a, b) => sign * (value(a.m, s.key) - value(b.m, s.key)));
  }
  // "Итоговые и средние значения метрик": sums over every row matched (the averaged ones, conversions and
  // position, are 0 here anyway)
  const totals = q.metrics.map((k) => {
    const sum = list.reduce((s, r) => s + value(r.m, k), 0);
    return k === 'revenue' ? round2(sum) : sum;
  });
  return {
    data: list.slice(q.offset, q.offset + q.limit).map((r) => ({
      dimensions: r.dimensions,
      metrics: q.metrics.map((k) => value(r.m, k)),
    })),
    totals,
  };
}

/** the first UTC date a seller without Premium Plus may ask for: three calendar months before today */
export function earliestWithoutPremiumPlus(now: number) {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - 3);
  return dayOf(d.getTime());
}

/** "2021-11-25 15:19:21" (swagger's example of `timestamp`; simulated, UTC) */
export const analyticsTimestamp = (now: number) => new Date(now).toISOString().slice(0, 19).replace('T', ' ');
