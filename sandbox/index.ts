/**
 * Ozon Seller API sandbox: a local HTTP test double for the subset of the Seller API the product uses.
 * Written from /work/shared/ozon (ozon-api.md, swagger.json, docs/*.md, examples/*.json). Imports nothing from the product.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { AfterSale, checkAfterSaleSpec } from './aftersale.js';
import { DEFAULT_PRODUCTS, DEFAULT_WAREHOUSES } from './catalogue.js';
import { Chats, checkChatSpec, DEFAULT_BUYER_MESSAGE } from './chat.js';
import { realClock } from './clock.js';
import { Gate, Sleeper } from './gate.js';
import { Handover } from './handover.js';
import { ApiError, Model } from './model.js';
import { PushSender } from './push.js';
import { Rating } from './rating.js';
import { Rng } from './rng.js';
import { READ_ONLY_ROUTES, ROUTES, type RouteCtx, rpcError } from './routes.js';
import { returnPhotoFile } from './routes-aftersale.js';
import { labelFile } from './routes-handover.js';
import { type Rngs, readState, StateFile, stateOf } from './state.js';
import { STOCK_LIMIT, StockBook } from './stock.js';
import type {
  CreatePostingSpec,
  Faults,
  OzonSandbox,
  RatingStatus,
  SandboxCall,
  SandboxOptions,
  SandboxPushRecord,
  SandboxStock,
} from './types.js';

export {
  type AfterSaleView,
  CANCELLATION_ID_BASE,
  FBS_RETURN_ID_BASE,
  FBS_RETURN_STATUSES,
  RETURN_ACTIONS,
  RFBS_RETURN_ID_BASE,
  RFBS_RETURN_STATES,
} from './aftersale.js';
export {
  ANALYTICS_DIMENSIONS,
  ANALYTICS_METRICS,
  FREE_DIMENSIONS,
  FREE_METRICS,
  MODELLED_DIMENSIONS,
  PREMIUM_PLUS_DIMENSIONS,
  PREMIUM_PLUS_METRICS,
} from './analytics.js';
export {
  ACCRUAL_TYPES,
  CANCELLATION_REQUEST_REASONS,
  CHAT_AFTER_DELIVERY_MS,
  CHAT_REPLY_WINDOW_MS,
  DEFAULT_CARRIAGE_CUTOFF,
  DEFAULT_DROPOFF_LIMITS,
  DEFAULT_PRODUCTS,
  DEFAULT_TIMING,
  DEFAULT_WAREHOUSES,
  RETURN_REASONS,
  RETURN_REJECTION_REASONS,
} from './catalogue.js';
export {
  CHAT_TEXT_MAX,
  CHAT_WINDOW_CLOSED,
  type Chat,
  type ChatMessage,
  type ChatView,
  DEFAULT_BUYER_MESSAGE,
} from './chat.js';
export { type ManualClock, manualClock, realClock, scaledClock } from './clock.js';
export { MARK_TYPES, markFormatErrors } from './exemplars.js';
export { RATE_LIMIT_PER_SECOND, RATE_LIMITS_PER_MINUTE } from './gate.js';
export { CARRIAGE_STATUSES, LABELS_PER_TASK } from './handover.js';
export { PUSH_RETRY_BACKOFF_MS } from './push.js';
export { RATING_FBO, RATINGS, type RatingDef } from './rating.js';
export { PREMIUM_PLUS_REQUIRED } from './routes-chat.js';
export { STOCKS_PER_CALL } from './routes-stock.js';
export { type SandboxState, STATE_FORMAT, STATE_VERSION } from './state.js';
export { STOCK_LIMIT, STOCK_UPDATE_INTERVAL_MS } from './stock.js';
export type * from './types.js';

export async function startOzonSandbox(options: SandboxOptions): Promise<OzonSandbox> {
  const clock = options.clock ?? realClock();
  const seed = options.seed ?? 1;
  // independent streams so that e.g. fault draws do not shift posting numbers
  const rngs: Rngs = {
    postings: new Rng(seed),
    faults: new Rng(seed ^ 0x5bd1e995),
    push: new Rng(seed ^ 0x27d4eb2f),
    misc: new Rng(seed ^ 0x165667b1),
    slow: new Rng(seed ^ 0x3c6ef372),
  };
  // a copy: setFaults changes it in place (PushSender and Gate read it live), never the caller's object
  const faults: Faults = { ...options.faults };
  const products = options.products?.length ? options.products : DEFAULT_PRODUCTS;
  const warehouses = options.warehouses?.length ? options.warehouses : DEFAULT_WAREHOUSES;
  const sellerId = options.sellerId ?? (Number.parseInt(options.clientId, 10) || 1);
  const initialStock = options.initialStock ?? 0;
  if (!Number.isInteger(initialStock) || initialStock < 0 || initialStock >= STOCK_LIMIT)
    throw new Error(`sandbox: initialStock must be a whole number from 0 to ${STOCK_LIMIT - 1}`);
  const stocks = new StockBook(initialStock);
  const restored = options.stateFile ? readState(options.stateFile) : undefined;

  let pushUrl = options.pushUrl;
  let blocked = false;
  const calls: SandboxCall[] = [];
  const pushes: SandboxPushRecord[] = [];
  let closed = false;
  const globalTimers = new Set<() => void>();
  const scheduleGlobal = (delay: number, fn: () => void) => {
    if (closed) return;
    let cancel = () => {};
    cancel = clock.schedule(delay, () => {
      globalTimers.delete(cancel);
      if (!closed) fn();
    });
    globalTimers.add(cancel);
  };

  const sender = new PushSender({
    now: () => clock.now(),
    schedule: scheduleGlobal,
    rng: rngs.push,
    faults,
    getUrl: () => pushUrl,
    records: pushes,
  });
  let state: StateFile | undefined;
  const model = new Model({
    clock,
    rng: rngs.postings,
    products,
    warehouses,
    timing: options.timing ?? {},
    sellerId,
    stocks,
    push: (body) => sender.send(body),
    // before the transition runs, so the write is queued ahead of the pushes it sends
    onTimer: () => state?.soon(),
    handoverByCarriage: options.handoverByCarriage,
    placeInCarriage: (p) => handover.placeInCarriage(p),
    plannedCutoff: options.handoverByCarriage ? (w, at) => handover.plannedCutoff(w, at) : undefined,
    onStatusChange: (p) => afterSale.onStatus(p),
    chatReplyOpen: (p) => chats.replyOpen(p),
  });
  const handover = new Handover({
    model,
    clock,
    warehouses,
    timing: options.timing ?? {},
    onTimer: () => state?.soon(),
    handoverByCarriage: options.handoverByCarriage,
    actRefusal: options.actRefusal,
  });
  const afterSale = new AfterSale({
    model,
    clock,
    timing: options.timing ?? {},
    onTimer: () => state?.soon(),
  });
  const chats = new Chats({
    model,
    clock,
    rng: rngs.misc,
    sellerId,
    push: (body) => sender.send(body),
    onTimer: () => state?.soon(),
  });
  const premium = options.premium ?? 'premium_plus';
  if (!['none', 'premium', 'premium_plus'].includes(premium))
    throw new Error(`sandbox: premium must be none, premium or premium_plus, not ${premium}`);
  const rating = new Rating({
    clock,
    startedAt: () => ctx.startedAt,
    premium,
    penaltyScoreExceeded: options.rating?.penaltyScoreExceeded ?? false,
  });
  const ctx: RouteCtx = {
    model,
    handover,
    afterSale,
    chats,
    rating,
    premium,
    sellerId,
    baseUrl: '', // set once the server listens
    rng: rngs.misc,
    products,
    warehouses,
    stocks,
    stockRole: options.stockRole ?? true,
    getPushUrl: () => pushUrl,
    startedAt: clock.now(),
  };

  if (restored) {
    for (const k of Object.keys(rngs) as (keyof Rngs)[]) rngs[k].state = restored.rng[k];
    ctx.startedAt = restored.startedAt;
    model.restore(restored.postings);
    handover.restore(restored.handover);
    afterSale.restore(restored.afterSale);
    chats.restore(restored.chats, restored.buyerMessages);
    rating.restore(restored.rating);
    stocks.restore(restored.stocks);
  } else {
    rating.planned(options.rating?.changes ?? [], ctx.startedAt);
    for (let i = 0; i < (options.preassembled ?? 0); i++) model.create({ schema: 'fbs', startAt: 'awaiting_deliver' });
  }
  const snapshotOf = () => stateOf(model, rngs, ctx.startedAt, stocks, handover, afterSale, chats, rating);
  if (options.stateFile) {
    state = new StateFile(options.stateFile, snapshotOf);
    state.flush();
  }

  const gate = new Gate({
    clientId: options.clientId,
    apiKey: options.apiKey,
    enforceRateLimit: options.enforceRateLimit ?? true,
    faults,
    rngFaults: rngs.faults,
    rngSlow: rngs.slow,
    isBlocked: () => blocked,
  });
  const sleeper = new Sleeper();

  const app = new Hono();
  // file links the sandbox hands out (label tasks' file_url): plain GETs, no API headers, not logged as API calls
  app.get(
    '/sandbox/files/*',
    (c) =>
      labelFile(c.req.path, handover) ??
      returnPhotoFile(c.req.path, afterSale) ??
      new Response('not found', { status: 404 }),
  );
  app.all('*', async (c) => {
    const at = Date.now();
    const path = c.req.path;
    const clientId = c.req.header('Client-Id') ?? '';
    const apiKey = c.req.header('Api-Key') ?? '';
    const raw = await c.req.text();
    let body: unknown = raw === '' ? {} : raw;
    let badJson = false;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
      }
    }
    const call: SandboxCall = { at, path, body, status: 0, clientId };
    calls.push(call);
    const verdict = gate.check(clientId, apiKey, at, path);
    const res = verdict.refusal ?? handle();
    call.status = res.status;
    // durable before the client can learn anything from the answer
    if (!verdict.refusal && !READ_ONLY_ROUTES.has(path)) state?.flush();
    if (verdict.delayMs > 0) await sleeper.sleep(verdict.delayMs);
    return res;

    function handle(): Response {
      const handler = c.req.method === 'POST' ? ROUTES[path] : undefined;
      if (!handler) return rpcError(404, 5, 'method is not allowed');
      if (badJson) return rpcError(400, 3, 'invalid request payload: body is not valid JSON');
      try {
        return handler(body, ctx);
      } catch (e) {
        if (e instanceof ApiError) return rpcError(e.httpStatus, e.code, e.message);
        return rpcError(500, 13, `Internal error: ${(e as Error).message}`);
      }
    }
  });

  /** the test hooks name a pair the way the API does; a typo should fail loudly, not read an empty pair */
  function pairOf(warehouseId: number, offerId: string) {
    if (!warehouses.some((w) => w.warehouse_id === warehouseId))
      throw new Error(`sandbox: unknown warehouse ${warehouseId}`);
    if (!products.some((p) => p.offer_id === offerId)) throw new Error(`sandbox: unknown offer_id ${offerId}`);
  }

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  ctx.baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: ctx.baseUrl,
    calls,
    pushes,
    setPushUrl(url: string) {
      pushUrl = url;
    },
    createPosting(spec?: CreatePostingSpec) {
      if (closed) throw new Error('sandbox is closed');
      if (spec) {
        checkAfterSaleSpec(spec);
        checkChatSpec(spec);
      }
      state?.soon(); // queued ahead of the TYPE_NEW_POSTING push
      const p = model.create(spec);
      if (spec) {
        afterSale.plan(p, spec);
        chats.plan(p, spec);
      }
      return { posting_number: p.posting_number };
    },
    cancelByBuyer(postingNumber: string) {
      const p = model.postings.get(postingNumber);
      if (!p) throw new Error(`sandbox: unknown posting ${postingNumber}`);
      state?.soon();
      model.cancelByBuyer(p);
    },
    statusOf(postingNumber: string) {
      return model.postings.get(postingNumber)?.status;
    },
    posting(postingNumber: string) {
      const p = model.postings.get(postingNumber);
      if (!p) return undefined;
      return model.renderV3(p, {
        analytics_data: true,
        barcodes: true,
        financial_data: true,
        legal_info: true,
        product_exemplars: true,
        related_postings: true,
      });
    },
    stockOf(warehouseId: number, offerId: string): SandboxStock {
      pairOf(warehouseId, offerId);
      return stocks.view(warehouseId, offerId, stocks.reservations(model.order));
    },
    setStock(warehouseId: number, offerId: string, stock: number) {
      pairOf(warehouseId, offerId);
      if (!Number.isInteger(stock) || stock < 0 || stock >= STOCK_LIMIT)
        throw new Error(`sandbox: stock must be a whole number from 0 to ${STOCK_LIMIT - 1}`);
      state?.soon();
      stocks.set(warehouseId, offerId, stock);
    },
    maxRequestsPerSecond() {
      let best = 0;
      let lo = 0;
      for (let hi = 0; hi < calls.length; hi++) {
        const t = calls[hi]?.at ?? 0;
        while ((calls[lo]?.at ?? 0) <= t - 1000) lo++;
        best = Math.max(best, hi - lo + 1);
      }
      return best;
    },
    setFaults(partial: Faults) {
      Object.assign(faults, partial);
    },
    setBlocked(value: boolean) {
      blocked = value;
    },
    collectReturn(returnId: number) {
      state?.soon();
      afterSale.collect(returnId);
    },
    afterSale() {
      return afterSale.view();
    },
    chats() {
      return chats.view();
    },
    buyerWrites(postingNumber: string, text = DEFAULT_BUYER_MESSAGE) {
      const p = model.postings.get(postingNumber);
      if (!p) throw new Error(`sandbox: unknown posting ${postingNumber}`);
      if (text === '') throw new Error('sandbox: the buyer writes something');
      state?.soon(); // queued ahead of the TYPE_NEW_MESSAGE push
      return chats.buyerWrites(p, text);
    },
    setRating(name: string, value: number, status?: RatingStatus) {
      rating.set(name, value, status);
      state?.soon();
    },
    snapshot() {
      return JSON.parse(JSON.stringify(snapshotOf())) as unknown;
    },
    async close() {
      if (closed) return;
      closed = true;
      state?.close();
      model.close();
      handover.close();
      afterSale.close();
      chats.close();
      sleeper.wakeAll();
      sender.close();
      for (const cancel of globalTimers) cancel();
      globalTimers.clear();
      await new Promise<void>((resolve) => {
        const s = server as unknown as { close(cb: () => void): void; closeAllConnections?: () => void };
        s.close(() => resolve());
        s.closeAllConnections?.();
      });
    },
  };
}
