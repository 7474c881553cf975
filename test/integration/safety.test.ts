/**
 * Safe on a real account (issue 8), each a whole execution on the embedded runtime against the sandbox: a posting
 * met mid-life joins where Ozon says it is and is never cancelled; a forged cancellation push ends nothing; a posting
 * that moved on is not cancelled for want of stock; the seller API obeys only its own key and checks every action;
 * a posting that needs attention is resumed by the seller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '#shared/event-store';
import { getOrder } from '#shared/order-store';
import { getStock } from '#stock/stock-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { DEFAULT_WAREHOUSES } from '../../sandbox/index';
import { labelCallsOutsideCarriage, ozonCallsFor, statesEntered, waitForExecution, waitForState } from './helpers';

const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;
const CANCEL = '/v2/posting/fbs/cancel';
let rt: Runtime;

beforeAll(async () => {
  rt = await startRuntime({ speed: 5_000, pollIntervalMs: 20 * 60_000 });
  await seedDemoStock(100, { 'SOCKS-WOOL-42': 0 });
});
afterAll(async () => {
  await rt?.stop();
});

/** A call to the sandbox as the seller's own tools (or the Ozon cabinet) would make it, outside the product. */
async function ozonDirect(path: string, body: unknown) {
  const response = await fetch(`${rt.sandbox?.url}${path}`, {
    method: 'POST',
    headers: {
      'Client-Id': process.env.OZON_CLIENT_ID ?? '',
      'Api-Key': process.env.OZON_API_KEY ?? '',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
const createdAt = (startAt: 'awaiting_deliver' | 'delivering' | 'delivered') =>
  rt.sandbox?.createPosting({ lines: [{ offer_id: 'MUG-350-WHT', quantity: 1 }], startAt })?.posting_number as string;

// All at once: each test follows its own postings (8 tests of whole executions, minutes one after another).
describe.concurrent('safe on a real account', () => {
  describe.concurrent('a posting first met mid-life', { timeout: 150_000 }, () => {
    it.each([
      ['awaiting_deliver', 'PackAndLabel'],
      ['delivering', 'AwaitDelivery'],
      ['delivered', 'AwaitPayout'],
    ] as const)(
      'at %s joins at %s, completes, and nothing is reserved, shipped or cancelled',
      async (status, joinsAt) => {
        const before = (await getStock(FBS_WAREHOUSE, ['MUG-350-WHT'])).get('MUG-350-WHT');
        const pn = createdAt(status);

        // No push for it: only the catch-up poll can find it, as after a restart or a first deploy.
        await rt.poll();
        const execution = await waitForExecution(rt, pn, 120_000);

        expect(execution.status).toBe('SUCCEEDED');
        const states = statesEntered(execution);
        expect(states.slice(0, 3)).toEqual(['ReceivePosting', 'JoinLifecycle', joinsAt]);
        expect(states).not.toContain('ReserveStock');
        expect(states.at(-1)).toBe('Completed');
        const paths = ozonCallsFor(rt, pn).map((c) => c.path);
        expect(paths).not.toContain(CANCEL);
        expect(paths).not.toContain('/v4/posting/fbs/ship');
        const order = await getOrder(pn);
        expect(order?.reservedAt).toBeUndefined();
        if (status === 'awaiting_deliver') {
          // Packed by hand, never reserved: its units leave the seller's count once, when the product packs it.
          expect(order?.shippedFromStockAt).toBeDefined();
          expect(order?.labelBatch).toBeDefined();
          // Its label comes with its carriage, not a call of its own.
          expect(labelCallsOutsideCarriage(rt, pn)).toEqual([]);
        } else {
          expect(order?.shippedFromStockAt).toBeUndefined();
        }
        expect(before).toBeDefined();
      },
    );
  });

  describe.concurrent('cancellations the product only heard of', { timeout: 150_000 }, () => {
    it('a forged TYPE_POSTING_CANCELLED is checked with Ozon and ends nothing', async () => {
      const pn = rt.sandbox?.createPosting({ lines: [{ offer_id: 'TEA-GRN-100', quantity: 1 }] })
        ?.posting_number as string;
      await waitForState(rt, pn, 'PackAndLabel', 60_000);
      const getsBefore = ozonCallsFor(rt, pn).filter((c) => c.path === '/v3/posting/fbs/get').length;

      const forged = await fetch(rt.webhookUrl, {
        method: 'POST',
        body: JSON.stringify({
          message_type: 'TYPE_POSTING_CANCELLED',
          posting_number: pn,
          old_state: 'posting_created',
          new_state: 'posting_canceled',
          changed_state_date: new Date(rt.clock.now()).toISOString(),
          reason: { id: 507, message: 'forged' },
          warehouse_id: FBS_WAREHOUSE,
          seller_id: 836123,
        }),
      });
      const execution = await waitForExecution(rt, pn, 120_000);

      expect(forged.status).toBe(200);
      expect(execution.status).toBe('SUCCEEDED');
      expect(statesEntered(execution)).not.toContain('Cancelled');
      expect(statesEntered(execution).at(-1)).toBe('Completed');
      const getsAfter = ozonCallsFor(rt, pn).filter((c) => c.path === '/v3/posting/fbs/get').length;
      expect(getsAfter).toBeGreaterThan(getsBefore);
      const events = await listEvents(pn);
      expect(events.some((e) => e.status === 'cancelled')).toBe(false);
    });

    it('short of stock but assembled by hand meanwhile: not cancelled at the deadline, followed to the end', async () => {
      const pn = rt.sandbox?.createPosting({
        lines: [{ offer_id: 'SOCKS-WOOL-42', quantity: 1 }],
        shipmentSlaMs: 10 * 3600_000,
      })?.posting_number as string;
      await waitForState(rt, pn, 'AwaitRestock', 60_000);

      // The seller assembles it in the Ozon cabinet from stock the product does not know about.
      const sku = (rt.sandbox?.posting(pn) as { products: { sku: number }[] } | undefined)?.products[0]?.sku;
      const shipped = await ozonDirect('/v4/posting/fbs/ship', {
        posting_number: pn,
        packages: [{ products: [{ product_id: sku, quantity: 1 }] }],
      });
      const execution = await waitForExecution(rt, pn, 120_000);

      expect(shipped.status).toBe(200);
      expect(ozonCallsFor(rt, pn).some((c) => c.path === CANCEL)).toBe(false);
      expect(rt.alerts.some((a) => a.postingNumber === pn && a.kind === 'cancel_skipped')).toBe(true);
      expect(statesEntered(execution)).toEqual(
        expect.arrayContaining(['CancelPosting', 'CancellationConfirmed', 'JoinLifecycle']),
      );
      expect(execution.status).toBe('SUCCEEDED');
      expect(statesEntered(execution).at(-1)).toBe('Completed');
    });
  });

  describe.concurrent('the seller API', { timeout: 120_000 }, () => {
    const call = (action: string, body: unknown, authorization?: string) =>
      fetch(`${rt.sellerApiUrl}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(body),
      });
    const stock = { warehouseId: FBS_WAREHOUSE, offerId: 'MUG-350-WHT', quantity: 1_000 };

    it('answers 401 without its key, and to the push URL token used as a key; nothing changes', async () => {
      const before = (await getStock(FBS_WAREHOUSE, ['MUG-350-WHT'])).get('MUG-350-WHT')?.onHand;
      const pushToken = new URL(rt.webhookUrl).pathname.split('/').filter(Boolean).at(-1);

      const answers = await Promise.all([
        call('stock', stock),
        call('stock', stock, `Bearer ${pushToken}`),
        call('stock', stock, `Bearer ${rt.sellerApiKey}x`),
      ]);

      expect(answers.map((a) => a.status)).toEqual([401, 401, 401]);
      expect((await getStock(FBS_WAREHOUSE, ['MUG-350-WHT'])).get('MUG-350-WHT')?.onHand).toBe(before);
    });

    it('checks each action against the order and Ozon', async () => {
      const fbs = rt.sandbox?.createPosting({ lines: [{ offer_id: 'CABLE-USBC-1M', quantity: 1 }] })
        ?.posting_number as string;
      await waitForState(rt, fbs, 'PackAndLabel', 60_000);

      const answers = {
        hugeStock: await rt.sellerApi('stock', { ...stock, quantity: 1_000_000 }),
        unknownPosting: await rt.sellerApi('tracking', { postingNumber: '99999999-0001-1', trackingNumber: 'CN123' }),
        trackingOnFbs: await rt.sellerApi('tracking', { postingNumber: fbs, trackingNumber: 'CN123' }),
        deliveredEarly: await rt.sellerApi('delivered', { postingNumber: fbs }),
        notAPosting: await rt.sellerApi('packed', { postingNumber: 'constructor' }),
        extraField: await rt.sellerApi('stock', { ...stock, note: 'x' }),
        restock: await rt.sellerApi('stock', { ...stock, quantity: 3 }),
      };

      const status = Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]));
      expect(status).toEqual({
        hugeStock: 400,
        unknownPosting: 404,
        trackingOnFbs: 409,
        deliveredEarly: 409,
        notAPosting: 400,
        extraField: 400,
        restock: 200,
      });
      expect(await answers.trackingOnFbs.json()).toEqual({ message: expect.stringMatching(/is FBS/) });
      expect((await getOrder(fbs))?.trackingNumber).toBeUndefined();
      expect(ozonCallsFor(rt, fbs).some((c) => c.path === '/v2/fbs/posting/delivered')).toBe(false);
    });

    it('resume: a posting waiting in NeedsAttention goes on when the seller says so', async () => {
      const pn = rt.sandbox?.createPosting({ lines: [{ offer_id: 'CABLE-USBC-1M', quantity: 1 }], marksRequired: true })
        ?.posting_number as string;
      const stopped = await waitForState(rt, pn, 'NeedsAttention', 60_000);
      const receivedBefore = statesEntered(stopped).filter((s) => s === 'ReceivePosting').length;

      const answer = await rt.sellerApi('resume', { postingNumber: pn });

      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ resumed: true, how: 'continued' });
      const deadline = Date.now() + 30_000;
      while (statesEntered(stopped).filter((s) => s === 'ReceivePosting').length === receivedBefore) {
        if (Date.now() > deadline) throw new Error(`not resumed: ${statesEntered(stopped).join(' > ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      // Ozon still wants the codes: it stops again, alerted again, never failing and never cancelled.
      expect(stopped.status).toBe('RUNNING');
      expect(ozonCallsFor(rt, pn).some((c) => c.path === CANCEL)).toBe(false);
    });
  });
});
