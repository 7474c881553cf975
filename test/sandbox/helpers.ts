/** Shared helpers of the sandbox tests: a sandbox on a manual clock, HTTP calls, a webhook receiver, waiting. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import {
  type ManualClock,
  manualClock,
  type OzonSandbox,
  type SandboxOptions,
  startOzonSandbox,
} from '../../sandbox/index.js';

export const HOUR = 3_600_000;
export const CREDS = { clientId: '123456', apiKey: 'test-api-key' };

// biome-ignore lint/suspicious/noExplicitAny: loosely typed JSON bodies in assertions
export type Json = Record<string, any>;

const cleanups: (() => Promise<void> | void)[] = [];
/** register with afterEach(runCleanups) */
export async function runCleanups() {
  for (const c of cleanups.splice(0).reverse()) await c();
}
export function onCleanup(fn: () => Promise<void> | void) {
  cleanups.push(fn);
}

export async function start(
  opts: Partial<Omit<SandboxOptions, 'clock'>> & { clock?: ManualClock } = {},
): Promise<{ sb: OzonSandbox; clock: ManualClock }> {
  const clock = opts.clock ?? manualClock();
  const sb = await startOzonSandbox({ ...CREDS, seed: 7, ...opts, clock });
  cleanups.push(() => sb.close());
  return { sb, clock };
}

export async function call(sb: OzonSandbox, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(sb.url + path, {
    method: 'POST',
    headers: { 'Client-Id': CREDS.clientId, 'Api-Key': CREDS.apiKey, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const ct = res.headers.get('content-type') ?? '';
  const data = ct.includes('json') ? ((await res.json()) as Json) : Buffer.from(await res.arrayBuffer());
  return { status: res.status, ct, body: data as Json };
}

/** A tiny webhook receiver; `respond` decides the HTTP status per push. */
export async function receiver(respond: (body: Json, n: number) => number = () => 200) {
  const got: Json[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as Json;
      const status = respond(body, got.length);
      if (status === 200) got.push(body);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ result: status === 200 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`, got };
}

/** Poll a condition (the machine may be busy: a generous deadline, which a passing test never waits out). */
export async function waitFor(cond: () => boolean, ms = 10_000) {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const shipBody = (p: Json) => ({
  posting_number: p.posting_number,
  packages: [{ products: p.products.map((x: Json) => ({ product_id: x.sku, quantity: x.quantity })) }],
});

export async function get(sb: OzonSandbox, pn: string, w: Json = {}) {
  const r = await call(sb, '/v3/posting/fbs/get', { posting_number: pn, with: w });
  expect(r.status).toBe(200);
  return r.body.result as Json;
}
