/**
 * The returns scenario as `npm start -- --scenario returns` runs it (each after-sale case once, then well-going
 * postings), in process: every return ends as its case intends, none is approved by Ozon's deadline without the
 * seller alerted first, the summary counts them, and the seller's stock at the end is what the decisions imply —
 * the seed, less every unit delivered, plus every unit the seller checked resellable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getReturn } from '#aftersale/return-store';
import { getStock } from '#stock/stock-store';
import type { CarrierPlan } from '../../local/carrier';
import { afterSaleSettled, afterSaleSummary, printHistory, returnsOf, summarize } from '../../local/report';
import { type Runtime, startRuntime } from '../../local/runtime';
import { returnIntents, runScenario, type ScenarioRun, scenarioRuntimeOptions } from '../../local/scenarios';
import { DEFAULT_PRODUCTS, DEFAULT_WAREHOUSES } from '../../sandbox/index';
import { until } from './helpers';

/** The scenario's after-sale cases, once each. */
const ORDERS = 9;
const SEED = 1000;

let rt: Runtime;
let run: ScenarioRun;

beforeAll(async () => {
  const plans = new Map<string, CarrierPlan>();
  const { sandboxTiming, ...options } = scenarioRuntimeOptions('returns', plans);
  rt = await startRuntime({ speed: 10_000, ...options, ozon: { mode: 'sandbox', sandbox: { timing: sandboxTiming } } });
  run = await runScenario(rt, 'returns', ORDERS, 0.25, plans);
});
afterAll(async () => {
  run?.stop();
  await rt?.stop();
});

describe('npm start --scenario returns', () => {
  it('every return and cancellation request ends as intended; the stock is what the decisions imply', {
    timeout: 300_000,
  }, async () => {
    // Every posting done, no return still to come, every return's execution ended.
    await until(() => {
      const postings = [...rt.engine.executions.values()];
      const done = postings.length === ORDERS && postings.every((e) => e.status !== 'RUNNING') && afterSaleSettled(rt);
      return done || undefined;
    }, 280_000);

    const summary = summarize(rt, 0);
    const afterSale = await afterSaleSummary(rt, run.paths, getReturn);
    const intents = returnIntents();
    // Each case's return ends as the case says, the two cancellation requests as theirs.
    const expected: Record<string, Record<string, number>> = {};
    for (const [pn, path] of run.paths) {
      const ends = intents.get(path);
      if (ends) expected[path] = { [ends]: 1 };
      else
        expect(
          returnsOf(rt).some((r) => r.postingNumber === pn),
          path,
        ).toBe(false);
    }
    expect(afterSale.returns.byPath).toEqual(expected);
    expect(afterSale.returns.total).toBe(7);
    expect(afterSale.returns.autoApproved).toBe(1);
    expect(afterSale.returns.autoApprovedWithoutAlert).toBe(0);
    const requests = (rt.sandbox?.afterSale().cancellations ?? []).map((c) => {
      const e = [...rt.engine.executions.values()].find((x) => x.name === c.posting_number);
      return `${run.paths.get(c.posting_number)}: ${c.resolution}; ${e ? printHistory(e) : 'no execution'}`;
    });
    expect(afterSale.cancellationRequests.byOutcome, requests.join('\n')).toEqual({ approved: 1, rejected: 1 });
    expect(summary.byFinalState).toEqual({ Completed: ORDERS - 1, Cancelled: 1 });
    // The list, get and action calls of both kinds of return, and both answers to cancellation requests.
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
    const expectedStock = new Map<string, number>();
    const key = (warehouseId: number, offerId: string) => `${warehouseId}#${offerId}`;
    for (const w of DEFAULT_WAREHOUSES)
      for (const p of DEFAULT_PRODUCTS) expectedStock.set(key(w.warehouse_id, p.offer_id), SEED);
    for (const pn of run.paths.keys()) {
      const posting = rt.sandbox?.posting(pn) as
        | {
            status: string;
            delivery_method: { warehouse_id: number };
            products: { offer_id: string; quantity: number }[];
          }
        | undefined;
      if (!posting || posting.status === 'cancelled') continue;
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
    expect(restocked).toBe(2);
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
