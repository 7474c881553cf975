/**
 * The seller's stock on Ozon, through the running product: a restock published at once, a shortage corrected by
 * the poller, a figure changed on Ozon found by the daily check. The sandbox's book (Ozon's side: present,
 * reserved, free per offer and warehouse) is compared with the product's stock records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStock } from '#stock/stock-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { DEFAULT_WAREHOUSES } from '../../sandbox/index';
import { waitForAlert, waitForState } from './helpers';

const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;
let rt: Runtime;

beforeAll(async () => {
  // The poller every 10 simulated minutes and Ozon's figures checked every simulated hour: both within a test.
  rt = await startRuntime({
    speed: 2_000,
    pollIntervalMs: 10 * 60_000,
    environment: { STOCK_CHECK_HOURS: '1', SETTLEMENT_WINDOW_DAYS: '0.5', PAYOUT_CHECK_HOURS: '0.5' },
  });
  await seedDemoStock(50, { 'SOCKS-WOOL-42': 1 });
});
afterAll(async () => {
  await rt?.stop();
});

const ozonStock = (offerId: string) => {
  if (!rt.sandbox) throw new Error('no sandbox');
  return rt.sandbox.stockOf(FBS_WAREHOUSE, offerId);
};
const localStock = async (offerId: string) => (await getStock(FBS_WAREHOUSE, [offerId])).get(offerId);
const stockCalls = () => (rt.sandbox?.calls ?? []).filter((c) => c.path === '/v2/products/stocks');

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('stock on Ozon', { timeout: 120_000 }, () => {
  it('the seeded stock reaches Ozon through the poller: nothing is for sale on Ozon before', async () => {
    await until(() => ozonStock('TEA-GRN-100').free === 50, "Ozon's figure for TEA-GRN-100");

    expect(ozonStock('CABLE-USBC-1M')).toMatchObject({ free: 50, reserved: 0 });
  });

  it('a restock is published at once, as the units free to sell', async () => {
    await until(() => ozonStock('LAMP-LED-E27').free === 50, 'the first publication');
    const before = stockCalls().length;

    const answer = await rt.sellerApi('stock', { warehouseId: FBS_WAREHOUSE, offerId: 'LAMP-LED-E27', quantity: 7 });

    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ accepted: true, publishedToOzon: true });
    expect(ozonStock('LAMP-LED-E27').free).toBe(57);
    expect((await localStock('LAMP-LED-E27'))?.available).toBe(57);
    const call = stockCalls().slice(before).at(-1);
    expect(call?.body).toEqual({ stocks: [{ offer_id: 'LAMP-LED-E27', warehouse_id: FBS_WAREHOUSE, stock: 57 }] });
  });

  it('a posting Ozon sold beyond the stock: the real figure is published, Ozon stops selling', async () => {
    await until(() => ozonStock('SOCKS-WOOL-42').free === 1, 'the first publication');
    // Ozon's figure was raised in the cabinet: it sells 3 though the seller has 1.
    rt.sandbox?.setStock(FBS_WAREHOUSE, 'SOCKS-WOOL-42', 3);
    const created = rt.sandbox?.createPosting({ lines: [{ offer_id: 'SOCKS-WOOL-42', quantity: 2 }] });
    const pn = created?.posting_number ?? '';

    await waitForAlert(rt, pn, 'out_of_stock', 60_000);
    // Ozon holds 2 for the posting the product could not reserve: of the 1 unit on the shelf nothing is free.
    await until(() => ozonStock('SOCKS-WOOL-42').free === 0, "Ozon's figure corrected");

    expect(ozonStock('SOCKS-WOOL-42').reserved).toBe(2);
    expect((await localStock('SOCKS-WOOL-42'))?.available).toBe(1);
  });

  it("a figure changed on Ozon is found by the check, alerted and set back to the seller's", async () => {
    await until(() => ozonStock('KETTLE-17L').free === 50, 'the first publication');
    rt.sandbox?.setStock(FBS_WAREHOUSE, 'KETTLE-17L', 77);

    await until(
      () => rt.alerts.some((a) => a.kind === 'stock_drift' && a.message.includes('KETTLE-17L')),
      'stock_drift',
    );
    await until(() => ozonStock('KETTLE-17L').free === 50, 'the figure set back');

    const drift = rt.alerts.find((a) => a.kind === 'stock_drift' && a.message.includes('KETTLE-17L'));
    expect(drift?.message).toMatch(/KETTLE-17L at \d+: Ozon 77, yours 50/);
    // A restock published a moment ago is no drift: none was alerted for the offers restocked above.
    expect(rt.alerts.filter((a) => a.kind === 'stock_drift').map((a) => a.message)).not.toContainEqual(
      expect.stringMatching(/LAMP-LED-E27/),
    );
  });

  it('a posting through its whole life leaves Ozon and the product agreeing', async () => {
    await until(() => ozonStock('BOTTLE-750-STL').free === 50, 'the first publication');
    const created = rt.sandbox?.createPosting({ lines: [{ offer_id: 'BOTTLE-750-STL', quantity: 2 }] });
    const pn = created?.posting_number ?? '';

    // Delivered: the units left both books (the payout's settlement moves no stock).
    await waitForState(rt, pn, 'AwaitPayout', 90_000);

    expect(ozonStock('BOTTLE-750-STL')).toMatchObject({ free: 48, reserved: 0 });
    expect(await localStock('BOTTLE-750-STL')).toMatchObject({ available: 48, reserved: 0, onHand: 48 });
  });
});
