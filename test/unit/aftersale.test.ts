/** After-sale rules: how a buyer's cancellation request is answered, and by when. */
import { describe, expect, it } from 'vitest';
import { answerBy, answerCancellation, requestOpen } from '#aftersale/rules';

const REQUEST = {
  id: 7,
  reason: 'Покупатель передумал',
  requestedAt: '2026-12-01T10:00:00.000Z',
  autoApproveAt: '2026-12-03T10:00:00.000Z',
};
const POLICY = { afterHandover: 'ask' as const, rejectComment: 'Уже в пути' };
const BY = answerBy(REQUEST, 2 * 3600_000) as number;
const EARLY = Date.parse('2026-12-02T10:00:00.000Z');

describe('answerCancellation', () => {
  it.each(['awaiting_packaging', 'awaiting_approve', 'awaiting_registration', 'awaiting_deliver'])(
    'not handed over (%s): approved by policy, whatever the seller said',
    (status) => {
      expect(
        answerCancellation({ ...REQUEST, seller: { approve: false, at: 'x' } }, status, POLICY, BY, EARLY),
      ).toEqual({
        answer: 'approve',
        by: 'policy',
      });
    },
  );

  it("with the carrier: the seller's own answer first", () => {
    expect(
      answerCancellation({ ...REQUEST, seller: { approve: true, at: 'x' } }, 'delivering', POLICY, BY, EARLY),
    ).toEqual({ answer: 'approve', by: 'seller' });
    expect(
      answerCancellation(
        { ...REQUEST, seller: { approve: false, comment: 'нет', at: 'x' } },
        'delivering',
        POLICY,
        BY,
        EARLY,
      ),
    ).toEqual({ answer: 'reject', by: 'seller', comment: 'нет' });
  });

  it('with the carrier and no answer: ask until the margin before the deadline, then reject by policy', () => {
    expect(answerCancellation(REQUEST, 'delivering', POLICY, BY, EARLY)).toEqual({ answer: 'ask' });
    expect(answerCancellation(REQUEST, 'delivering', POLICY, BY, BY)).toEqual({
      answer: 'reject',
      by: 'policy',
      comment: 'Уже в пути',
    });
    // Without Ozon's date nobody can be asked in time: rejected at once.
    expect(answerCancellation(REQUEST, 'delivering', POLICY, undefined, EARLY).answer).toBe('reject');
    expect(answerCancellation(REQUEST, 'delivering', { ...POLICY, afterHandover: 'reject' }, BY, EARLY).answer).toBe(
      'reject',
    );
  });

  it('answers two hours before auto_approve_date; a request is open until decided', () => {
    expect(new Date(BY).toISOString()).toBe('2026-12-03T08:00:00.000Z');
    expect(answerBy({ autoApproveAt: undefined }, 1000)).toBeUndefined();
    expect(requestOpen({ cancellationRequest: REQUEST })).toBe(true);
    expect(requestOpen({ cancellationRequest: { ...REQUEST, decision: 'rejected' } })).toBe(false);
    expect(requestOpen({})).toBe(false);
  });
});
