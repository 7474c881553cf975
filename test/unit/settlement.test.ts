import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payoutSweepDue, settle } from '#settlement/rules';

describe('settle', () => {
  it('is missing when Ozon accrued nothing', () => {
    const accruals: { typeId: number; amount: number }[] = [];

    const result = settle(250.1, accruals, 1);

    expect(result).toEqual({ expected: 250.1, actual: 0, difference: -250.1, verdict: 'missing' });
  });

  it('is settled when the accruals match exactly', () => {
    const accruals = [{ typeId: 1, amount: 250.1 }];

    const result = settle(250.1, accruals, 1);

    expect(result).toEqual({ expected: 250.1, actual: 250.1, difference: 0, verdict: 'settled' });
  });

  it('adds up parts (sale, commission, logistics) before judging', () => {
    const accruals = [
      { typeId: 1, amount: 1259 },
      { typeId: 2, amount: -188.85 },
      { typeId: 3, amount: -63.05 },
      { typeId: 4, amount: 0.1 },
      { typeId: 4, amount: 0.2 },
    ];

    const result = settle(1007.4, accruals, 0);

    expect(result).toEqual({ expected: 1007.4, actual: 1007.4, difference: 0, verdict: 'settled' });
  });

  it.each([
    [99.5, 'settled', -0.5],
    [99, 'settled', -1],
    [101, 'settled', 1],
    [98.99, 'underpaid', -1.01],
    [90, 'underpaid', -10],
    [101.01, 'overpaid', 1.01],
    [150, 'overpaid', 50],
  ])('expected 100, accrued %s with tolerance 1 is %s (difference %s)', (amount, verdict, difference) => {
    const accruals = [{ typeId: 1, amount }];

    const result = settle(100, accruals, 1);

    expect(result.verdict).toBe(verdict);
    expect(result.difference).toBe(difference);
    expect(result.actual).toBe(amount);
  });

  it('is settled at exactly the tolerance even when float sums are inexact', () => {
    const accruals = [
      { typeId: 1, amount: 0.1 },
      { typeId: 2, amount: 0.2 },
    ];

    const result = settle(0.2, accruals, 0.1);

    expect(result).toEqual({ expected: 0.2, actual: 0.3, difference: 0.1, verdict: 'settled' });
  });

  it('is missing even when nothing was expected, as long as there are no accruals', () => {
    const accruals: { typeId: number; amount: number }[] = [];

    const result = settle(0, accruals, 1);

    expect(result.verdict).toBe('missing');
  });

  it('is settled iff |sum − expected| ≤ tolerance, counted in cents', () => {
    const cents = fc.integer({ min: -10_000_000, max: 10_000_000 });
    const scenario = fc.record({
      expected: cents,
      parts: fc.array(cents, { minLength: 1, maxLength: 8 }),
      tolerance: fc.integer({ min: 0, max: 500 }),
    });
    const bad: unknown[] = [];

    fc.assert(
      fc.property(scenario, ({ expected, parts, tolerance }) => {
        const sum = parts.reduce((s, p) => s + p, 0);
        const accruals = parts.map((p, i) => ({ typeId: i, amount: p / 100 }));
        const result = settle(expected / 100, accruals, tolerance / 100);
        const within = Math.abs(sum - expected) <= tolerance;
        const ok =
          (result.verdict === 'settled') === within &&
          result.actual === sum / 100 &&
          result.difference === (sum - expected) / 100 &&
          (within || result.verdict === (sum < expected ? 'underpaid' : 'overpaid'));
        if (!ok) bad.push({ expected, parts, tolerance, result });
        return ok;
      }),
      { numRuns: 1000 },
    );

    expect(bad).toEqual([]);
  });
});

describe('settle without an expected payout (Ozon said 0 or nothing)', () => {
  const SALE = new Set([1]);

  it('is settled once the sale is accrued, with what was accrued and no gap claimed', () => {
    const result = settle(
      undefined,
      [
        { typeId: 1, amount: 900 },
        { typeId: 2, amount: -135 },
      ],
      1,
      SALE,
    );

    expect(result).toEqual({ actual: 765, difference: 0, verdict: 'settled' });
  });

  it('is missing while only other accruals (logistics) came', () => {
    expect(settle(undefined, [{ typeId: 3, amount: -60 }], 1, SALE).verdict).toBe('missing');
    expect(settle(undefined, [], 1, SALE).verdict).toBe('missing');
  });

  it('never says underpaid or overpaid, whatever was accrued', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ typeId: fc.integer({ min: 1, max: 4 }), amount: fc.integer({ min: -5000, max: 5000 }) })),
        (accruals) => {
          expect(['settled', 'missing']).toContain(settle(undefined, accruals, 1, SALE).verdict);
        },
      ),
    );
  });
});

describe('payoutSweepDue: the payout sweep runs once per period, not on every poll', () => {
  const H = 3600_000;
  it('sweeps on the first run, then on the first run of each new period only', () => {
    expect(payoutSweepDue(undefined, 5 * H, 6)).toBe(true);
    expect(payoutSweepDue(1 * H, 5 * H, 6)).toBe(false);
    expect(payoutSweepDue(5 * H, 6 * H, 6)).toBe(true);
    expect(payoutSweepDue(6 * H, 6.5 * H, 6)).toBe(false);
  });

  it('runs in every period that has a poll: a sequence of polls sweeps exactly once per period it touches', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3 * H }), { minLength: 1, maxLength: 50 }), (gaps) => {
        let t = 0;
        let previous: number | undefined;
        const swept = new Set<number>();
        const touched = new Set<number>();
        for (const gap of gaps) {
          t += gap;
          touched.add(Math.floor(t / (6 * H)));
          if (payoutSweepDue(previous, t, 6)) {
            const period = Math.floor(t / (6 * H));
            if (swept.has(period)) return false;
            swept.add(period);
          }
          previous = t;
        }
        return swept.size === touched.size;
      }),
    );
  });
});
