/**
 * Stock methods (docs/06-pricesandstocksapi.md, swagger Prices&StocksAPI, ozon-api.md §3.8): the seller publishes
 * free units per (warehouse, offer) with /v2/products/stocks and reads Ozon's present / reserved / free with
 * /v2/product/info/stocks-by-warehouse/fbs and /v4/product/info/stocks. The model is in stock.ts.
 */
import { z } from 'zod';
import { productIdOf } from './catalogue.js';
import { int64, json, offsetPage, parse } from './http.js';
import { ApiError } from './model.js';
import type { Handler, RouteCtx } from './routes.js';
import { type Reservations, STOCK_LIMIT, STOCK_UPDATE_INTERVAL_MS } from './stock.js';
import type { SandboxProduct } from './types.js';

/** swagger v4Visibility plus the values docs/06 adds */
const VISIBILITY = [
  'ALL',
  'VISIBLE',
  'INVISIBLE',
  'EMPTY_STOCK',
  'NOT_MODERATED',
  'MODERATED',
  'DISABLED',
  'STATE_FAILED',
  'READY_TO_SUPPLY',
  'VALIDATION_STATE_PENDING',
  'VALIDATION_STATE_FAIL',
  'VALIDATION_STATE_SUCCESS',
  'TO_SUPPLY',
  'IN_SALE',
  'REMOVED_FROM_SALE',
  'BANNED',
  'OVERPRICED',
  'CRITICALLY_OVERPRICED',
  'EMPTY_BARCODE',
  'BARCODE_EXISTS',
  'QUARANTINE',
  'ARCHIVED',
  'OVERPRICED_WITH_STOCK',
  'PARTIAL_APPROVED',
  'AUTO_ARCHIVED',
  'MANUAL_ARCHIVED',
  'SEASONAL_AUTO_ARCHIVED',
  'VISIBLE_WITH_FBO_STOCK',
] as const;
/** Every catalogue product is moderated, visible and on sale: these filters list it, any other lists nothing. */
const VISIBLE_AS = new Set(['ALL', 'VISIBLE', 'MODERATED', 'IN_SALE']);

/** At most this many (offer, warehouse) pairs per call: "За один запрос можно изменить наличие для 100 пар". */
export const STOCKS_PER_CALL = 100;

const S = {
  update: z.object({ stocks: z.array(z.unknown()).min(1).max(STOCKS_PER_CALL) }),
  // proto3: 0 and '' mean "not given"
  item: z
    .object({
      offer_id: z.string().optional(),
      product_id: int64.optional(),
      stock: int64.refine((n) => n >= 0),
      warehouse_id: int64.refine((n) => n > 0),
      // switched off on 2025-06-26 (swagger); still accepted and ignored
      quant_size: int64.optional(),
    })
    .refine((it) => !!it.offer_id || !!it.product_id),
  byWarehouse: z.object({
    sku: z.array(int64).max(1000).optional(),
    offer_id: z.array(z.string()).max(1000).optional(),
    limit: z.number().int().min(1).max(1000),
    cursor: z.string().optional(),
  }),
  info: z.object({
    cursor: z.string().optional(),
    filter: z.object({
      offer_id: z.array(z.string()).optional(),
      product_id: z.array(int64).optional(),
      visibility: z.enum(VISIBILITY).optional(),
      with_quant: z.object({ created: z.boolean().optional(), exists: z.boolean().optional() }).optional(),
    }),
    limit: z.number().int().min(1).max(1000),
  }),
};

type StockItem = z.output<typeof S.item>;

/** One pair of /v2/products/stocks; errors are per item (swagger Частые ошибки for /v2/products/stocks). */
function updateOne(ctx: RouteCtx, it: StockItem, now: number) {
  const echo = { warehouse_id: it.warehouse_id, product_id: it.product_id ?? 0, offer_id: it.offer_id ?? '' };
  const fail = (base: typeof echo, code: string, message: string) => ({
    ...base,
    updated: false,
    errors: [{ code, message }],
  });
  // examples/response__v2_products_stocks__3.json
  if (!ctx.warehouses.some((w) => w.warehouse_id === it.warehouse_id))
    return fail(echo, 'WAREHOUSE_NOT_FOUND', `warehouse has wrong id: ${it.warehouse_id}`);
  // "Если запрос содержит оба параметра — offer_id и product_id, изменения применятся к товару с offer_id"
  const prod = it.offer_id
    ? ctx.products.find((p) => p.offer_id === it.offer_id)
    : ctx.products.find((p) => productIdOf(p) === it.product_id);
  if (!prod) {
    return it.offer_id
      ? fail(echo, 'offer_id_not_found', `product with offer_id ${it.offer_id} not found`)
      : fail(echo, 'NOT_FOUND_ERROR', `product with product_id ${it.product_id} not found`);
  }
  const base = { warehouse_id: it.warehouse_id, product_id: productIdOf(prod), offer_id: prod.offer_id };
  if (it.stock >= STOCK_LIMIT) return fail(base, 'STOCK_TOO_BIG', `stock must be less than ${STOCK_LIMIT}`);
  // the 30-second rule, on the sandbox clock; a refused update does not restart it
  const last = ctx.stocks.lastUpdate(it.warehouse_id, prod.offer_id);
  if (last !== null && now - last < STOCK_UPDATE_INTERVAL_MS)
    return fail(base, 'TOO_MANY_REQUESTS', 'Stock is updated too frequently');
  ctx.stocks.set(it.warehouse_id, prod.offer_id, it.stock, now);
  return { ...base, updated: true, errors: [] };
}

/** /v4/product/info/stocks `stocks[]`: one entry per warehouse type (fbs, rfbs) the seller has */
function stocksByType(ctx: RouteCtx, p: SandboxProduct, reserved: Reservations) {
  const types = [
    { type: 'fbs', warehouses: ctx.warehouses.filter((w) => !w.is_rfbs) },
    { type: 'rfbs', warehouses: ctx.warehouses.filter((w) => w.is_rfbs) },
  ].filter((t) => t.warehouses.length > 0);
  return types.map((t) => {
    let present = 0;
    let held = 0;
    const ids: string[] = [];
    for (const w of t.warehouses) {
      const v = ctx.stocks.view(w.warehouse_id, p.offer_id, reserved);
      present += v.present;
      held += v.reserved;
      // "склады, на которых хранился или хранится товар"
      if (v.present > 0 || ctx.stocks.known(w.warehouse_id, p.offer_id)) ids.push(String(w.warehouse_id));
    }
    return {
      sku: p.sku,
      present,
      reserved: held,
      type: t.type,
      shipment_type: 'SHIPMENT_TYPE_GENERAL',
      warehouse_ids: ids,
    };
  });
}

export const STOCK_ROUTES: Record<string, Handler> = {
  '/v2/products/stocks': (body, ctx) => {
    const b = parse(S.update, body);
    // every item is checked before any is applied: a malformed one fails the whole request, as Ozon's validation does
    const items = b.stocks.map((raw, i) => {
      const r = S.item.safeParse(raw);
      if (!r.success) {
        // the message Ozon documents for an item without warehouse_id (swagger Частые ошибки)
        throw new ApiError(
          400,
          3,
          `Request validation error: invalid ProductsStocksRequest.Stocks[${i}]: embedded message failed validation`,
        );
      }
      return r.data;
    });
    const now = ctx.model.now();
    return json(200, { result: items.map((it) => updateOne(ctx, it, now)) });
  },

  '/v2/product/info/stocks-by-warehouse/fbs': (body, ctx) => {
    const b = parse(S.byWarehouse, body);
    // `sku` is required in the docs; v1's description: "Передайте offer_id или sku. Если укажете оба, будет
    // использован только sku"
    const skus = b.sku ?? [];
    const offers = b.offer_id ?? [];
    if (skus.length === 0 && offers.length === 0)
      throw new ApiError(400, 3, 'invalid request payload: sku: pass sku or offer_id');
    const matched = ctx.products.filter((p) => (skus.length ? skus.includes(p.sku) : offers.includes(p.offer_id)));
    const reserved = ctx.stocks.reservations(ctx.model.order);
    // a row for every warehouse of the seller, in /v2/warehouse/list order
    const rows = matched.flatMap((p) =>
      ctx.warehouses.map((w) => {
        const v = ctx.stocks.view(w.warehouse_id, p.offer_id, reserved);
        return {
          sku: p.sku,
          offer_id: p.offer_id,
          product_id: productIdOf(p),
          warehouse_id: w.warehouse_id,
          warehouse_name: w.name,
          present: v.present,
          reserved: v.reserved,
          free_stock: v.free,
        };
      }),
    );
    const pg = offsetPage(rows, b.cursor, b.limit);
    return json(200, { products: pg.items, cursor: pg.cursor, has_next: pg.hasNext });
  },

  '/v4/product/info/stocks': (body, ctx) => {
    const b = parse(S.info, body);
    const f = b.filter;
    const visibility = f.visibility ?? 'ALL';
    const reserved = ctx.stocks.reservations(ctx.model.order);
    const matched = ctx.products.filter((p) => {
      if (f.offer_id?.length && !f.offer_id.includes(p.offer_id)) return false;
      if (f.product_id?.length && !f.product_id.includes(productIdOf(p))) return false;
      // "EMPTY_STOCK — товары, у которых не указано наличие"
      if (visibility === 'EMPTY_STOCK')
        return ctx.warehouses.every((w) => ctx.stocks.view(w.warehouse_id, p.offer_id, reserved).present === 0);
      return VISIBLE_AS.has(visibility);
    });
    const pg = offsetPage(matched, b.cursor, b.limit);
    return json(200, {
      items: pg.items.map((p) => ({
        offer_id: p.offer_id,
        product_id: productIdOf(p),
        stocks: stocksByType(ctx, p, reserved),
      })),
      cursor: pg.cursor,
      total: matched.length,
    });
  },
};

export const STOCK_ROUTE_PATHS: ReadonlySet<string> = new Set(Object.keys(STOCK_ROUTES));
/** no state change: no state-file write after them */
export const STOCK_READ_ONLY = ['/v2/product/info/stocks-by-warehouse/fbs', '/v4/product/info/stocks'];
