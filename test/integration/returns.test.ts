/**
 * Returns (issue 13), through whole executions on the embedded runtime: the sandbox plays Ozon's return methods
 * (`/v2/returns/rfbs/*`, `/v1/returns/rfbs/action/set`, `/v1/returns/list`), approves an unanswered rFBS request
 * itself at its deadline and brings returned parcels back; the poller starts one ReturnLifecycle execution per
 * return. Each case follows one delivered posting's return to its end: the answer on Ozon, the unit back on the
 * shelf or written off, and the refund reconciled with the posting's settled payout. Beside them runs the returns
 * scenario (`npm start -- --scenario returns`, each case once): every return ends as its case intends, and the
 * seller's stock at the end is the seed, less every unit delivered, plus every unit checked resellable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getReturn } from '#aftersale/return-store';
import { getOrder } from '#shared/order-store';
import { getStock } from '#stock/stock-store';
import type { CarrierPlan } from '../../local/carrier';
import type { Execution } from '../../local/engine';
import { afterSaleSettled, afterSaleSummary, printHistory, returnsOf, summarize } from '../../local/report';
import { type Runtime, startRuntime } from '../../local/runtime';
import { returnIntents, runScenario, type ScenarioRun, scenarioRuntimeOptions } from '../../local/scenarios';
import { DEFAULT_PRODUCTS, DEFAULT_WAREHOUSES } from '../../sandbox/index';
import { buyerToldIn, statesEntered, until, waitForExecution } from './helpers';

const RFBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => w.is_rfbs)?.warehouse_id as number;
const HOUR = 3_600_000;
/** The scenario's after-sale cases, once each; the demo stock it seeds per offer and warehouse. */
const SCENARIO_ORDERS = 9;
const SEED = 1000;

let rt: Runtime;
let scenario: ScenarioRun;

beforeAll(async () => {
  // The returns scenario's runtime as `npm start -- --scenario returns` has it (the demo's return rules, a return
  // utilized 2 days after it reaches the drop-off point), with a defect threshold of 1 so one return flags an offer.
  const plans = new Map<string, CarrierPlan>();
  const { sandbox, ...options } = scenarioRuntimeOptions('returns', plans);
  rt = await startRuntime({
    speed: 10_000,
    ...options,
    environment: { ...options.environment, QUALITY_DEFECT_THRESHOLD: '1' },
    ozon: { mode: 'sandbox', sandbox },
  });
  scenario = await runScenario(rt, 'returns', SCENARIO_ORDERS, 0.25, plans);
});
afterAll(async () => {
  scenario?.stop();
  await rt?.stop();
});

/** A posting whose buyer returns its one unit 12 h after delivery (after the sandbox settles it, 6 h in). */
const returningPosting = (schema: 'rfbs' | 'fbs', offerId: string, reasonId: number) =>
  rt.sandbox?.createPosting({
    schema,
    lines: [{ offer_id: offerId, quantity: 1 }],
    returnAfterDeliveryMs: 12 * HOUR,
    returnReasonId: reasonId,
    ...(schema === 'rfbs' ? { returnPhotos: 2, returnComment: 'Не то, что ожидал' } : {}),
  }).posting_number ?? '';

const returnExecution = (pn: string): Execution | undefined =>
  [...(rt.engines.get('ReturnLifecycle')?.executions.values() ?? [])].find((e) => e.name.startsWith(`${pn}_R`));
async function returnEnded(pn: string, timeoutMs = 120_000): Promise<Execution> {
  const execution = await until(() => {
    const e = returnExecution(pn);
    return e && e.status !== 'RUNNING' ? e : undefined;
  }, timeoutMs).catch(() => {
    const e = returnExecution(pn);
    throw new Error(`${pn}'s return did not end: ${e ? statesEntered(e).join(' > ') : 'not started'}`);
  });
  await new Promise((r) => setTimeout(r, 300));
  return execution;
}
const rfbsReturnOf = (pn: string) => rt.sandbox?.afterSale().rfbsReturns.find((r) => r.posting_number === pn);
const fbsReturnOf = (pn: string) => rt.sandbox?.afterSale().fbsReturns.find((r) => r.posting_number === pn);
const alertsOf = (pn: string) => rt.alerts.filter((a) => a.postingNumber === pn);
const kindsOf = (pn: string) => alertsOf(pn).map((a) => a.kind);
const alertOf = (pn: string, kind: string) => until(() => alertsOf(pn).find((a) => a.kind === kind), 120_000);
const actionsOn = (returnId: number) =>
  (rt.sandbox?.calls ?? [])
    .filter((c) => c.path === '/v1/returns/rfbs/action/set' && (c.body as { return_id: number }).return_id === returnId)
    .map((c) => `${(c.body as { id: number }).id} ${c.status}`);

// Concurrently: each case's return runs on the same simulated days, as a seller's returns do.
describe.concurrent('returns', { timeout: 200_000 }, () => {
  describe('an rFBS return request', () => {
    it('approved by rule (a defect): taken back, checked resellable, refunded, back on the shelf, payout reopened', async () => {
      const pn = returningPosting('rfbs', 'MUG-350-WHT', 3);
      await waitForExecution(rt, pn, 120_000);

      const arrived = await alertOf(pn, 'return_arrived');
      expect(arrived.message).toContain('/returnCheck');
      const returnId = rfbsReturnOf(pn)?.return_id as number;
      const check = await rt.sellerApi('returnCheck', { returnId, condition: 'resellable', refund: true });
      expect(check.status).toBe(200);
      const execution = await returnEnded(pn);

      expect(execution.status).toBe('SUCCEEDED');
      expect(statesEntered(execution)).toEqual([
        'RfbsOrFbs',
        'DecideReturn',
        'RequestAnswered',
        'FollowReturn',
        'UnitHandled',
        'SettleReturn',
        'ReturnClosed',
      ]);
      // Approved (1010) by the rule, then the receipt (1040) and the refund (1030) after the seller's check.
      expect(actionsOn(returnId)).toEqual(['1010 200', '1040 200', '1030 200']);
      expect(rfbsReturnOf(pn)).toMatchObject({ state: 'MONEY_RETURNED', autoApproved: false });
      expect(await getReturn(returnId)).toMatchObject({
        decision: { answer: 'approve', by: 'policy' },
        unit: 'restocked',
        isDefect: true,
      });
      // The refund came after the posting was settled: its net payout is reopened and the seller told both figures.
      const order = await getOrder(pn);
      expect(order?.payout?.verdict).toBe('reversed');
      const reversed = alertsOf(pn).find((a) => a.kind === 'payout_reversed');
      expect(reversed?.message).toMatch(/went from [\d.]+ to [\d.-]+ RUB/);
      expect(kindsOf(pn)).toEqual(expect.arrayContaining(['return_answered', 'return_arrived', 'return_done']));
      expect(kindsOf(pn)).not.toContain('return_request');
      // One defect return reaches this run's threshold of 1: the mug is flagged for a quality check.
      expect(rt.alerts.some((a) => a.kind === 'quality_flag' && a.message.includes('MUG-350-WHT'))).toBe(true);
      // ...and its packing lists at the posting's warehouse say so from now on.
      const mug = (await getStock(RFBS_WAREHOUSE, ['MUG-350-WHT'])).get('MUG-350-WHT');
      expect(mug?.handling).toEqual(expect.arrayContaining(['fragile', 'quality_check']));
    });

    it('a cheap unit refunded at once by rule: nothing comes back, the payout is reopened', async () => {
      const pn = returningPosting('rfbs', 'LAMP-LED-E27', 1);

      const execution = await returnEnded(pn, 150_000);

      expect(statesEntered(execution)).toEqual([
        'RfbsOrFbs',
        'DecideReturn',
        'RequestAnswered',
        'SettleReturn',
        'ReturnClosed',
      ]);
      const returnId = rfbsReturnOf(pn)?.return_id as number;
      expect(actionsOn(returnId)).toEqual(['1030 200']);
      expect((await getOrder(pn))?.payout?.verdict).toBe('reversed');
    });

    it('rejected by the seller: asked with the photos and the deadline, the rejection sent with a reason and comment', async () => {
      const pn = returningPosting('rfbs', 'TEA-GRN-100', 1);
      const asked = await alertOf(pn, 'return_request');
      expect(asked.severity).toBe('critical');
      expect(asked.message).toContain('/returnRequest');
      expect(asked.message).toContain('/sandbox/files/returns/');
      const returnId = rfbsReturnOf(pn)?.return_id as number;

      const answer = await rt.sellerApi('returnRequest', {
        returnId,
        answer: 'reject',
        comment: 'Товар надлежащего качества',
      });
      expect(answer.status).toBe(200);
      const execution = await returnEnded(pn);

      expect(statesEntered(execution).at(-1)).toBe('ReturnClosed');
      expect(statesEntered(execution)).not.toContain('FollowReturn');
      expect(rfbsReturnOf(pn)).toMatchObject({
        state: 'REJECTED',
        rejection: { comment: 'Товар надлежащего качества' },
      });
      expect(actionsOn(returnId)).toEqual(['-1 200']);
      expect((await getReturn(returnId))?.unit).toBeUndefined();
      // The buyer is told the decision in the chat, once.
      const told = await until(() => {
        const texts = buyerToldIn(rt, pn).filter((t) => /По вашей заявке на возврат/.test(t));
        return texts.length ? texts : undefined;
      });
      expect(told).toHaveLength(1);
      // A second answer is refused: the first counts.
      expect((await rt.sellerApi('returnRequest', { returnId, answer: 'refund' })).status).toBe(409);
    });

    it('answered by the seller with a partial compensation: the unit stays with the buyer, the payout falls by it', async () => {
      const pn = returningPosting('rfbs', 'NOTE-A5-DOT', 2);
      await alertOf(pn, 'return_request');
      const returnId = rfbsReturnOf(pn)?.return_id as number;
      // More than the price is refused before anything reaches Ozon.
      expect((await rt.sellerApi('returnRequest', { returnId, answer: 'compensate', amount: 500 })).status).toBe(400);

      const answer = await rt.sellerApi('returnRequest', { returnId, answer: 'compensate', amount: 100 });
      expect(answer.status).toBe(200);
      const execution = await returnEnded(pn);

      expect(statesEntered(execution)).toContain('SettleReturn');
      expect(rfbsReturnOf(pn)).toMatchObject({ state: 'PARTIAL_COMPENSATION_RETURNED', refund: { amount: 100 } });
      expect(actionsOn(returnId)).toEqual(['1020 200']);
      const order = await getOrder(pn);
      expect(order?.payout).toMatchObject({ verdict: 'reversed', difference: -100 });
    });

    it('not answered: the seller is told before and at the end of their time, Ozon approves it; refunded, written off', async () => {
      const pn = returningPosting('rfbs', 'SOCKS-WOOL-42', 1);
      const returnId = await until(() => rfbsReturnOf(pn)?.return_id, 120_000);

      const arrived = await alertOf(pn, 'return_arrived');
      expect(arrived).toBeDefined();
      const check = await rt.sellerApi('returnCheck', {
        returnId,
        condition: 'defective',
        refund: true,
      });
      expect(check.status).toBe(200);
      const execution = await returnEnded(pn);

      // Approved by the sandbox at its deadline, never by the product, and only after both alerts reached the seller.
      expect(rfbsReturnOf(pn)?.autoApproved).toBe(true);
      const kinds = kindsOf(pn);
      expect(kinds.indexOf('return_request')).toBeGreaterThanOrEqual(0);
      expect(kinds.indexOf('return_request')).toBeLessThan(kinds.indexOf('return_unanswered'));
      expect(kinds.indexOf('return_unanswered')).toBeLessThan(kinds.indexOf('return_answered'));
      expect(alertsOf(pn).find((a) => a.kind === 'return_answered')?.message).toMatch(/Ozon or the cabinet/);
      // Checked defective and refunded: receipt (1040), then the refund (1030); the unit is written off, not shelved.
      expect(actionsOn(returnId)).toEqual(['1040 200', '1030 200']);
      expect(rfbsReturnOf(pn)?.state).toBe('MONEY_RETURNED');
      expect(await getReturn(returnId)).toMatchObject({ decision: { by: 'ozon' }, unit: 'written_off' });
      expect(statesEntered(execution).slice(-2)).toEqual(['SettleReturn', 'ReturnClosed']);
    });
  });

  describe('an FBS return', () => {
    it('collected before paid storage: warned on arrival, checked resellable, back on the shelf', async () => {
      const pn = returningPosting('fbs', 'BOTTLE-750-STL', 1);
      await waitForExecution(rt, pn, 120_000);

      const arrived = await alertOf(pn, 'return_arrived');
      const returned = fbsReturnOf(pn);
      expect(returned?.status).toBe('ArrivedAtReturnPlace');
      rt.sandbox?.collectReturn(returned?.id as number);
      const check = await rt.sellerApi('returnCheck', {
        returnId: returned?.id,
        condition: 'resellable',
        refund: true,
      });
      expect(check.status).toBe(200);
      const execution = await returnEnded(pn);

      expect(arrived.message).toMatch(/drop-off point/);
      expect(statesEntered(execution)).toEqual([
        'RfbsOrFbs',
        'FollowReturn',
        'UnitHandled',
        'SettleReturn',
        'ReturnClosed',
      ]);
      expect(await getReturn(returned?.id as number)).toMatchObject({ unit: 'restocked', schema: 'fbs' });
      // Collected within the free day: nothing to pay for storage.
      const collected = fbsReturnOf(pn);
      expect(collected).toMatchObject({ status: 'ReceivedBySeller' });
      expect((collected?.collectedAt ?? 0) - (collected?.arrivedAt ?? 0)).toBeLessThan(24 * HOUR);
      expect((await getOrder(pn))?.payout?.verdict).toBe('reversed');
      // FBS returns have no request: an answer is refused.
      expect((await rt.sellerApi('returnRequest', { returnId: returned?.id, answer: 'refund' })).status).toBe(409);
    });
  });

  describe('npm start --scenario returns', () => {
    it('every case ends as intended, none auto-approved unalerted; the stock is what every decision implies', async () => {
      // Everything of this file over: every posting ended, no return still to come, every return's execution ended.
      await until(() => {
        const postings = [...rt.engine.executions.values()];
        return postings.every((e) => e.status !== 'RUNNING') &&
          postings.length >= SCENARIO_ORDERS + 6 &&
          afterSaleSettled(rt)
          ? true
          : undefined;
      }, 190_000);

      const summary = summarize(rt, 0);
      const afterSale = await afterSaleSummary(rt, scenario.paths, getReturn);
      // Each scenario case's return ends as the case says (the other tests' returns count as 'happy' here).
      const intents = returnIntents();
      const expected: Record<string, Record<string, number>> = {};
      for (const path of scenario.paths.values()) {
        const ends = intents.get(path);
        if (ends) expected[path] = { [ends]: 1 };
      }
      const { happy: _others, ...byPath } = afterSale.returns.byPath ?? {};
      expect(byPath).toEqual(expected);
      expect(Object.keys(expected)).toHaveLength(7);
      expect(afterSale.returns.autoApprovedWithoutAlert).toBe(0);
      expect(afterSale.returns.autoApproved).toBe(2);
      const requests = (rt.sandbox?.afterSale().cancellations ?? []).map((c) => {
        const e = [...rt.engine.executions.values()].find((x) => x.name === c.posting_number);
        return `${scenario.paths.get(c.posting_number)}: ${c.resolution}; ${e ? printHistory(e) : 'no execution'}`;
      });
      expect(afterSale.cancellationRequests.byOutcome, requests.join('\n')).toEqual({ approved: 1, rejected: 1 });
      expect(summary.byFinalState).toEqual({ Completed: summary.postings - 1, Cancelled: 1 });
      for (const path of [
        '/v2/returns/rfbs/list',
        '/v2/returns/rfbs/get',
        '/v1/returns/rfbs/action/set',
        '/v1/returns/list',
        '/v2/conditional-cancellation/approve',
        '/v2/conditional-cancellation/reject',
      ]) {
        expect(summary.ozonCalls.byPath[path], path).toBeGreaterThan(0);
      }

      // The seller's stock: the seed, less every unit of every posting not cancelled, plus each unit restocked.
      const key = (warehouseId: number, offerId: string) => `${warehouseId}#${offerId}`;
      const expectedStock = new Map<string, number>();
      for (const w of DEFAULT_WAREHOUSES)
        for (const p of DEFAULT_PRODUCTS) expectedStock.set(key(w.warehouse_id, p.offer_id), SEED);
      const postings =
        (rt.sandbox?.snapshot() as { postings?: { posting_number: string }[] } | undefined)?.postings ?? [];
      for (const { posting_number } of postings) {
        const posting = rt.sandbox?.posting(posting_number) as {
          status: string;
          delivery_method: { warehouse_id: number };
          products: { offer_id: string; quantity: number }[];
        };
        if (posting.status === 'cancelled') continue;
        for (const line of posting.products) {
          const k = key(posting.delivery_method.warehouse_id, line.offer_id);
          expectedStock.set(k, (expectedStock.get(k) ?? 0) - line.quantity);
        }
      }
      let restocked = 0;
      for (const r of returnsOf(rt)) {
        const record = await getReturn(r.id);
        if (record?.unit !== 'restocked' || record.warehouseId === undefined) continue;
        restocked++;
        const k = key(record.warehouseId, record.offerId);
        expectedStock.set(k, (expectedStock.get(k) ?? 0) + 1);
      }
      // Two in the scenario, two in this file's own cases; the scenario's rejection after the check went back to the
      // buyer, not to the shelf.
      expect(restocked).toBe(4);
      const actual = new Map<string, number>();
      for (const w of DEFAULT_WAREHOUSES) {
        const items = await getStock(
          w.warehouse_id,
          DEFAULT_PRODUCTS.map((p) => p.offer_id),
        );
        for (const item of items.values()) actual.set(key(w.warehouse_id, item.offerId), item.onHand);
      }
      expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expectedStock));
    });
  });
});
