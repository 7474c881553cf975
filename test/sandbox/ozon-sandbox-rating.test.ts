/**
 * The seller's rating (/v1/rating/summary, /v1/rating/history: SandboxOptions.rating, setRating) and analytics
 * (/v1/analytics/data per plan, computed from the postings; 1 call a minute), and the rating's state-file round trip.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, type OzonSandbox, RATINGS } from '../../sandbox/index.js';
import { call, HOUR, type Json, onCleanup, runCleanups, start } from './helpers.js';

afterEach(runCleanups);

const T0 = Date.parse('2026-01-15T09:00:00Z');
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const err = (code: number, message: string) => ({ code, message, details: [] });

const summary = async (sb: OzonSandbox) => {
  const r = await call(sb, '/v1/rating/summary', {});
  expect(r.status).toBe(200);
  return r.body;
};
const item = (s: Json, rating: string) =>
  (s.groups as Json[]).flatMap((g) => g.items as Json[]).find((i) => i.rating === rating) as Json;
const ratingHistory = (sb: OzonSandbox, body: Json) => call(sb, '/v1/rating/history', body);

describe('seller rating', () => {
  it('summary: groups of indicators, all OK at the start; the plan’s flags', async () => {
    const { sb } = await start();
    const s = await summary(sb);
    expect(s.groups.map((g: Json) => [g.group_name, g.items.map((i: Json) => i.rating)])).toEqual([
      ['Выполнение заказов', ['rating_on_time', 'rating_order_cancellation', 'rating_shipment_delay']],
      ['Товары и цены', ['rating_review_avg_score_total', 'rating_price']],
      [
        'Общение с покупателями',
        ['rating_reaction_time', 'rating_average_response_time', 'rating_replied_dialogs_ratio'],
      ],
    ]);
    expect(item(s, 'rating_on_time')).toEqual({
      change: { direction: 'DIRECTION_NONE', meaning: 'MEANING_NONE' },
      current_value: 98.5,
      name: 'Заказы, выполненные вовремя',
      past_value: 98.5,
      rating: 'rating_on_time',
      rating_direction: 'HIGHER_IS_BETTER',
      status: 'OK',
      value_type: 'PERCENT',
    });
    expect(s.groups.flatMap((g: Json) => g.items.map((i: Json) => i.status))).toEqual(RATINGS.map(() => 'OK'));
    expect([s.localization_index, s.penalty_score_exceeded, s.premium, s.premium_plus]).toEqual([
      [],
      false,
      false,
      true,
    ]);

    const { sb: premium } = await start({ premium: 'premium', rating: { penaltyScoreExceeded: true } });
    const p = await summary(premium);
    expect([p.penalty_score_exceeded, p.premium, p.premium_plus]).toEqual([true, true, false]);
    const { sb: none } = await start({ premium: 'none' });
    const n = await summary(none);
    expect([n.premium, n.premium_plus]).toEqual([false, false]);
  });

  it('an indicator turns WARNING, then CRITICAL at the given times; history returns the values over time', async () => {
    const { sb, clock } = await start({
      rating: {
        changes: [
          { afterMs: HOUR, rating: 'rating_on_time', value: 91 },
          { afterMs: 2 * HOUR, rating: 'rating_on_time', value: 88 },
        ],
      },
    });
    expect(item(await summary(sb), 'rating_on_time').status).toBe('OK');
    clock.advance(HOUR - 1);
    expect(item(await summary(sb), 'rating_on_time').status).toBe('OK');
    clock.advance(1);
    expect(item(await summary(sb), 'rating_on_time')).toMatchObject({
      change: { direction: 'DIRECTION_FALL', meaning: 'MEANING_BAD' },
      current_value: 91,
      past_value: 98.5,
      status: 'WARNING',
    });
    clock.advance(HOUR);
    expect(item(await summary(sb), 'rating_on_time')).toMatchObject({
      current_value: 88,
      past_value: 91,
      status: 'CRITICAL',
    });
    clock.advance(HOUR);

    const all = await ratingHistory(sb, {
      date_from: iso(T0 - DAY),
      date_to: iso(T0 + DAY),
      ratings: ['rating_on_time'],
    });
    expect(all.body).toEqual({
      premium_scores: [],
      ratings: [
        {
          danger_threshold: 90,
          premium_threshold: 97,
          rating: 'rating_on_time',
          values: [
            {
              date_from: iso(T0),
              date_to: iso(T0 + HOUR),
              status: { danger: false, premium: true, warning: false },
              value: 98.5,
            },
            {
              date_from: iso(T0 + HOUR),
              date_to: iso(T0 + 2 * HOUR),
              status: { danger: false, premium: false, warning: true },
              value: 91,
            },
            {
              date_from: iso(T0 + 2 * HOUR),
              date_to: iso(T0 + 3 * HOUR),
              status: { danger: true, premium: false, warning: false },
              value: 88,
            },
          ],
          warning_threshold: 93,
        },
      ],
    });
    const part = await ratingHistory(sb, {
      date_from: iso(T0 + 90 * 60_000),
      date_to: iso(T0 + 100 * 60_000),
      ratings: ['rating_on_time', 'rating_ssl', 'rating_review_avg_score_total'],
      with_premium_scores: true,
    });
    expect(part.body.ratings.map((r: Json) => [r.rating, r.values.map((v: Json) => v.value)])).toEqual([
      ['rating_on_time', [91]],
      ['rating_ssl', []], // an FBO indicator: no values for an FBS / rFBS seller
      ['rating_review_avg_score_total', [4.8]],
    ]);
    expect(part.body.premium_scores).toEqual([
      { rating: 'rating_on_time', scores: [] },
      { rating: 'rating_review_avg_score_total', scores: [] },
    ]);
    expect((await ratingHistory(sb, { date_from: iso(T0), date_to: iso(T0), ratings: ['rating_x'] })).body).toEqual(
      err(3, 'invalid request payload: ratings: unknown rating rating_x'),
    );
    expect((await ratingHistory(sb, { date_from: iso(T0), ratings: ['rating_on_time'] })).status).toBe(400);
  });

  it('setRating: from now, status from the thresholds unless given; misuse throws', async () => {
    const { sb, clock } = await start();
    clock.advance(HOUR);
    sb.setRating('rating_order_cancellation', 12); // lower is better: past the warning threshold (10)
    sb.setRating('rating_price', 0.9, 'CRITICAL');
    const s = await summary(sb);
    expect(item(s, 'rating_order_cancellation')).toMatchObject({
      change: { direction: 'DIRECTION_RISE', meaning: 'MEANING_BAD' },
      current_value: 12,
      past_value: 0.5,
      status: 'WARNING',
    });
    expect(item(s, 'rating_price')).toMatchObject({
      change: { direction: 'DIRECTION_FALL', meaning: 'MEANING_GOOD' },
      status: 'CRITICAL',
    });
    sb.setRating('rating_order_cancellation', 25);
    expect(item(await summary(sb), 'rating_order_cancellation')).toMatchObject({
      current_value: 25,
      status: 'CRITICAL',
    });
    expect(() => sb.setRating('rating_nope', 1)).toThrow(/unknown rating/);
    expect(() => sb.setRating('rating_on_time', 1, 'BAD' as 'OK')).toThrow(/status/);
    await expect(start({ rating: { changes: [{ afterMs: 0, rating: 'rating_nope', value: 1 }] } })).rejects.toThrow(
      /unknown rating/,
    );
  });

  it('the changes, given and to come, survive a kill -9; the option is ignored on restore', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ozon-sandbox-rating-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'state.json');
    const { sb: a, clock: clockA } = await start({
      stateFile: file,
      rating: { changes: [{ afterMs: 5 * HOUR, rating: 'rating_shipment_delay', value: 21 }] },
    });
    clockA.advance(HOUR);
    a.setRating('rating_on_time', 92);
    await Promise.resolve();
    const killed = join(dir, 'killed.json');
    copyFileSync(file, killed);
    const before = JSON.parse(readFileSync(killed, 'utf8')) as Json;
    expect(before).toEqual(a.snapshot());
    expect(before.rating).toEqual({
      entries: [
        { at: T0 + 5 * HOUR, rating: 'rating_shipment_delay', value: 21, status: null },
        { at: T0 + HOUR, rating: 'rating_on_time', value: 92, status: null },
      ],
    });

    const clockB = manualClock(before.savedAt + 60_000);
    const { sb: b } = await start({
      stateFile: killed,
      clock: clockB,
      rating: { changes: [{ afterMs: 0, rating: 'rating_price', value: 2 }] },
    });
    expect((b.snapshot() as Json).rating).toEqual(before.rating);
    let s = await summary(b);
    expect([item(s, 'rating_on_time').status, item(s, 'rating_shipment_delay').status]).toEqual(['WARNING', 'OK']);
    expect(item(s, 'rating_price').status).toBe('OK');
    clockB.advance(T0 + 5 * HOUR - clockB.now());
    s = await summary(b);
    expect(item(s, 'rating_shipment_delay')).toMatchObject({ current_value: 21, status: 'CRITICAL' });
  });
});

describe('/v1/analytics/data', () => {
  const MUG = 1473290011;
  const TEA = 1473290028;
  const MUG_NAME = 'Кружка керамическая 350 мл, белая';
  const TEA_NAME = 'Чай зелёный листовой, 100 г';
  const PLUS = ['ordered_units', 'revenue', 'cancellations', 'delivered_units', 'returns', 'hits_view'];

  /** 15 Jan: orders of 4 mugs and 3 packs of tea; 16 Jan: one mug delivered and returned, one order cancelled */
  async function shop(opts: Parameters<typeof start>[0] = {}) {
    const { sb, clock } = await start({ enforceRateLimit: false, ...opts });
    sb.createPosting({ lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }] });
    const cancelled = sb.createPosting({
      lines: [
        { offer_id: 'MUG-350-WHT', quantity: 1 },
        { offer_id: 'TEA-GRN-100', quantity: 3 },
      ],
    }).posting_number;
    clock.advance(DAY);
    // delivered now, bought 27 h ago (15 Jan, adopt.ts's back-dated history); the buyer returns it at once
    sb.createPosting({
      startAt: 'delivered',
      lines: [{ offer_id: 'MUG-350-WHT', quantity: 1 }],
      returnAfterDeliveryMs: 0,
    });
    clock.advance(0);
    sb.cancelByBuyer(cancelled);
    return { sb, clock };
  }
  const data = (sb: OzonSandbox, body: Json) =>
    call(sb, '/v1/analytics/data', { date_from: '2026-01-01', date_to: '2026-01-31', limit: 1000, ...body });

  it('Premium Plus: every metric per SKU and day from the postings; totals, sort, filters, paging', async () => {
    const { sb } = await shop();
    const r = await data(sb, { metrics: PLUS, dimension: ['sku', 'day'] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      result: {
        data: [
          {
            dimensions: [
              { id: String(MUG), name: MUG_NAME },
              { id: '2026-01-15', name: '' },
            ],
            metrics: [4, 1960, 0, 0, 0, 0],
          },
          {
            dimensions: [
              { id: String(MUG), name: MUG_NAME },
              { id: '2026-01-16', name: '' },
            ],
            metrics: [0, 0, 1, 1, 1, 0],
          },
          {
            dimensions: [
              { id: String(TEA), name: TEA_NAME },
              { id: '2026-01-15', name: '' },
            ],
            metrics: [3, 987, 0, 0, 0, 0],
          },
          {
            dimensions: [
              { id: String(TEA), name: TEA_NAME },
              { id: '2026-01-16', name: '' },
            ],
            metrics: [0, 0, 3, 0, 0, 0],
          },
        ],
        totals: [7, 2947, 4, 1, 1, 0],
      },
      timestamp: '2026-01-16 09:00:00',
    });

    const byDay = await data(sb, { metrics: ['revenue'], dimension: ['day'], date_from: '2026-01-16' });
    expect(byDay.body.result).toEqual({
      data: [{ dimensions: [{ id: '2026-01-16', name: '' }], metrics: [0] }],
      totals: [0],
    });
    const periods = await data(sb, { metrics: ['ordered_units'], dimension: ['week', 'month', 'year'] });
    expect(periods.body.result.data).toEqual([
      {
        dimensions: [
          { id: '2026-01-12', name: '' },
          { id: '2026-01', name: '' },
          { id: '2026', name: '' },
        ],
        metrics: [7],
      },
    ]);
    const top = await data(sb, {
      metrics: ['revenue', 'ordered_units'],
      dimension: ['sku'],
      sort: [{ key: 'revenue', order: 'DESC' }],
      limit: 1,
      offset: 1,
    });
    expect(top.body.result).toEqual({
      data: [{ dimensions: [{ id: String(TEA), name: TEA_NAME }], metrics: [987, 3] }],
      totals: [2947, 7],
    });
    const tea = await data(sb, {
      metrics: ['ordered_units'],
      dimension: ['day'],
      filters: [{ key: 'sku', op: 'EQ', value: String(TEA) }],
    });
    expect(tea.body.result.data.map((d: Json) => [d.dimensions[0].id, d.metrics[0]])).toEqual([
      ['2026-01-15', 3],
      ['2026-01-16', 0],
    ]);
    const many = await data(sb, {
      metrics: ['ordered_units'],
      dimension: ['sku'],
      filters: [{ key: 'ordered_units', op: 'GT', value: '3' }],
    });
    expect(many.body.result.data.map((d: Json) => d.dimensions[0].id)).toEqual([String(MUG)]);
    expect((await data(sb, { metrics: ['revenue'], dimension: ['brand'] })).body).toEqual(
      err(3, 'sandbox: dimension brand is not modelled (sku, spu, day, week, month, year)'),
    );
  });

  it('without Premium Plus: revenue and ordered_units of the last three months only', async () => {
    for (const premium of ['none', 'premium'] as const) {
      const { sb } = await shop({ premium });
      const ok = await data(sb, { metrics: ['revenue', 'ordered_units'], dimension: ['sku'], date_from: '2025-10-16' });
      expect(ok.status).toBe(200);
      expect(ok.body.result.totals).toEqual([2947, 7]);
      const denied = err(7, 'PREMIUM_PLUS_REQUIRED');
      expect(await data(sb, { metrics: ['revenue', 'returns'], dimension: ['sku'] })).toEqual(
        expect.objectContaining({ status: 403, body: denied }),
      );
      expect((await data(sb, { metrics: ['revenue'], dimension: ['year'] })).body).toEqual(denied);
      const filtered = { metrics: ['revenue'], dimension: ['sku'], filters: [{ key: 'delivered_units', value: '1' }] };
      expect((await data(sb, filtered)).body).toEqual(denied);
      // today is 16 Jan 2026: from 16 Oct 2025 on
      expect((await data(sb, { metrics: ['revenue'], dimension: ['day'], date_from: '2025-10-15' })).body).toEqual(
        err(
          3,
          'invalid request payload: date_from: without Premium Plus, data of the last three months only (from 2025-10-16)',
        ),
      );
    }
  });

  it('refuses a bad request: more than 14 metrics, unknown names, no limit', async () => {
    const { sb } = await start({ enforceRateLimit: false });
    const fifteen = [...Array(15)].map(() => 'revenue');
    const r = await data(sb, { metrics: fifteen, dimension: ['sku'] });
    expect([r.status, r.body.code, r.body.message]).toEqual([400, 3, expect.stringMatching(/at most 14 metrics/)]);
    expect((await data(sb, { metrics: ['likes'], dimension: ['sku'] })).body).toEqual(
      err(3, 'invalid request payload: metrics: unknown likes'),
    );
    expect((await data(sb, { metrics: ['revenue'], dimension: ['color'] })).status).toBe(400);
    expect((await data(sb, { metrics: ['revenue'], dimension: ['sku'], limit: undefined })).status).toBe(400);
    expect((await data(sb, { metrics: ['revenue'], dimension: ['sku'], date_to: '2025-12-31' })).status).toBe(400);
    const empty = await data(sb, { metrics: ['revenue', 'ordered_units'], dimension: ['sku'] });
    expect(empty.body.result).toEqual({ data: [], totals: [0, 0] });
  });

  it('1 call a minute per Client-Id: the second within the minute is refused with 429', async () => {
    const { sb } = await start();
    const body = { metrics: ['revenue'], dimension: ['day'] };
    expect((await data(sb, body)).status).toBe(200);
    expect(await data(sb, body)).toEqual(
      expect.objectContaining({
        status: 429,
        body: { code: 8, message: 'You have reached request rate limit per second' },
      }),
    );
    // other methods are not held back by it
    expect((await call(sb, '/v1/rating/summary', {})).status).toBe(200);
  });
});
