/**
 * Ozon Seller API sandbox: a local HTTP test double for the subset of the Seller API the product uses.
 * Written from /work/shared/ozon (ozon-api.md, swagger.json, docs/*.md, examples/*.json). Imports nothing from the product.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { DEFAULT_PRODUCTS, DEFAULT_WAREHOUSES } from './catalogue.js';
import { realClock } from './clock.js';
import { ApiError, Model } from './model.js';
import { PushSender } from './push.js';
import { Rng } from './rng.js';
import { json, ROUTES, type RouteCtx, rpcError } from './routes.js';
import type { CreatePostingSpec, OzonSandbox, SandboxCall, SandboxOptions, SandboxPushRecord } from './types.js';

export { ACCRUAL_TYPES, DEFAULT_PRODUCTS, DEFAULT_TIMING, DEFAULT_WAREHOUSES } from './catalogue.js';
export { type ManualClock, manualClock, realClock, scaledClock } from './clock.js';
export { PUSH_RETRY_BACKOFF_MS } from './push.js';
export type * from './types.js';

/** Ozon's documented limit: 50 requests per second per Client-Id (docs/00-overview.md). */
export const RATE_LIMIT_PER_SECOND = 50;

export async function startOzonSandbox(options: SandboxOptions): Promise<OzonSandbox> {
  const clock = options.clock ?? realClock();
  const seed = options.seed ?? 1;
  // independent streams so that e.g. fault draws do not shift posting numbers
  const rngPostings = new Rng(seed);
  const rngFaults = new Rng(seed ^ 0x5bd1e995);
  const rngPush = new Rng(seed ^ 0x27d4eb2f);
  const rngMisc = new Rng(seed ^ 0x165667b1);
  const faults = options.faults ?? {};
  const products = options.products?.length ? options.products : DEFAULT_PRODUCTS;
  const warehouses = options.warehouses?.length ? options.warehouses : DEFAULT_WAREHOUSES;
  const sellerId = options.sellerId ?? (Number.parseInt(options.clientId, 10) || 1);
  const enforceRateLimit = options.enforceRateLimit ?? true;

  let pushUrl = options.pushUrl;
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
    rng: rngPush,
    faults,
    getUrl: () => pushUrl,
    records: pushes,
  });
  const model = new Model({
    clock,
    rng: rngPostings,
    products,
    warehouses,
    timing: options.timing ?? {},
    sellerId,
    push: (body) => sender.send(body),
  });
  const ctx: RouteCtx = { model, rng: rngMisc, warehouses, getPushUrl: () => pushUrl, startedAt: clock.now() };

  // sliding 1-second windows of admitted requests, per Client-Id
  const windows = new Map<string, number[]>();

  const app = new Hono();
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
    const res = handle();
    call.status = res.status;
    return res;

    function handle(): Response {
      // examples/error__client_id_api_key_required__1.json (HTTP 401, no details key)
      if (!clientId || !apiKey) return json(401, { code: 16, message: 'Client-Id and Api-Key headers are required' });
      // examples/error__invalid_api_key__1.json
      if (clientId !== options.clientId || apiKey !== options.apiKey) {
        return rpcError(403, 7, 'Invalid Api-Key, please contact support');
      }
      if (enforceRateLimit) {
        const w = windows.get(clientId) ?? [];
        while (w.length && (w[0] ?? 0) <= at - 1000) w.shift();
        // examples/error__rate_limit__1.json (HTTP 429, no details key)
        if (w.length >= RATE_LIMIT_PER_SECOND)
          return json(429, { code: 8, message: 'You have reached request rate limit per second' });
        w.push(at);
        windows.set(clientId, w);
      }
      // three draws per authenticated call, always, so a seed gives one fixed fault sequence
      const fRate = rngFaults.chance(faults.rateLimit);
      const fServer = rngFaults.chance(faults.serverError);
      const fCircle = rngFaults.chance(faults.circleOpen);
      if (fRate) return json(429, { code: 8, message: 'You have reached request rate limit per second' });
      if (fServer) return rpcError(500, 13, 'Internal error');
      if (fCircle) return rpcError(503, 14, 'Circle is open');

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

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    pushes,
    setPushUrl(url: string) {
      pushUrl = url;
    },
    createPosting(spec?: CreatePostingSpec) {
      if (closed) throw new Error('sandbox is closed');
      return { posting_number: model.create(spec).posting_number };
    },
    cancelByBuyer(postingNumber: string) {
      const p = model.postings.get(postingNumber);
      if (!p) throw new Error(`sandbox: unknown posting ${postingNumber}`);
      model.cancelByBuyer(p);
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
    async close() {
      if (closed) return;
      closed = true;
      model.close();
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
