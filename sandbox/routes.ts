/**
 * HTTP endpoint handlers. Every handler receives the parsed JSON body and returns a Response.
 * Request shapes follow ozon-api.md §3 and docs/*.md; error bodies are rpcStatus `{code, message, details}`.
 * Stocks (routes-stock.ts), what must precede ship (routes-assembly.ts), the handover day (routes-handover.ts),
 * after-sale requests (routes-aftersale.ts), chats (routes-chat.ts), the seller's rating (routes-rating.ts) and
 * analytics (routes-analytics.ts) are gathered here.
 */
import { z } from 'zod';
import type { AfterSale } from './aftersale.js';
import { ACCRUAL_TYPES, CANCEL_REASONS } from './catalogue.js';
import type { Chats } from './chat.js';
import { mandatoryMarksOf } from './exemplars.js';
import type { Handover } from './handover.js';
import { decodeCursor, encodeCursor, int64, json, offsetPage, parse } from './http.js';
import { ApiError, FINAL_STATUSES, iso, type Model, type Posting } from './model.js';
import { labelPdf } from './pdf.js';
import type { Rating } from './rating.js';
import type { Rng } from './rng.js';
import { AFTERSALE_READ_ONLY, AFTERSALE_ROUTES } from './routes-aftersale.js';
import { ANALYTICS_READ_ONLY, ANALYTICS_ROUTES } from './routes-analytics.js';
import { ASSEMBLY_READ_ONLY, ASSEMBLY_ROUTES } from './routes-assembly.js';
import { CHAT_READ_ONLY, CHAT_ROUTES } from './routes-chat.js';
import { HANDOVER_READ_ONLY, HANDOVER_ROUTES } from './routes-handover.js';
import { RATING_READ_ONLY, RATING_ROUTES } from './routes-rating.js';
import { STOCK_READ_ONLY, STOCK_ROUTE_PATHS, STOCK_ROUTES } from './routes-stock.js';
import type { StockBook } from './stock.js';
import type { PremiumPlan, SandboxProduct, SandboxWarehouse } from './types.js';

export { json, rpcError } from './http.js';

export interface RouteCtx {
  model: Model;
  /** carriages (acts) and label tasks: handover.ts */
  handover: Handover;
  /** cancellation requests and returns: aftersale.ts */
  afterSale: AfterSale;
  /** chats with buyers: chat.ts */
  chats: Chats;
  /** the seller's rating: rating.ts */
  rating: Rating;
  /** the seller's subscription (SandboxOptions.premium) */
  premium: PremiumPlan;
  /** the seller's id (company_id of /v1/returns/list) */
  sellerId: number;
  /** the sandbox's own URL (`OzonSandbox.url`), for the file links it serves */
  baseUrl: string;
  rng: Rng;
  products: SandboxProduct[];
  warehouses: SandboxWarehouse[];
  stocks: StockBook;
  /** list the stock methods in /v1/roles (SandboxOptions.stockRole) */
  stockRole: boolean;
  getPushUrl(): string | undefined;
  startedAt: number;
}

export type Handler = (body: unknown, ctx: RouteCtx) => Response;

// ------------------------------------------------------------------ schemas

const dateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an RFC 3339 date-time');
const withBlock = z
  .object({
    analytics_data: z.boolean().optional(),
    barcodes: z.boolean().optional(),
    financial_data: z.boolean().optional(),
    legal_info: z.boolean().optional(),
    product_exemplars: z.boolean().optional(),
    related_postings: z.boolean().optional(),
    translit: z.boolean().optional(),
  })
  .optional();
const sortDir = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(['ASC', 'DESC']))
  .optional();
const period = z.object({ from: dateTime.optional(), to: dateTime.optional() }).optional();
const commonFilter = {
  statuses: z.array(z.string()).optional(),
  warehouse_ids: z.array(int64).optional(),
  delivery_method_ids: z.array(int64).optional(),
  provider_ids: z.array(int64).optional(),
  last_changed_status_date: period,
};

const S = {
  get: z.object({ posting_number: z.string().min(1), with: withBlock }),
  unfulfilled: z.object({
    cursor: z.string().optional(),
    limit: z.number().int().min(1).max(100).optional(),
    sort_dir: sortDir,
    translit: z.boolean().optional(),
    filter: z
      .object({
        ...commonFilter,
        cutoff_from: dateTime.optional(),
        cutoff_to: dateTime.optional(),
        delivering_date_from: dateTime.optional(),
        delivering_date_to: dateTime.optional(),
      })
      .optional(),
    with: withBlock,
  }),
  list: z.object({
    cursor: z.string().optional(),
    limit: z.number().int().min(1).max(100),
    sort_dir: sortDir,
    translit: z.boolean().optional(),
    filter: z.object({
      ...commonFilter,
      since: dateTime,
      to: dateTime,
      order_id: int64.optional(),
      order_numbers: z.array(z.string()).max(100).optional(),
    }),
    with: withBlock,
  }),
  ship: z.object({
    posting_number: z.string().min(1),
    packages: z
      .array(
        z.object({
          products: z.array(z.object({ product_id: int64, quantity: z.number().int().min(1) })).min(1),
        }),
      )
      .min(1),
    with: z.object({ additional_data: z.boolean().optional() }).optional(),
  }),
  label: z.object({ posting_number: z.array(z.string().min(1)).min(1).max(20) }),
  cancel: z.object({
    posting_number: z.string().min(1),
    cancel_reason_id: int64,
    cancel_reason_message: z.string().optional(),
  }),
  productCancel: z.object({
    posting_number: z.string().min(1),
    cancel_reason_id: int64,
    cancel_reason_message: z.string(),
    items: z.array(z.object({ sku: int64, quantity: z.number().int() })).min(1),
  }),
  cancelReason: z.object({ related_posting_numbers: z.array(z.string()).min(1) }),
  tracking: z.object({
    tracking_numbers: z
      .array(z.object({ posting_number: z.string().min(1), tracking_number: z.string().min(1) }))
      .min(1)
      .max(20),
  }),
  postingNumbers: z.object({ posting_number: z.array(z.string().min(1)).min(1) }),
  accruals: z.object({ posting_numbers: z.array(z.string()).min(1).max(200) }),
  warehouses: z.object({
    limit: z.number().int().min(1).max(200),
    cursor: z.string().optional(),
    warehouse_ids: z.array(int64).max(200).optional(),
  }),
  // docs/21-deliveryrfbs.md, swagger v1SetPostingCutoffRequest: both required, new_cutoff_date a date-time
  cutoff: z.object({ posting_number: z.string().min(1), new_cutoff_date: dateTime }),
  // docs/14-fbs.md, swagger v1GetRestrictionsRequest
  restrictions: z.object({ posting_number: z.string().min(1) }),
  empty: z.object({}).passthrough(),
};

// ------------------------------------------------------------------ cursors

type ListKey = { t: number; n: string };
const isListKey = (v: unknown): v is ListKey =>
  typeof v === 'object' && v !== null && typeof (v as ListKey).t === 'number' && typeof (v as ListKey).n === 'string';

function page(
  ctx: RouteCtx,
  matched: Posting[],
  opts: { cursor?: string; limit: number; dir: 'ASC' | 'DESC'; with?: Record<string, unknown> },
) {
  const sign = opts.dir === 'DESC' ? -1 : 1;
  const cmp = (a: ListKey, b: ListKey) => sign * (a.t - b.t || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
  const keyOf = (p: Posting): ListKey => ({ t: p.createdAt, n: p.posting_number });
  const sorted = matched.slice().sort((a, b) => cmp(keyOf(a), keyOf(b)));
  const after = decodeCursor(opts.cursor, isListKey);
  const rest = after ? sorted.filter((p) => cmp(keyOf(p), after) > 0) : sorted;
  const items = rest.slice(0, opts.limit);
  const hasNext = rest.length > items.length;
  const last = items[items.length - 1];
  return {
    postings: items.map((p) => ctx.model.renderV4(p, opts.with ?? {})),
    has_next: hasNext,
    cursor: hasNext && last ? encodeCursor(keyOf(last)) : '',
  };
}

type CommonFilter = {
  statuses?: string[];
  warehouse_ids?: number[];
  delivery_method_ids?: number[];
  provider_ids?: number[];
  last_changed_status_date?: { from?: string; to?: string };
};

function matchCommon(ctx: RouteCtx, p: Posting, f: CommonFilter | undefined): boolean {
  if (!f) return true;
  if (f.statuses?.length && !f.statuses.includes(p.status)) return false;
  if (f.warehouse_ids?.length && !f.warehouse_ids.includes(p.warehouse.warehouse_id)) return false;
  const dm = ctx.model.deliveryMethod(p);
  if (f.delivery_method_ids?.length && !f.delivery_method_ids.includes(dm.id)) return false;
  if (f.provider_ids?.length && !f.provider_ids.includes(dm.tpl_provider_id)) return false;
  const lc = f.last_changed_status_date;
  if (lc?.from && p.lastChangedAt < Date.parse(lc.from)) return false;
  if (lc?.to && p.lastChangedAt > Date.parse(lc.to)) return false;
  return true;
}

const inRange = (v: number | null, from?: string, to?: string) => {
  if (from === undefined && to === undefined) return true;
  if (v === null) return false;
  if (from !== undefined && v < Date.parse(from)) return false;
  if (to !== undefined && v > Date.parse(to)) return false;
  return true;
};

const UNFULFILLED_FORBIDDEN = new Set(['delivered', 'cancelled', 'sent_by_seller']);
const YEAR_MS = 366 * 24 * 3_600_000;

// ------------------------------------------------------------------ handlers

function rfbsBatch(
  ctx: RouteCtx,
  items: { posting_number: string; tracking_number?: string }[],
  action: 'tracking' | 'delivering' | 'last-mile' | 'delivered',
) {
  // docs/21-deliveryrfbs.md: per-item {error (string), posting_number, result}
  return json(200, {
    result: items.map((it) => {
      const error = ctx.model.rfbsAction(it.posting_number, action, it.tracking_number);
      return { error, posting_number: it.posting_number, result: error === '' };
    }),
  });
}

function warehouseView(w: SandboxWarehouse, startedAt: number) {
  return {
    warehouse_id: w.warehouse_id,
    name: w.name,
    status: 'created',
    is_rfbs: w.is_rfbs,
    is_kgt: false,
    is_express: false,
    is_comfort: false,
    is_auto_assembly: false,
    is_waybill_enabled: false,
    has_entrusted_acceptance: !!w.entrustedAcceptance,
    has_postings_limit: false,
    postings_limit: -1,
    min_postings_limit: 0,
    with_item_list: false,
    carriage_label_type: 'BIG',
    first_mile: w.is_rfbs
      ? null
      : {
          type: 'DROP_OFF',
          dropoff_point_id: '1020002075314000',
          timeslot_id: 0,
          timeslot_from: '',
          timeslot_to: '',
          first_mile_is_changing: false,
        },
    working_days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'],
    timetable: null,
    cut_in_time: 0,
    sla_cut_in: 1440,
    pause_at: null,
    warehouse_type: w.is_rfbs ? 'RFBS' : 'FBS',
    phone: '+79990000001',
    courier_comment: '',
    courier_phones: [],
    address_info: { address: 'Россия, Москва, ул. Складская, 1', latitude: 55.75, longitude: 37.61, utc: 'UTC+03:00' },
    created_at: iso(startedAt),
    updated_at: iso(startedAt),
  };
}

export const PUSH_TYPES = [
  { type: 'TYPE_NEW_POSTING', description: 'Новое отправление' },
  { type: 'TYPE_POSTING_CANCELLED', description: 'Отмена отправления' },
  { type: 'TYPE_STATE_CHANGED', description: 'Изменение статуса отправления' },
  // a buyer's message (chat.ts); docs/41's description
  { type: 'TYPE_NEW_MESSAGE', description: 'Новое сообщение в чате' },
];

/**
 * Methods that never change state: no state-file write after them. Any other method is followed by a check (and a
 * write if the state changed) before its answer is sent.
 */
export const READ_ONLY_ROUTES = new Set([
  '/v3/posting/fbs/get',
  '/v4/posting/fbs/unfulfilled/list',
  '/v4/posting/fbs/list',
  '/v2/posting/fbs/package-label',
  '/v1/posting/fbs/cancel-reason',
  '/v2/posting/fbs/cancel-reason/list',
  '/v1/finance/accrual/postings',
  '/v1/finance/accrual/types',
  '/v1/roles',
  '/v2/warehouse/list',
  '/v1/notification/list',
  '/v1/posting/fbs/restrictions',
  ...STOCK_READ_ONLY,
  ...ASSEMBLY_READ_ONLY,
  ...HANDOVER_READ_ONLY,
  ...AFTERSALE_READ_ONLY,
  ...CHAT_READ_ONLY,
  ...RATING_READ_ONLY,
  ...ANALYTICS_READ_ONLY,
]);

export const ROUTES: Record<string, Handler> = {
  '/v3/posting/fbs/get': (body, ctx) => {
    const b = parse(S.get, body);
    const p = ctx.model.get(b.posting_number);
    return json(200, { result: ctx.model.renderV3(p, b.with ?? {}) });
  },

  '/v4/posting/fbs/unfulfilled/list': (body, ctx) => {
    const b = parse(S.unfulfilled, body);
    const f = b.filter;
    const byCutoff = f?.cutoff_from !== undefined || f?.cutoff_to !== undefined;
    const byDelivering = f?.delivering_date_from !== undefined || f?.delivering_date_to !== undefined;
    if (byCutoff && byDelivering) {
      throw new ApiError(
        400,
        3,
        'invalid request payload: use either cutoff_from/cutoff_to or delivering_date_from/delivering_date_to',
      );
    }
    const bad = f?.statuses?.find((s) => UNFULFILLED_FORBIDDEN.has(s));
    if (bad) throw new ApiError(400, 3, `invalid request payload: filter.statuses: status ${bad} is not allowed here`);
    const matched = ctx.model.order.filter(
      (p) =>
        !UNFULFILLED_FORBIDDEN.has(p.status) &&
        !FINAL_STATUSES.has(p.status) &&
        matchCommon(ctx, p, f) &&
        inRange(p.shipmentDate, f?.cutoff_from, f?.cutoff_to) &&
        inRange(p.deliveringDate, f?.delivering_date_from, f?.delivering_date_to),
    );
    const res = page(ctx, matched, { cursor: b.cursor, limit: b.limit ?? 100, dir: b.sort_dir ?? 'ASC', with: b.with });
    return json(200, {
      count: res.postings.length,
      cursor: res.cursor,
      has_next: res.has_next,
      postings: res.postings,
    });
  },

  '/v4/posting/fbs/list': (body, ctx) => {
    const b = parse(S.list, body);
    const f = b.filter;
    const since = Date.parse(f.since);
    const to = Date.parse(f.to);
    if (to < since) throw new ApiError(400, 3, 'invalid request payload: filter.to must not be before filter.since');
    if (to - since > YEAR_MS)
      throw new ApiError(400, 3, 'invalid request payload: the period must not exceed one year');
    const matched = ctx.model.order.filter(
      (p) =>
        p.createdAt >= since &&
        p.createdAt <= to &&
        matchCommon(ctx, p, f) &&
        (f.order_id === undefined || p.order_id === f.order_id) &&
        (!f.order_numbers?.length || f.order_numbers.includes(p.order_number)),
    );
    const res = page(ctx, matched, { cursor: b.cursor, limit: b.limit, dir: b.sort_dir ?? 'ASC', with: b.with });
    return json(200, { cursor: res.cursor, has_next: res.has_next, postings: res.postings });
  },

  '/v4/posting/fbs/ship': (body, ctx) => {
    const b = parse(S.ship, body);
    const p = ctx.model.get(b.posting_number);
    // one package: [the posting]; several: the postings it was split into, one per package
    const shipped = ctx.model.ship(p, b.packages);
    const res: Record<string, unknown> = { result: shipped.map((q) => q.posting_number) };
    if (b.with?.additional_data) {
      // examples/response__v4_posting_fbs_ship__2.json
      res.additional_data = shipped.map((q) => ({
        posting_number: q.posting_number,
        products: q.lines.map((l) => ({
          sku: l.sku,
          offer_id: l.offer_id,
          name: l.name,
          price: l.price,
          quantity: l.quantity,
          currency_code: 'RUB',
          mandatory_mark: mandatoryMarksOf(q, l.sku),
        })),
      }));
    }
    return json(200, res);
  },

  '/v2/posting/fbs/package-label': (body, ctx) => {
    const b = parse(S.label, body);
    const ps = b.posting_number.map((pn) => ctx.model.get(pn));
    // docs/00-overview.md error table for /v2/posting/fbs/package-label: one bad posting fails the batch — also one
    // whose label a scenario holds back (`labelUnprinted`, counted down by label tasks only: this call has no partial
    // outcome to report it in)
    if (ps.some((p) => p.status !== 'awaiting_deliver' || p.labelUnprinted > 0)) {
      throw new ApiError(400, 3, "The next postings aren't ready");
    }
    const pdf = labelPdf(
      ps.map((p) => p.posting_number),
      iso(ctx.model.now()),
    );
    return new Response(pdf, { status: 200, headers: { 'Content-Type': 'application/pdf' } });
  },

  '/v2/posting/fbs/cancel': (body, ctx) => {
    const b = parse(S.cancel, body);
    const p = ctx.model.get(b.posting_number);
    ctx.model.sellerCancel(p, b.cancel_reason_id, b.cancel_reason_message ?? '');
    return json(200, { result: true });
  },

  '/v2/posting/fbs/product/cancel': (body, ctx) => {
    const b = parse(S.productCancel, body);
    const p = ctx.model.get(b.posting_number);
    ctx.model.productCancel(p, b.cancel_reason_id, b.cancel_reason_message, b.items);
    return json(200, { result: p.posting_number });
  },

  '/v1/posting/fbs/cancel-reason': (body, ctx) => {
    const b = parse(S.cancelReason, body);
    return json(200, {
      result: b.related_posting_numbers
        .filter((pn) => ctx.model.postings.has(pn))
        .map((pn) => ({
          posting_number: pn,
          reasons: ctx.model
            .cancelReasonsFor(ctx.model.get(pn))
            .map((r) => ({ id: r.id, title: r.title, type_id: r.type_id })),
        })),
    });
  },

  '/v2/posting/fbs/cancel-reason/list': () =>
    json(200, {
      result: CANCEL_REASONS.map((r) => ({
        id: r.id,
        title: r.title,
        type_id: r.type_id,
        is_available_for_cancellation: [352, 400, 402].includes(r.id),
      })),
    }),

  '/v2/fbs/posting/tracking-number/set': (body, ctx) =>
    rfbsBatch(ctx, parse(S.tracking, body).tracking_numbers, 'tracking'),
  '/v2/fbs/posting/delivering': (body, ctx) =>
    rfbsBatch(
      ctx,
      parse(S.postingNumbers, body).posting_number.map((posting_number) => ({ posting_number })),
      'delivering',
    ),
  '/v2/fbs/posting/last-mile': (body, ctx) =>
    rfbsBatch(
      ctx,
      parse(S.postingNumbers, body).posting_number.map((posting_number) => ({ posting_number })),
      'last-mile',
    ),
  '/v2/fbs/posting/delivered': (body, ctx) =>
    rfbsBatch(
      ctx,
      parse(S.postingNumbers, body).posting_number.map((posting_number) => ({ posting_number })),
      'delivered',
    ),

  '/v1/posting/cutoff/set': (body, ctx) => {
    const b = parse(S.cutoff, body);
    const p = ctx.model.get(b.posting_number);
    ctx.model.setCutoff(p, Date.parse(b.new_cutoff_date));
    // swagger v1SetPostingCutoffResponse: `true`, если установлена новая дата
    return json(200, { result: true });
  },

  '/v1/posting/fbs/restrictions': (body, ctx) => {
    const b = parse(S.restrictions, body);
    const p = ctx.model.get(b.posting_number);
    // swagger v1GetRestrictionsResponse / v1Restriction
    return json(200, { result: { posting_number: p.posting_number, ...ctx.model.restrictions(p) } });
  },

  '/v1/finance/accrual/postings': (body, ctx) => {
    const b = parse(S.accruals, body);
    return json(200, {
      posting_accruals: b.posting_numbers
        .filter((pn) => ctx.model.postings.has(pn))
        .map((pn) => {
          const p = ctx.model.get(pn);
          // the sale's accruals, then the reversals of its refunds (aftersale.ts)
          return { posting_number: pn, accruals: [...ctx.model.accruals(p), ...ctx.afterSale.accruals(p)] };
        }),
    });
  },

  '/v1/finance/accrual/types': () => json(200, { accrual_types: Object.values(ACCRUAL_TYPES) }),

  '/v1/roles': (body, ctx) => {
    parse(S.empty, body);
    // The stock methods have their own role, which a key may lack (stockRole: false, for `npm run doctor`'s
    // missing-role path); the sandbox answers them either way (it enforces no role).
    const methods = Object.keys(ROUTES).filter((m) => !STOCK_ROUTE_PATHS.has(m));
    const pick = (re: RegExp) => methods.filter((m) => re.test(m));
    return json(200, {
      expires_at: iso(ctx.model.now() + 180 * 24 * 3_600_000),
      roles: [
        // the after-sale methods (returns, cancellation requests) go with the postings' methods
        { name: 'Posting FBS', methods: pick(/posting|fbs|carriage|returns|conditional-cancellation/) },
        { name: 'Finance', methods: pick(/finance/) },
        { name: 'Warehouse', methods: pick(/warehouse/) },
        { name: 'Chat', methods: pick(/chat/) },
        // sandbox's role name: the docs do not name Ozon's roles
        { name: 'Analytics', methods: pick(/analytics|rating/) },
        { name: 'Notification', methods: pick(/notification/) },
        { name: 'Roles', methods: pick(/roles/) },
        ...(ctx.stockRole ? [{ name: 'Prices & Stocks', methods: [...STOCK_ROUTE_PATHS] }] : []),
      ],
    });
  },

  '/v2/warehouse/list': (body, ctx) => {
    const b = parse(S.warehouses, body);
    const all = ctx.warehouses.filter((w) => !b.warehouse_ids?.length || b.warehouse_ids.includes(w.warehouse_id));
    const pg = offsetPage(all, b.cursor, b.limit);
    return json(200, {
      warehouses: pg.items.map((w) => warehouseView(w, ctx.startedAt)),
      cursor: pg.cursor,
      has_next: pg.hasNext,
    });
  },

  '/v1/notification/list': (_body, ctx) => {
    const url = ctx.getPushUrl();
    return json(200, {
      urls: url ? [{ created_at: iso(ctx.startedAt), enable: true, id: 1, types: PUSH_TYPES, url }] : [],
    });
  },

  ...STOCK_ROUTES,
  ...ASSEMBLY_ROUTES,
  ...HANDOVER_ROUTES,
  ...AFTERSALE_ROUTES,
  ...CHAT_ROUTES,
  ...RATING_ROUTES,
  ...ANALYTICS_ROUTES,
};
