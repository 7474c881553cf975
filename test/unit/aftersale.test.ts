/** After-sale rules: how a buyer's cancellation request and a return request are answered, and by when. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideRequest,
  dropoffWarnings,
  fbsStage,
  parsePolicy,
  payoutReversal,
  policyAnswer,
  qualityFlagged,
  requestDeadlines,
  returnExecutionName,
  rfbsStage,
} from '#aftersale/return-rules';
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

describe('return requests (rFBS)', () => {
  const policy = parsePolicy(
    JSON.stringify({
      rules: [
        { offerIds: ['LAMP'], refundUnder: 200 },
        { offerIds: ['KETTLE'], defect: 'ask', approveReasons: [2] },
        { defect: 'refund', otherwise: 'ask' },
      ],
    }),
  );
  const facts = (over: Partial<{ offerId: string; price: number; reasonId: number; isDefect: boolean }> = {}) => ({
    offerId: 'MUG',
    price: 490,
    reasonId: 1,
    isDefect: false,
    ...over,
  });

  it('the first rule naming the offer decides, else the first rule for all offers', () => {
    expect(policyAnswer(facts({ offerId: 'LAMP', price: 159 }), policy)).toBe('refund');
    // The lamp's own rule says nothing about a dearer lamp's defect: asked, not the catch-all's refund.
    expect(policyAnswer(facts({ offerId: 'LAMP', price: 300, isDefect: true }), policy)).toBe('ask');
    expect(policyAnswer(facts({ offerId: 'KETTLE', isDefect: true }), policy)).toBe('ask');
    expect(policyAnswer(facts({ offerId: 'KETTLE', reasonId: 2 }), policy)).toBe('approve');
    expect(policyAnswer(facts({ isDefect: true }), policy)).toBe('refund');
    expect(policyAnswer(facts(), policy)).toBe('ask');
    expect(policyAnswer(facts(), parsePolicy('{}'))).toBe('ask');
  });

  it("the seller's answer wins; unanswered, the seller is asked until answerBy, then Ozon decides", () => {
    const seller = { answer: 'reject' as const, comment: 'ok' };
    expect(decideRequest(facts(), policy, seller, 1000, 2000)).toEqual({ ...seller, by: 'seller' });
    expect(decideRequest(facts({ isDefect: true }), policy, undefined, 1000, 2000)).toEqual({
      answer: 'refund',
      by: 'policy',
    });
    expect(decideRequest(facts(), policy, undefined, 1000, 999)).toEqual({ answer: 'ask' });
    expect(decideRequest(facts(), policy, undefined, 1000, 1000)).toEqual({ answer: 'leave' });
  });

  it('the product never answers with a rejection nobody chose, whatever the rules and the time', () => {
    fc.assert(
      fc.property(
        fc.record({ offerId: fc.constantFrom('MUG', 'LAMP', 'KETTLE'), price: fc.nat(5000), reasonId: fc.nat(6) }),
        fc.boolean(),
        fc.integer(),
        (f, isDefect, now) => {
          const d = decideRequest({ ...f, isDefect }, policy, undefined, 0, now);
          expect(d.answer).not.toBe('reject');
        },
      ),
    );
  });

  it('deadlines count from the request: answered before Ozon would approve it itself', () => {
    const { deadline, answerBy } = requestDeadlines(Date.UTC(2026, 0, 1), 72, 6);
    expect(new Date(deadline).toISOString()).toBe('2026-01-04T00:00:00.000Z');
    expect(new Date(answerBy).toISOString()).toBe('2026-01-03T18:00:00.000Z');
  });

  it('a bad RETURN_POLICY is named, not ignored', () => {
    expect(() => parsePolicy('{rules')).toThrow(/RETURN_POLICY is not JSON/);
    expect(() => parsePolicy('{"rules":[{"defect":"destroy"}]}')).toThrow(/not a return policy/);
    expect(() => parsePolicy('{"rules":[],"extra":1}')).toThrow(/not a return policy/);
  });
});

describe("a return's stage from Ozon's state", () => {
  it('rFBS states and FBS statuses, unknown ones waited on', () => {
    expect(
      [
        'ON_APPROVAL',
        'MOVING_TO_SELLER',
        'ARRIVED_AT_RETURN_PLACE',
        'RECEIVED_BY_SELLER',
        'MONEY_RETURNED',
        'REJECTED',
        'X',
      ].map(rfbsStage),
    ).toEqual(['request', 'in_transit', 'back', 'back', 'refunded', 'rejected', 'unknown']);
    expect(
      ['MovingToSeller', 'ArrivedAtReturnPlace', 'ReceivedBySeller', 'Utilized', 'Cancelled', undefined].map(fbsStage),
    ).toEqual(['in_transit', 'at_dropoff', 'collected', 'utilized', 'closed', 'unknown']);
  });

  it('an FBS return at the drop-off point is warned on arrival, then before paid storage and before utilization', () => {
    const h = 3600_000;
    const storage = { tarifficationStart: 100 * h, utilizationForecast: 300 * h };
    expect(dropoffWarnings(storage, 10 * h, 48)).toEqual(['arrived']);
    expect(dropoffWarnings(storage, 52 * h, 48)).toEqual(['arrived', 'paid_storage']);
    expect(dropoffWarnings(storage, 260 * h, 48)).toEqual(['arrived', 'paid_storage', 'utilization']);
    expect(dropoffWarnings({}, 260 * h, 48)).toEqual(['arrived']);
  });
});

describe('a refund after settlement', () => {
  it('reopens the payout only when the net fell by more than the tolerance', () => {
    expect(payoutReversal(420, 0, 1)).toEqual({ before: 420, after: 0, difference: -420 });
    expect(payoutReversal(420, 419.5, 1)).toBeUndefined();
    expect(payoutReversal(420, 430, 1)).toBeUndefined();
  });

  it('flags an offer once its defect returns reach the threshold', () => {
    expect([qualityFlagged(2, 3), qualityFlagged(3, 3), qualityFlagged(4, 3)]).toEqual([false, true, true]);
  });

  it("names the execution by the posting first, so the console's prefix search finds it", () => {
    expect(returnExecutionName('12345678-0001-1', 800000001)).toBe('12345678-0001-1_R800000001');
  });
});
