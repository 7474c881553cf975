/** The seller's standing with Ozon: which indicators worsened, what weighs on them, how values read. */
import { describe, expect, it } from 'vitest';
import { EVIDENCE, formatValue, INCIDENT_OF_ALERT, lastDays, severityOf, worsened } from '#performance/rules';

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
  it("every incident the product records weighs on some indicator Ozon's history method names", () => {
    const weighed = new Set(Object.values(EVIDENCE).flatMap((e) => e.kinds));
    for (const kind of Object.values(INCIDENT_OF_ALERT)) expect(weighed.has(kind), kind).toBe(true);
    expect(EVIDENCE.rating_order_cancellation).toEqual({ kinds: ['seller_cancelled'], days: 7 });
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
