/** The quality check's rules (functions/quality/rules.ts): which lines are checked, which answers are taken. */
import { describe, expect, it } from 'vitest';
import { acceptAnswer, linesToCheck, parseQualityPolicy } from '#quality/rules';

const line = (offerId: string, sku: number, qty = 1) => ({ offerId, sku, qty, name: offerId, price: 100 });
const LINES = [line('MUG', 11, 2), line('TEA', 22), line('LAMP', 33)];

describe('linesToCheck', () => {
  it('takes the lines whose offer or SKU the policy names, or whose offer is on the check list', () => {
    const policy = parseQualityPolicy(JSON.stringify({ offers: ['MUG'], skus: [33] }));
    expect(linesToCheck(LINES, policy, []).map((l) => l.offerId)).toEqual(['MUG', 'LAMP']);
    expect(linesToCheck(LINES, parseQualityPolicy('{}'), ['TEA']).map((l) => l.offerId)).toEqual(['TEA']);
    expect(linesToCheck(LINES, parseQualityPolicy(''), [])).toEqual([]);
  });

  it('refuses a policy that is not one, naming QUALITY_CHECK', () => {
    expect(() => parseQualityPolicy('{offers:')).toThrow(/QUALITY_CHECK is not JSON/);
    expect(() => parseQualityPolicy(JSON.stringify({ offers: 'MUG' }))).toThrow(
      /QUALITY_CHECK is not a quality policy/,
    );
    expect(() => parseQualityPolicy(JSON.stringify({ skus: [-1] }))).toThrow(/QUALITY_CHECK/);
  });
});

describe('acceptAnswer', () => {
  const waiting = {
    phase: 'awaiting_check' as const,
    qualityCheck: { result: 'pending' as const, failures: 0 },
    lines: LINES,
  };
  const checked = LINES.slice(0, 1);

  it('takes a pass, and a failure with its reason, naming the only checked line when none is named', () => {
    expect(acceptAnswer(waiting, { passed: true }, checked)).toEqual({ ok: true });
    expect(acceptAnswer(waiting, { passed: false, reason: 'chipped' }, checked)).toEqual({
      ok: true,
      offerId: 'MUG',
      units: 1,
    });
    expect(acceptAnswer(waiting, { passed: false, reason: 'dead', offerId: 'LAMP', units: 1 }, checked)).toMatchObject({
      ok: true,
      offerId: 'LAMP',
    });
  });

  it('refuses what it cannot act on, with the status the seller API answers', () => {
    expect(acceptAnswer({ ...waiting, phase: 'reserved' }, { passed: true }, checked)).toMatchObject({ status: 409 });
    const answered = { ...waiting, qualityCheck: { result: 'passed' as const, failures: 0 } };
    expect(acceptAnswer(answered, { passed: false, reason: 'x' }, checked)).toMatchObject({ status: 409 });
    expect(acceptAnswer(waiting, { passed: false }, checked)).toMatchObject({ status: 422 });
    expect(acceptAnswer(waiting, { passed: false, reason: 'x', offerId: 'SOCKS' }, checked)).toMatchObject({
      status: 422,
    });
    expect(acceptAnswer(waiting, { passed: false, reason: 'x', units: 3 }, checked)).toMatchObject({ status: 422 });
    // Two lines checked and none named: which one failed is the warehouse's to say.
    expect(acceptAnswer(waiting, { passed: false, reason: 'x' }, LINES)).toMatchObject({ status: 422 });
  });
});
