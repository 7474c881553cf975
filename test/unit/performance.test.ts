/** The seller's standing with Ozon (which indicators worsened, what weighs on them) and telling the buyer. */
import { describe, expect, it } from 'vitest';
import { chatOpen, DEFAULT_MESSAGES, itemsOf, messagesOf, render } from '#buyers/rules';
import {
  EVIDENCE,
  FIGURE_ONLY,
  formatValue,
  INCIDENT_KINDS,
  INCIDENT_OF_ALERT,
  lastDays,
  offersWithMostIncidents,
  severityOf,
  skuFigures,
  worsened,
} from '#performance/rules';
import { figuresByDay } from '../../local/figures';

const indicator = (rating: string, status: string) => ({ rating, name: rating, status, value: 1 });

describe('worsened', () => {
  it('alerts an indicator once when it turns WARNING, again when it turns CRITICAL, never while it stays', () => {
    const now = [
      indicator('a', 'WARNING'),
      indicator('b', 'CRITICAL'),
      indicator('c', 'WARNING'),
      indicator('d', 'OK'),
    ];

    const result = worsened(now, { a: 'OK', b: 'WARNING', c: 'WARNING', d: 'WARNING' });

    expect(result.map((i) => i.rating)).toEqual(['a', 'b']);
  });

  it('a first look alerts every indicator that is bad already; unknown statuses count as fine', () => {
    expect(worsened([indicator('a', 'CRITICAL'), indicator('b', 'UNKNOWN_STATUS')], {}).map((i) => i.rating)).toEqual([
      'a',
    ]);
    expect([severityOf('OK'), severityOf('WARNING'), severityOf('CRITICAL'), severityOf(undefined)]).toEqual([
      0, 1, 2, 0,
    ]);
  });
});

describe('evidence', () => {
  it("every incident the product records weighs on some indicator Ozon's history method names, or is the digest's", () => {
    const weighed = new Set(Object.values(EVIDENCE).flatMap((e) => e.kinds));
    for (const kind of Object.values(INCIDENT_OF_ALERT)) {
      expect(weighed.has(kind) !== FIGURE_ONLY.includes(kind), kind).toBe(true);
    }
    expect(new Set([...weighed, ...FIGURE_ONLY])).toEqual(new Set(INCIDENT_KINDS));
    expect(EVIDENCE.rating_order_cancellation).toEqual({ kinds: ['seller_cancelled'], days: 7 });
  });

  it("reads Ozon's analytics rows as figures per SKU, naming the metrics in the order asked, leaving out the unanswered", () => {
    const rows = [
      { dimensions: [{ id: '1473290035', name: 'Лампа' }], metrics: [318.5, 2, null] },
      { dimensions: [{ id: '1473290036', name: null }], metrics: [0, 0] },
    ];
    expect(skuFigures(rows, ['revenue', 'ordered_units', 'hits_view'])).toEqual([
      { sku: '1473290035', name: 'Лампа', metrics: { revenue: 318.5, ordered_units: 2 } },
      { sku: '1473290036', name: '', metrics: { revenue: 0, ordered_units: 0 } },
    ]);
  });

  it("lists the offers the week's incidents were about, most first, at most ten", () => {
    const byOffer: Record<string, Record<string, number>> = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`OFFER-${String(i).padStart(2, '0')}`, { stalled: i % 3 }]),
    );
    byOffer['KETTLE-17L'] = { quality_failed: 2, seller_cancelled: 3 };
    const top = offersWithMostIncidents(byOffer);
    expect(top).toHaveLength(10);
    expect(top[0]).toEqual({ offerId: 'KETTLE-17L', incidents: { quality_failed: 2, seller_cancelled: 3 } });
    expect(top[1]?.offerId).toBe('OFFER-02');
  });

  it('counts back whole UTC days from today', () => {
    expect(lastDays(Date.UTC(2026, 0, 2, 5), 3)).toEqual(['2026-01-02', '2026-01-01', '2025-12-31']);
  });

  it('reads a value as the cabinet shows it', () => {
    expect([formatValue(4.2345, 'PERCENT'), formatValue(12, 'TIME'), formatValue(4.91, 'REVIEW_SCORE')]).toEqual([
      '4.23%',
      '12',
      '4.91',
    ]);
  });
});

describe('telling the buyer', () => {
  const H = 3600_000;
  const delivered = Date.UTC(2026, 0, 10);
  const order = (over: Record<string, string> = {}) => ({
    status: 'delivered',
    deliveredAt: new Date(delivered).toISOString(),
    ...over,
  });

  it("follows Ozon's chat rule: open until 72 h after delivery, then only within 48 h of the buyer's last message", () => {
    expect(chatOpen({ status: 'awaiting_packaging' }, delivered).open).toBe(true);
    expect(chatOpen(order(), delivered + 72 * H).open).toBe(true);
    expect(chatOpen(order(), delivered + 72 * H + 1)).toMatchObject({ open: false });
    const wrote = new Date(delivered + 100 * H).toISOString();
    expect(chatOpen(order({ lastBuyerMessageAt: wrote }), delivered + 148 * H).open).toBe(true);
    expect(chatOpen(order({ lastBuyerMessageAt: wrote }), delivered + 148 * H + 1).open).toBe(false);
  });

  it("takes the seller's texts over the product's, the stall text from BUYER_STALL_MESSAGE unless replaced", () => {
    const texts = messagesOf('{"stock_short":"Ждём {items}"}', 'Задержка {posting}');
    expect(texts.stock_short).toBe('Ждём {items}');
    expect(texts.stalled).toBe('Задержка {posting}');
    expect(texts.partial_cancel).toBe(DEFAULT_MESSAGES.partial_cancel);
    expect(messagesOf('{"stalled":"Своё"}', 'Задержка').stalled).toBe('Своё');
    expect(() => messagesOf('{"unknown":"x"}', 'x')).toThrow(/BUYER_MESSAGES/);
    expect(() => messagesOf('{"stalled":""}', 'x')).toThrow(/BUYER_MESSAGES/);
  });

  it('names the short lines as the buyer knows them: the product name, else the offer id', () => {
    const lines = [
      { offerId: 'MUG', name: 'Кружка' },
      { offerId: 'TEA', name: '' },
    ];
    expect(itemsOf(lines, [{ offerId: 'MUG' }, { offerId: 'TEA' }, { offerId: 'X' }])).toBe('«Кружка», «TEA», «X»');
  });

  it('fills the blanks, leaves unknown ones, and keeps to 1,000 characters', () => {
    expect(render('{posting}: {items} {other}', { posting: '1-1', items: '«Кружка»' })).toBe('1-1: «Кружка» {other}');
    expect(render('x'.repeat(1200), {})).toHaveLength(1000);
    for (const text of Object.values(DEFAULT_MESSAGES)) expect(text.length).toBeLessThanOrEqual(1000);
  });
});

describe("a cancelled posting's chat", () => {
  it('is open only for a reply within 48 h of the buyer writing', () => {
    const t = Date.UTC(2026, 0, 10);
    expect(chatOpen({ status: 'cancelled' }, t)).toMatchObject({
      open: false,
      why: expect.stringMatching(/cancelled/),
    });
    expect(chatOpen({ status: 'cancelled', lastBuyerMessageAt: new Date(t - 3600_000).toISOString() }, t).open).toBe(
      true,
    );
  });
});

describe("the seller's figures from a local run (npm run report)", () => {
  const at = (day: number, hour = 12) => Date.UTC(2026, 11, day, hour);

  it('counts postings received once (a resume is the same posting), returns, and the alerts by figure, per day', () => {
    const result = figuresByDay(
      {
        postingsStarted: [
          { name: '1-1-1', at: at(1) },
          { name: '2-1-1', at: at(1, 23) },
          { name: '2-1-1_r1', at: at(2) },
          { name: '3-1-1', at: at(2) },
        ],
        returnsStarted: [{ at: at(3) }],
        alerts: [
          { kind: 'confirmation_deadline_missed', at: at(1) },
          { kind: 'stock_cancelled', at: at(2) },
          { kind: 'partial_cancel', at: at(2) },
          { kind: 'payout_reversed', at: at(3) },
          { kind: 'pack_batch', at: at(3) },
        ],
      },
      14,
    );

    expect(result.days.map((d) => [d.day, d.received, d.confirmedLate, d.cancelledBySeller, d.returns])).toEqual([
      ['2026-12-01', 2, 1, 0, 0],
      ['2026-12-02', 1, 0, 2, 0],
      ['2026-12-03', 0, 0, 0, 1],
    ]);
    expect(result.total).toMatchObject({ received: 3, cancelledBySeller: 2, payoutsReopened: 1, returns: 1 });
  });

  it('derives the on-time share and the settlement lag of each day, and counts failed quality checks', () => {
    const result = figuresByDay(
      {
        postingsStarted: [1, 2, 3, 4].map((n) => ({ name: `${n}-1-1`, at: at(1) })),
        returnsStarted: [],
        alerts: [
          { kind: 'confirmation_deadline_missed', at: at(1) },
          { kind: 'quality_failed', at: at(1) },
        ],
        metrics: [
          { name: 'SettlementLagHours', value: 30, at: at(2) },
          { name: 'SettlementLagHours', value: 42, at: at(2) },
          { name: 'OzonCalls', value: 1, at: at(2) },
        ],
      },
      14,
    );

    expect(result.days[0]).toMatchObject({ day: '2026-12-01', received: 4, qualityFailed: 1, onTimePct: 75 });
    expect(result.days[1]).toMatchObject({ day: '2026-12-02', received: 0, settlementLagHours: 36 });
    expect(result.days[1]?.onTimePct).toBeUndefined();
    expect(result.total).toMatchObject({ onTimePct: 75, settlementLagHours: 36, qualityFailed: 1 });
  });

  it('keeps the last N days that have figures', () => {
    const result = figuresByDay(
      { postingsStarted: [1, 2, 3].map((d) => ({ name: `${d}-1-1`, at: at(d) })), returnsStarted: [], alerts: [] },
      2,
    );
    expect(result.days.map((d) => d.day)).toEqual(['2026-12-02', '2026-12-03']);
    expect(result.total.received).toBe(2);
  });
});
