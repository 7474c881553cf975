/**
 * The console's actions, without a browser: signing in checks the key with the seller API, each form becomes the
 * seller API's body, the key never leaves the server, and nothing is forwarded without it. A stand-in seller API on
 * loopback answers as the real one does: 401 without the key, 400 for a body it refuses, 200 otherwise.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleApp } from '../../console/server';
import type { ConsoleSource } from '../../console/source';

const KEY = 'seller-key-0123456789';
const received: { action: string; body: unknown }[] = [];
let sellerApi: ReturnType<typeof serve>;
let app: Hono;

beforeAll(async () => {
  const fake = new Hono().post('/seller/:action', async (c) => {
    if (c.req.header('authorization') !== `Bearer ${KEY}`) return c.json({ message: 'no key' }, 401);
    const body = await c.req.json();
    if (Object.keys(body).length === 0) return c.json({ error: 'invalid', details: ['empty'] }, 400);
    received.push({ action: c.req.param('action'), body });
    return c.json({ accepted: true });
  });
  sellerApi = await new Promise((resolve) => {
    const s = serve({ fetch: fake.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const source = {
    label: 'test',
    sellerApiUrl: `http://127.0.0.1:${(sellerApi.address() as AddressInfo).port}/seller`,
    now: () => Date.parse('2026-11-30T12:00:00Z'),
  } as ConsoleSource;
  app = consoleApp({ source, language: 'en' });
});
afterAll(() => new Promise<void>((resolve) => sellerApi.close(() => resolve())));

const form = (path: string, fields: Record<string, string>, cookie = '') =>
  app.request(path, {
    method: 'POST',
    headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields),
  });

async function signIn(): Promise<string> {
  const answer = await form('/signin', { key: KEY, back: '/postings' });
  return (answer.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

describe('console actions', () => {
  it('signs in only with a key the seller API takes, and keeps the key on the server', async () => {
    const refused = await form('/signin', { key: 'wrong' });
    const accepted = await form('/signin', { key: KEY, back: '/postings' });

    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toBe('/postings');
    const cookie = accepted.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(KEY);
  });

  it('forwards each form as the seller API action it names', async () => {
    const cookie = await signIn();
    received.length = 0;

    const answers = await Promise.all([
      form('/act/stock', { warehouseId: '22', offerId: 'MUG', quantity: '3', back: '/' }, cookie),
      form('/act/tracking', { postingNumber: '1-2-1', trackingNumber: ' TRK-77 ', back: '/' }, cookie),
      form('/act/marks', { postingNumber: '1-2-1', offerId: 'MUG', codes: 'A1\r\n\r\nB2 \n', back: '/' }, cookie),
      form('/act/resume', { postingNumber: '1-2-1', back: '/' }, cookie),
      form('/act/returnRequest', { returnId: '9', answer: 'compensate', amount: '50', comment: '', back: '/' }, cookie),
      form('/act/packed', { postingNumber: '1-2-1', back: '/' }, cookie),
      form('/act/qualityCheck', { postingNumber: '1-2-1', passed: 'true', back: '/' }, cookie),
      form('/act/qualityCheck', { postingNumber: '3-4-1', passed: 'false', offerId: 'MUG', reason: 'chipped' }, cookie),
    ]);

    expect(answers.map((a) => a.status)).toEqual([303, 303, 303, 303, 303, 303, 303, 303]);
    expect(received).toEqual(
      expect.arrayContaining([
        { action: 'stock', body: { warehouseId: 22, offerId: 'MUG', quantity: 3 } },
        { action: 'tracking', body: { postingNumber: '1-2-1', trackingNumber: 'TRK-77' } },
        { action: 'marks', body: { postingNumber: '1-2-1', products: [{ offerId: 'MUG', marks: ['A1', 'B2'] }] } },
        { action: 'resume', body: { postingNumber: '1-2-1' } },
        { action: 'returnRequest', body: { returnId: 9, answer: 'compensate', amount: 50 } },
        { action: 'packed', body: { postingNumber: '1-2-1' } },
        { action: 'qualityCheck', body: { postingNumber: '1-2-1', passed: true } },
        { action: 'qualityCheck', body: { postingNumber: '3-4-1', passed: false, offerId: 'MUG', reason: 'chipped' } },
      ]),
    );
  });

  it('forwards nothing without the key, from another origin, or to a place outside the console', async () => {
    const cookie = await signIn();
    received.length = 0;

    const withoutKey = await form('/act/stock', { warehouseId: '22', offerId: 'MUG', quantity: '3' });
    const crossSite = await app.request('/act/resume', {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ postingNumber: '1-2-1' }),
    });
    const elsewhere = await form('/act/resume', { postingNumber: '1-2-1', back: '//evil.example/' }, cookie);

    expect(withoutKey.status).toBe(401);
    expect(crossSite.status).toBe(403);
    expect(elsewhere.headers.get('location')).toBe('/');
    expect(received).toHaveLength(1);
  });
});
