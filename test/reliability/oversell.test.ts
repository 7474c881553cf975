/**
 * Oversell: many postings for one SKU arrive at once, through the sandbox's pushes and the real webhook, and race
 * for too little stock. Exactly the units on hand are reserved and shipped, every other posting takes the
 * short-stock path, and the stock item never goes negative or reserves more than it holds — sampled while the
 * race runs, not only at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStock, getStock } from '#stock/stock-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { FBS_WAREHOUSE, FULL, lastState, statesOf, waitUntil } from './helpers';

const POSTINGS = FULL ? 500 : 200;
const UNITS = FULL ? 100 : 40;
const SKU = 'MUG-350-WHT';

let rt: Runtime;
beforeAll(async () => {
  // Slow enough that the Ozon calls of every posting fit well inside its shipment deadline on the compressed clock.
  rt = await startRuntime({ speed: 1000 });
  await addStock(FBS_WAREHOUSE, SKU, UNITS, { name: 'Mug' });
});
afterAll(async () => {
  await rt?.stop();
});

describe(`${POSTINGS} postings for one SKU with ${UNITS} units`, () => {
  it('reserves and ships exactly the units on hand, handles the rest as short stock, never oversells', async () => {
    const samples: { available: number; reserved: number; onHand: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const item = (await getStock(FBS_WAREHOUSE, [SKU])).get(SKU);
        if (item) samples.push({ available: item.available, reserved: item.reserved, onHand: item.onHand });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const postings = Array.from({ length: POSTINGS }, () => {
      const created = rt.sandbox?.createPosting({ schema: 'fbs', lines: [{ offer_id: SKU, quantity: 1 }] });
      if (!created) throw new Error('no sandbox');
      return created.posting_number;
    });
    const executions = () => postings.map((p) => [...rt.engine.executions.values()].find((e) => e.name === p));
    const settled = () =>
      executions().every((e) => {
        if (!e) return false;
        const states = statesOf(e);
        return states.includes('AwaitRestock') || states.includes('AwaitDelivery');
      });

    await waitUntil(settled, FULL ? 240_000 : 120_000, () => {
      const byState: Record<string, number> = {};
      for (const e of executions())
        byState[e ? lastState(e) : 'not started'] = (byState[e ? lastState(e) : 'not started'] ?? 0) + 1;
      return JSON.stringify(byState);
    });
    sampling = false;
    await sampler;

    const all = executions().filter((e) => e !== undefined);
    const shipped = all.filter((e) => statesOf(e).includes('AwaitDelivery')).map((e) => e.name);
    const short = all.filter((e) => statesOf(e).includes('AwaitRestock')).map((e) => e.name);
    expect(shipped).toHaveLength(UNITS);
    expect(short).toHaveLength(POSTINGS - UNITS);
    expect(shipped.filter((p) => short.includes(p))).toEqual([]);
    // Ozon was asked to ship exactly the postings that got stock.
    const shipCalls = (rt.sandbox?.calls ?? []).filter((c) => c.path === '/v4/posting/fbs/ship' && c.status === 200);
    const shippedOnOzon = new Set(shipCalls.map((c) => (c.body as { posting_number: string }).posting_number));
    expect([...shippedOnOzon].sort()).toEqual([...shipped].sort());
    // Every short posting told the seller.
    await waitUntil(
      () =>
        new Set(rt.alerts.filter((a) => a.kind === 'out_of_stock').map((a) => a.postingNumber)).size === short.length,
      10_000,
      () => `${rt.alerts.filter((a) => a.kind === 'out_of_stock').length} out_of_stock alerts`,
    );
    expect(samples.length).toBeGreaterThan(10);
    for (const s of samples) {
      expect(s.available).toBeGreaterThanOrEqual(0);
      expect(s.reserved).toBeGreaterThanOrEqual(0);
      expect(s.reserved).toBeLessThanOrEqual(s.onHand);
      expect(s.available + s.reserved).toBe(s.onHand);
    }
    const final = (await getStock(FBS_WAREHOUSE, [SKU])).get(SKU);
    expect(final).toMatchObject({ onHand: 0, reserved: 0, available: 0 });
  }, 300_000);
});
