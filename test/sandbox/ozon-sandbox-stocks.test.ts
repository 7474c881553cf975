/** Ozon's stock per (warehouse, offer): /v2/products/stocks, the two read methods, reservations, limits, state. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRODUCTS, manualClock } from '../../sandbox/index.js';
import { call, get, HOUR, type Json, onCleanup, runCleanups, shipBody, start } from './helpers.js';

afterEach(runCleanups);

const FBS = 1020000075732000;
const RFBS = 1020000075733000;
const MUG = { offer_id: 'MUG-350-WHT', sku: 1473290011, product_id: 873402101 };
const TEA = { offer_id: 'TEA-GRN-100', sku: 1473290028, product_id: 873402102 };
const STOCKS = '/v2/products/stocks';
const BY_WAREHOUSE = '/v2/product/info/stocks-by-warehouse/fbs';
const INFO = '/v4/product/info/stocks';

const update = (stocks: Json[]) => ({ stocks });

describe('/v2/products/stocks and Ozon reservations', () => {
  it('stock sets the free units; postings reserve until handed over, cancellations give them back', async () => {
    const { sb, clock } = await start();
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 0, reserved: 0, free: 0 });

    const set = await call(
      sb,
      STOCKS,
      update([
        { offer_id: MUG.offer_id, stock: 10, warehouse_id: FBS },
        { product_id: TEA.product_id, stock: 5, warehouse_id: String(RFBS) },
      ]),
    );
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      result: [
        { warehouse_id: FBS, product_id: MUG.product_id, offer_id: MUG.offer_id, updated: true, errors: [] },
        { warehouse_id: RFBS, product_id: TEA.product_id, offer_id: TEA.offer_id, updated: true, errors: [] },
      ],
    });
    expect(sb.stockOf(RFBS, TEA.offer_id)).toEqual({ present: 5, reserved: 0, free: 5 });

    // an order reserves: present stays, free drops
    const pn = sb.createPosting({ lines: [{ offer_id: MUG.offer_id, quantity: 3 }] }).posting_number;
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 10, reserved: 3, free: 7 });

    const byWh = await call(sb, BY_WAREHOUSE, { sku: [String(MUG.sku)], limit: 10 });
    expect(byWh.body).toEqual({
      products: [
        {
          sku: MUG.sku,
          offer_id: MUG.offer_id,
          product_id: MUG.product_id,
          warehouse_id: FBS,
          warehouse_name: 'Склад FBS Москва',
          present: 10,
          reserved: 3,
          free_stock: 7,
        },
        expect.objectContaining({ warehouse_id: RFBS, present: 0, reserved: 0, free_stock: 0 }),
      ],
      cursor: '',
      has_next: false,
    });
    const info = await call(sb, INFO, { filter: { offer_id: [MUG.offer_id], visibility: 'ALL' }, limit: 100 });
    expect(info.body).toEqual({
      items: [
        {
          offer_id: MUG.offer_id,
          product_id: MUG.product_id,
          stocks: [
            {
              sku: MUG.sku,
              present: 10,
              reserved: 3,
              type: 'fbs',
              shipment_type: 'SHIPMENT_TYPE_GENERAL',
              warehouse_ids: [String(FBS)],
            },
            {
              sku: MUG.sku,
              present: 0,
              reserved: 0,
              type: 'rfbs',
              shipment_type: 'SHIPMENT_TYPE_GENERAL',
              warehouse_ids: [],
            },
          ],
        },
      ],
      cursor: '',
      total: 1,
    });

    // the seller counts 23 on the shelf, 3 of them reserved: publishes 20 (docs: stock excludes reserved units)
    clock.advance(30_000);
    await call(sb, STOCKS, update([{ offer_id: MUG.offer_id, stock: 20, warehouse_id: FBS }]));
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 23, reserved: 3, free: 20 });

    // assembled: still on the seller's warehouse, still reserved; handed over: the units left
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json))).status).toBe(200);
    clock.advance(30_000);
    expect((await get(sb, pn)).status).toBe('awaiting_deliver');
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 23, reserved: 3, free: 20 });
    clock.advance(2 * HOUR);
    expect((await get(sb, pn)).status).toBe('delivering');
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 20, reserved: 0, free: 20 });

    // cancelled before hand-over: the units are for sale again
    const c = sb.createPosting({ lines: [{ offer_id: MUG.offer_id, quantity: 2 }] }).posting_number;
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 20, reserved: 2, free: 18 });
    sb.cancelByBuyer(c);
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 20, reserved: 0, free: 20 });

    // products cancelled from a posting: those units only
    const part = sb.createPosting({ lines: [{ offer_id: MUG.offer_id, quantity: 3 }] }).posting_number;
    const pc = await call(sb, '/v2/posting/fbs/product/cancel', {
      posting_number: part,
      cancel_reason_id: 352,
      cancel_reason_message: 'out of stock',
      items: [{ sku: MUG.sku, quantity: 1 }],
    });
    expect(pc.status).toBe(200);
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 20, reserved: 2, free: 18 });
    const seller = await call(sb, '/v2/posting/fbs/cancel', { posting_number: part, cancel_reason_id: 352 });
    expect(seller.status).toBe(200);
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 20, reserved: 0, free: 20 });

    // adopted: assembled by hand reserves, already handed over does not; an oversold order takes free to 0
    sb.createPosting({ startAt: 'delivering', lines: [{ offer_id: TEA.offer_id, quantity: 1 }] });
    sb.createPosting({ startAt: 'awaiting_deliver', lines: [{ offer_id: MUG.offer_id, quantity: 1 }] });
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 20, reserved: 1, free: 19 });
    sb.createPosting({ lines: [{ offer_id: TEA.offer_id, quantity: 2 }] });
    expect(sb.stockOf(FBS, TEA.offer_id)).toEqual({ present: 2, reserved: 2, free: 0 });
  });

  it('answers Ozon per-item errors, and refuses a malformed or oversized request whole', async () => {
    const { sb, clock } = await start();
    const r = await call(
      sb,
      STOCKS,
      update([
        { offer_id: MUG.offer_id, stock: 1, warehouse_id: 1 },
        { offer_id: 'NOPE', stock: 1, warehouse_id: FBS },
        { product_id: 42, stock: 1, warehouse_id: FBS },
        { offer_id: TEA.offer_id, product_id: 42, stock: 999_999, warehouse_id: FBS },
        { offer_id: MUG.offer_id, stock: 1_000_000, warehouse_id: FBS },
        { offer_id: MUG.offer_id, stock: 4, warehouse_id: FBS },
        { product_id: MUG.product_id, stock: 5, warehouse_id: FBS },
      ]),
    );
    expect(r.status).toBe(200);
    const fail = (code: string, message: string) => ({ updated: false, errors: [{ code, message }] });
    expect(r.body.result).toEqual([
      {
        warehouse_id: 1,
        product_id: 0,
        offer_id: MUG.offer_id,
        ...fail('WAREHOUSE_NOT_FOUND', 'warehouse has wrong id: 1'),
      },
      {
        warehouse_id: FBS,
        product_id: 0,
        offer_id: 'NOPE',
        ...fail('offer_id_not_found', 'product with offer_id NOPE not found'),
      },
      {
        warehouse_id: FBS,
        product_id: 42,
        offer_id: '',
        ...fail('NOT_FOUND_ERROR', 'product with product_id 42 not found'),
      },
      // both ids: offer_id wins
      { warehouse_id: FBS, product_id: TEA.product_id, offer_id: TEA.offer_id, updated: true, errors: [] },
      {
        warehouse_id: FBS,
        product_id: MUG.product_id,
        offer_id: MUG.offer_id,
        ...fail('STOCK_TOO_BIG', 'stock must be less than 1000000'),
      },
      { warehouse_id: FBS, product_id: MUG.product_id, offer_id: MUG.offer_id, updated: true, errors: [] },
      // the same pair again within 30 s (here: in the same call)
      {
        warehouse_id: FBS,
        product_id: MUG.product_id,
        offer_id: MUG.offer_id,
        ...fail('TOO_MANY_REQUESTS', 'Stock is updated too frequently'),
      },
    ]);
    expect(sb.stockOf(FBS, MUG.offer_id).free).toBe(4);
    expect(sb.stockOf(FBS, TEA.offer_id).free).toBe(999_999);

    // 30 s on the sandbox clock, counted from the accepted update
    clock.advance(29_999);
    const early = await call(sb, STOCKS, update([{ offer_id: MUG.offer_id, stock: 6, warehouse_id: FBS }]));
    expect(early.body.result[0].errors[0].code).toBe('TOO_MANY_REQUESTS');
    clock.advance(1);
    const onTime = await call(sb, STOCKS, update([{ offer_id: MUG.offer_id, stock: 6, warehouse_id: FBS }]));
    expect(onTime.body.result[0]).toMatchObject({ updated: true, errors: [] });
    // another warehouse is another pair
    const rfbs = await call(sb, STOCKS, update([{ offer_id: MUG.offer_id, stock: 1, warehouse_id: RFBS }]));
    expect(rfbs.body.result[0].updated).toBe(true);

    clock.advance(60_000);
    const ok = { offer_id: MUG.offer_id, stock: 7, warehouse_id: FBS };
    const tooMany = await call(sb, STOCKS, update(Array.from({ length: 101 }, () => ok)));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ code: 3, details: [] });
    expect(tooMany.body.message).toMatch(/^invalid request payload: stocks/);
    expect((await call(sb, STOCKS, update([]))).status).toBe(400);
    expect((await call(sb, STOCKS, {})).status).toBe(400);
    for (const bad of [
      { offer_id: MUG.offer_id, stock: 7 },
      { stock: 7, warehouse_id: FBS },
      { offer_id: MUG.offer_id, stock: -1, warehouse_id: FBS },
      { offer_id: MUG.offer_id, stock: 1.5, warehouse_id: FBS },
    ]) {
      const res = await call(sb, STOCKS, update([ok, bad]));
      expect([res.status, res.body]).toEqual([
        400,
        {
          code: 3,
          message:
            'Request validation error: invalid ProductsStocksRequest.Stocks[1]: embedded message failed validation',
          details: [],
        },
      ]);
    }
    // nothing of a refused request was applied
    expect(sb.stockOf(FBS, MUG.offer_id).free).toBe(6);
    const up100 = await call(
      sb,
      STOCKS,
      update([ok, ...Array.from({ length: 99 }, (_, i) => ({ ...ok, warehouse_id: 1 + i }))]),
    );
    expect(up100.body.result).toHaveLength(100);
    expect(sb.stockOf(FBS, MUG.offer_id).free).toBe(7);
  });

  it('80 calls a minute per account (real time), then HTTP 429 code 8; other methods go on', async () => {
    const { sb } = await start();
    const body = update([{ offer_id: MUG.offer_id, stock: 1, warehouse_id: FBS }]);
    // under the 50-per-second limit: 45, a second's pause, 35
    const first = await Promise.all(Array.from({ length: 45 }, () => call(sb, STOCKS, body)));
    await new Promise((r) => setTimeout(r, 1050));
    const second = await Promise.all(Array.from({ length: 35 }, () => call(sb, STOCKS, body)));
    expect([...first, ...second].every((r) => r.status === 200)).toBe(true);
    const over = await call(sb, STOCKS, body);
    expect([over.status, over.body]).toEqual([
      429,
      { code: 8, message: 'You have reached request rate limit per second' },
    ]);
    expect((await call(sb, BY_WAREHOUSE, { sku: [MUG.sku], limit: 1 })).status).toBe(200);
    expect(sb.calls.filter((c) => c.path === STOCKS).map((c) => c.status)).toEqual([...Array(80).fill(200), 429]);

    const { sb: open } = await start({ enforceRateLimit: false });
    const res = await Promise.all(Array.from({ length: 90 }, () => call(open, STOCKS, body)));
    expect(res.every((r) => r.status === 200)).toBe(true);
  });
});

describe('stock reads', () => {
  it('stocks-by-warehouse/fbs: by sku (or offer_id), a row per warehouse, cursor pages', async () => {
    const { sb } = await start({ initialStock: 4 });
    const skus = DEFAULT_PRODUCTS.slice(0, 3).map((p) => p.sku);
    const p1 = await call(sb, BY_WAREHOUSE, { sku: skus, offer_id: ['KETTLE-17L'], limit: 4 });
    expect(p1.body.products).toHaveLength(4);
    expect(p1.body.has_next).toBe(true);
    const p2 = await call(sb, BY_WAREHOUSE, { sku: skus, limit: 4, cursor: p1.body.cursor });
    expect([p2.body.products.length, p2.body.has_next, p2.body.cursor]).toEqual([2, false, '']);
    const rows = [...p1.body.products, ...p2.body.products];
    // sku wins over offer_id; every row at initialStock
    expect(rows.map((r: Json) => [r.sku, r.warehouse_id])).toEqual(
      skus.flatMap((s) => [
        [s, FBS],
        [s, RFBS],
      ]),
    );
    expect(rows.every((r: Json) => r.present === 4 && r.reserved === 0 && r.free_stock === 4)).toBe(true);

    const byOffer = await call(sb, BY_WAREHOUSE, { offer_id: ['KETTLE-17L', 'NOPE'], limit: 10 });
    expect(byOffer.body.products.map((r: Json) => r.offer_id)).toEqual(['KETTLE-17L', 'KETTLE-17L']);
    expect((await call(sb, BY_WAREHOUSE, { sku: [], limit: 10 })).status).toBe(400);
    expect((await call(sb, BY_WAREHOUSE, { sku: skus })).status).toBe(400);
    expect((await call(sb, BY_WAREHOUSE, { sku: skus, limit: 1001 })).status).toBe(400);
    expect((await call(sb, BY_WAREHOUSE, { sku: skus, limit: 1, cursor: 'bogus' })).body.message).toBe(
      'invalid cursor',
    );
  });

  it('/v4/product/info/stocks: filters, visibility, cursor and total', async () => {
    const { sb } = await start();
    sb.setStock(FBS, TEA.offer_id, 3);
    const all: Json[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(sb, INFO, { filter: {}, limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.body.total).toBe(DEFAULT_PRODUCTS.length);
      all.push(...page.body.items);
      cursor = page.body.cursor || undefined;
    } while (cursor);
    expect(all.map((i) => i.offer_id)).toEqual(DEFAULT_PRODUCTS.map((p) => p.offer_id));

    const byIds = await call(sb, INFO, {
      filter: { product_id: [String(TEA.product_id), MUG.product_id], offer_id: [TEA.offer_id] },
      limit: 10,
    });
    expect(byIds.body.items.map((i: Json) => i.offer_id)).toEqual([TEA.offer_id]);
    expect(byIds.body.items[0].stocks[0]).toMatchObject({ type: 'fbs', present: 3, warehouse_ids: [String(FBS)] });

    const empty = await call(sb, INFO, { filter: { visibility: 'EMPTY_STOCK' }, limit: 100 });
    expect(empty.body.total).toBe(DEFAULT_PRODUCTS.length - 1);
    expect((await call(sb, INFO, { filter: { visibility: 'ARCHIVED' }, limit: 100 })).body).toEqual({
      items: [],
      cursor: '',
      total: 0,
    });
    expect((await call(sb, INFO, { filter: { visibility: 'NOPE' }, limit: 100 })).status).toBe(400);
    expect((await call(sb, INFO, { filter: {}, limit: 0 })).status).toBe(400);
    expect((await call(sb, INFO, { limit: 10 })).status).toBe(400);
  });
});

describe('hooks, options and roles', () => {
  it('stockOf / setStock name real pairs; setStock starts no 30-second rule; initialStock is checked', async () => {
    const { sb } = await start({ initialStock: 2 });
    expect(sb.stockOf(RFBS, 'KETTLE-17L')).toEqual({ present: 2, reserved: 0, free: 2 });
    expect(() => sb.stockOf(1, MUG.offer_id)).toThrow(/unknown warehouse 1/);
    expect(() => sb.stockOf(FBS, 'NOPE')).toThrow(/unknown offer_id NOPE/);
    expect(() => sb.setStock(FBS, MUG.offer_id, -1)).toThrow(/whole number/);
    expect(() => sb.setStock(FBS, MUG.offer_id, 1_000_000)).toThrow(/whole number/);
    sb.setStock(FBS, MUG.offer_id, 9);
    expect(sb.stockOf(FBS, MUG.offer_id)).toEqual({ present: 9, reserved: 0, free: 9 });
    const api = await call(sb, STOCKS, update([{ offer_id: MUG.offer_id, stock: 8, warehouse_id: FBS }]));
    expect(api.body.result[0].updated).toBe(true);
    await expect(start({ initialStock: -1 })).rejects.toThrow(/initialStock/);
    await expect(start({ initialStock: 0.5 })).rejects.toThrow(/initialStock/);
  });

  it('/v1/roles lists the stock methods in their own role unless stockRole is false; calls are logged', async () => {
    const { sb } = await start();
    const roles = (await call(sb, '/v1/roles', {})).body.roles as Json[];
    expect(roles.find((r) => r.name === 'Prices & Stocks')?.methods).toEqual([STOCKS, BY_WAREHOUSE, INFO]);
    expect(roles.filter((r) => r.name !== 'Prices & Stocks').flatMap((r) => r.methods)).not.toContain(BY_WAREHOUSE);
    const { sb: without } = await start({ stockRole: false });
    const names = ((await call(without, '/v1/roles', {})).body.roles as Json[]).map((r) => r.name);
    expect(names).toEqual(['Posting FBS', 'Finance', 'Warehouse', 'Chat', 'Analytics', 'Notification', 'Roles']);
    expect((await call(without, INFO, { filter: {}, limit: 1 })).status).toBe(200);
    expect(without.calls.map((c) => c.path)).toEqual(['/v1/roles', INFO]);
  });
});

describe('durable stock', () => {
  function tempDir() {
    const dir = mkdtempSync(join(tmpdir(), 'ozon-sandbox-stock-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }
  const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;

  it('the state file keeps free units and the 30-second rule; reservations come back with the postings', async () => {
    const dir = tempDir();
    const file = join(dir, 'state.json');
    const { sb: a } = await start({ stateFile: file });
    await call(a, STOCKS, update([{ offer_id: MUG.offer_id, stock: 12, warehouse_id: FBS }]));
    a.createPosting({ lines: [{ offer_id: MUG.offer_id, quantity: 2 }] });
    a.setStock(RFBS, TEA.offer_id, 5);
    await Promise.resolve(); // hooks outside a request write in the same tick
    const saved = readJson(file);
    expect(saved.stocks).toEqual([
      { warehouse_id: FBS, offer_id: MUG.offer_id, free: 10, updatedAt: saved.savedAt },
      { warehouse_id: RFBS, offer_id: TEA.offer_id, free: 5, updatedAt: null },
    ]);
    expect(saved).toEqual(a.snapshot());

    const killed = join(dir, 'killed.json');
    copyFileSync(file, killed);
    const clock = manualClock(saved.savedAt + 10_000);
    const { sb: b } = await start({ stateFile: killed, clock, initialStock: 50 });
    expect(b.stockOf(FBS, MUG.offer_id)).toEqual({ present: 12, reserved: 2, free: 10 });
    expect(b.stockOf(RFBS, TEA.offer_id)).toEqual({ present: 5, reserved: 0, free: 5 });
    expect(b.stockOf(FBS, TEA.offer_id)).toEqual({ present: 50, reserved: 0, free: 50 }); // never touched
    const again = await call(b, STOCKS, update([{ offer_id: MUG.offer_id, stock: 1, warehouse_id: FBS }]));
    expect(again.body.result[0].errors[0].code).toBe('TOO_MANY_REQUESTS');
    clock.advance(20_000);
    const later = await call(b, STOCKS, update([{ offer_id: MUG.offer_id, stock: 1, warehouse_id: FBS }]));
    expect(later.body.result[0].updated).toBe(true);
  });

  it('restores a state file written before stocks, multi-box and exemplars existed', async () => {
    const dir = tempDir();
    const file = join(dir, 'state.json');
    const { sb: a } = await start({ stateFile: file });
    const pn = a.createPosting({ lines: [{ offer_id: MUG.offer_id, quantity: 1 }] }).posting_number;
    await Promise.resolve();
    const old = readJson(file);
    delete old.stocks;
    for (const p of old.postings as Json[]) {
      delete p.multiBox;
      delete p.multiBoxQty;
      delete p.exemplars;
    }
    const oldFile = join(dir, 'old.json');
    writeFileSync(oldFile, JSON.stringify(old));

    const { sb: b } = await start({ stateFile: oldFile, clock: manualClock(old.savedAt), initialStock: 3 });
    expect(await get(b, pn)).toMatchObject({ is_multibox: false, multi_box_qty: 1, status: 'awaiting_packaging' });
    // the old file knew no stock: every pair starts at initialStock, as at a fresh start
    expect(b.stockOf(FBS, MUG.offer_id)).toEqual({ present: 4, reserved: 1, free: 3 });
    expect((await call(b, '/v4/posting/fbs/ship', shipBody(b.posting(pn) as Json))).status).toBe(200);
    expect(readJson(oldFile).postings[0]).toMatchObject({ multiBox: false, multiBoxQty: null, exemplars: null });
  });
});
