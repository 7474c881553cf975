/**
 * /v1/analytics/data (docs/52-premium.md, swagger, ozon-api.md §3.12): the request checked against the docs and the
 * seller's plan; the figures are analytics.ts's. 1 call a minute per Client-Id: gate.ts.
 */
import { z } from 'zod';
import {
  ANALYTICS_DIMENSIONS,
  ANALYTICS_METRICS,
  analyticsData,
  analyticsTimestamp,
  earliestWithoutPremiumPlus,
  FREE_DIMENSIONS,
  FREE_METRICS,
  isModelledDimension,
} from './analytics.js';
import { json, parse } from './http.js';
import { ApiError } from './model.js';
import type { Handler } from './routes.js';
import { needPremiumPlus } from './routes-chat.js';

/** "2020-09-01" as the docs' example; a date-time is taken as its UTC date */
const date = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date, YYYY-MM-DD')
  .transform((s) => new Date(Date.parse(s)).toISOString().slice(0, 10));

// swagger analyticsAnalyticsGetDataRequest: date_from, date_to, dimension, metrics, limit required
const S = {
  data: z.object({
    date_from: date,
    date_to: date,
    // "Укажите до 14 метрик. Если их будет больше, вы получите ошибку с кодом InvalidArgument" (gRPC code 3)
    metrics: z.array(z.string()).min(1).max(14, 'at most 14 metrics (InvalidArgument)'),
    dimension: z.array(z.string()).min(1),
    filters: z
      .array(
        z.object({
          key: z.string().min(1),
          // swagger FilterOp: default EQ
          op: z.enum(['EQ', 'GT', 'GTE', 'LT', 'LTE']).default('EQ'),
          value: z.union([z.string(), z.number()]).transform(String),
        }),
      )
      .default([]),
    sort: z
      .array(
        z.object({
          key: z.string().min(1),
          // swagger SortingOrder: default ASC
          order: z
            .string()
            .transform((s) => s.toUpperCase())
            .pipe(z.enum(['ASC', 'DESC']))
            .default('ASC'),
        }),
      )
      .default([]),
    limit: z.number().int().min(1).max(1000),
    offset: z.number().int().min(0).default(0),
  }),
};

export const ANALYTICS_READ_ONLY = ['/v1/analytics/data'];

export const ANALYTICS_ROUTES: Record<string, Handler> = {
  '/v1/analytics/data': (body, ctx) => {
    const b = parse(S.data, body);
    const bad = (what: string, v: string) => new ApiError(400, 3, `invalid request payload: ${what}: unknown ${v}`);
    for (const m of b.metrics) if (!ANALYTICS_METRICS.includes(m)) throw bad('metrics', m);
    for (const d of b.dimension) if (!ANALYTICS_DIMENSIONS.includes(d)) throw bad('dimension', d);
    for (const s of b.sort) if (!ANALYTICS_METRICS.includes(s.key)) throw bad('sort.key: metric', s.key);
    if (b.filters.some((f) => f.key === 'brand'))
      throw new ApiError(400, 3, 'invalid request payload: filters: brand cannot be filtered on');
    // without Premium Plus: two metrics, six dimensions, the last three months. The docs name no error for a
    // request beyond them: the sandbox refuses the metrics and dimensions as the Premium Plus methods (403 code 7
    // PREMIUM_PLUS_REQUIRED) and an older date_from as a bad parameter ("укажите дату в пределах последних трёх
    // месяцев")
    if (ctx.premium !== 'premium_plus') {
      const free = [...FREE_METRICS, ...FREE_DIMENSIONS] as readonly string[];
      const keys = [...b.metrics, ...b.dimension, ...b.sort.map((s) => s.key), ...b.filters.map((f) => f.key)];
      if (keys.some((k) => !free.includes(k))) needPremiumPlus(ctx);
      const earliest = earliestWithoutPremiumPlus(ctx.model.now());
      if (b.date_from < earliest)
        throw new ApiError(
          400,
          3,
          `invalid request payload: date_from: without Premium Plus, data of the last three months only (from ${earliest})`,
        );
    }
    const unmodelled = b.dimension.find((d) => !isModelledDimension(d));
    if (unmodelled)
      throw new ApiError(400, 3, `sandbox: dimension ${unmodelled} is not modelled (sku, spu, day, week, month, year)`);
    if (b.date_to < b.date_from)
      throw new ApiError(400, 3, 'invalid request payload: date_to must not be before date_from');
    const result = analyticsData(ctx.model, ctx.afterSale, {
      from: b.date_from,
      to: b.date_to,
      metrics: b.metrics,
      dimension: b.dimension,
      filters: b.filters,
      sort: b.sort,
      limit: b.limit,
      offset: b.offset,
    });
    return json(200, { result, timestamp: analyticsTimestamp(ctx.model.now()) });
  },
};
