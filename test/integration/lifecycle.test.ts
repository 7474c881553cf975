/**
 * Whole postings through the real OrderLifecycle definition on the embedded runtime: local Step Functions engine,
 * DynamoDB Local, fauxqs, and the Ozon sandbox pushing to the webhook over HTTP.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelFiles } from '#fulfilment/rules';
import { observeDynamoCapacity } from '#shared/db';
import { listEvents } from '#shared/event-store';
import { getOrder } from '#shared/order-store';
import { addStock, getStock } from '#stock/stock-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { DEFAULT_PRODUCTS, DEFAULT_WAREHOUSES } from '../../sandbox/index';
import {
  labelCallsOutsideCarriage,
  ozonCallsFor,
  statesEntered,
  waitForExecution,
  waitForState,
  withoutRechecks,
} from './helpers';

const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;
const MUG = DEFAULT_PRODUCTS.find((p) => p.offer_id === 'MUG-350-WHT');
const CABLE = DEFAULT_PRODUCTS.find((p) => p.offer_id === 'CABLE-USBC-1M');

let rt: Runtime;

beforeAll(async () => {
  // A settlement window of half a day, and the payout sweep every half hour within it (the poll's interval), as
  // before the sweep had its own cadence: a loaded machine must not let the window pass between two sweeps.
  rt = await startRuntime({
    speed: 10_000,
    environment: { SETTLEMENT_WINDOW_DAYS: '0.5', PAYOUT_CHECK_HOURS: '0.5' },
  });
  await seedDemoStock(100, { 'SOCKS-WOOL-42': 0 });
});
afterAll(async () => {
  await rt?.stop();
});

it("keeps the functions' logs at ERROR, though the logger was loaded before the runtime (no INFO line on stdout)", async () => {
  // This file imported the DynamoDB observer before startRuntime, which loads the logger at Powertools' default.
  const { logger } = await import('#shared/powertools');
  expect(logger.getLevelName()).toBe('ERROR');
});

// Independent postings on separate stock, run side by side: simulated days pass in seconds for all of them.
describe.concurrent('OrderLifecycle on the embedded runtime', () => {
  describe('FBS posting, happy path', () => {
    it('runs ReceivePosting to Completed, ships on Ozon, keeps the label, takes the stock and settles the payout', async () => {
      const before = (await getStock(FBS_WAREHOUSE, ['MUG-350-WHT'])).get('MUG-350-WHT');
      const { posting_number } = rt.sandbox?.createPosting({
        schema: 'fbs',
        lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }],
        // Ozon serves a label only until the parcel is picked up: half a day (seconds here, even on a loaded
        // machine) for the label batch to run, so the posting is packed with its label.
        handoverMs: 12 * 3600_000,
      }) ?? {
        posting_number: '',
      };

      const execution = await waitForExecution(rt, posting_number);

      expect(execution.status).toBe('SUCCEEDED');
      // On a busy machine a wait can time out before its push is processed (hours pass in a second here): the
      // execution then looks again (ConfirmPosting, CheckTracking) and goes on. Those re-checks aside, this path.
      expect(withoutRechecks(statesEntered(execution))).toEqual([
        'ReceivePosting',
        'JoinLifecycle',
        'ReserveStock',
        'ConfirmPosting',
        'PackAndLabel',
        'RegisterShipment',
        'AwaitDelivery',
        'AwaitPayout',
        'Completed',
      ]);
      const calls = ozonCallsFor(rt, posting_number);
      const ship = calls.find((c) => c.path === '/v4/posting/fbs/ship');
      expect(ship?.body).toMatchObject({
        posting_number,
        packages: [{ products: [{ product_id: MUG?.sku, quantity: 2 }] }],
      });
      expect(calls.map((c) => c.path)).toEqual(
        expect.arrayContaining(['/v3/posting/fbs/get', '/v1/finance/accrual/postings']),
      );
      const order = await getOrder(posting_number);
      expect(order).toMatchObject({ phase: 'completed', status: 'delivered', payout: { verdict: 'settled' } });

      const after = (await getStock(FBS_WAREHOUSE, ['MUG-350-WHT'])).get('MUG-350-WHT');
      expect(after?.onHand).toBe((before?.onHand ?? 0) - 2);
      expect(after?.reserved).toBe(before?.reserved);
      const s3 = new S3Client({ forcePathStyle: true });
      // No label call per posting: FBS labels come with the carriage (test/integration/handover.test.ts).
      expect(labelCallsOutsideCarriage(rt, posting_number)).toEqual([]);
      const files = labelFiles(order?.labelBatch ?? 'missing');
      // The batch's packing list: this posting's lines, with the fragile mug's handling note.
      const list = await s3.send(new GetObjectCommand({ Bucket: process.env.LABELS_BUCKET, Key: files.packingList }));
      expect(await list.Body?.transformToString()).toMatch(
        new RegExp(`${posting_number} \\(FBS\\)\\n2 × MUG-350-WHT[^\\n]*\\n\\s+FRAGILE`),
      );
      // The seller is told what to pack, with links that open without AWS credentials.
      const pack = rt.alerts.find((a) => a.kind === 'pack_batch' && a.message.includes(posting_number));
      expect(pack?.message).toMatch(/fragile line/);
      const links = [...(pack?.message.matchAll(/https?:\/\/\S+?(?=[\s)]| ·)/g) ?? [])].map((m) => m[0]);
      expect(links).toHaveLength(1);
      expect(await (await fetch(links[0] ?? '')).text()).toContain(`${posting_number} (FBS)`);
    });
  });

  describe('rFBS posting with the seller’s own carrier', () => {
    it('waits for the carrier’s tracking number, sets it on Ozon, reports delivering and delivered', async () => {
      const { posting_number } = rt.sandbox?.createPosting({ schema: 'rfbs' }) ?? { posting_number: '' };

      const execution = await waitForExecution(rt, posting_number);

      expect(execution.status).toBe('SUCCEEDED');
      expect(statesEntered(execution)).toEqual(
        expect.arrayContaining(['AwaitTrackingNumber', 'SetTrackingNumber', 'AwaitDelivery', 'Completed']),
      );
      const calls = ozonCallsFor(rt, posting_number);
      const tracking = calls.find((c) => c.path === '/v2/fbs/posting/tracking-number/set');
      expect(tracking?.body).toEqual({
        tracking_numbers: [{ posting_number, tracking_number: `CN${posting_number.replace(/\D/g, '')}` }],
      });
      expect(calls.map((c) => c.path)).toEqual(
        expect.arrayContaining(['/v2/fbs/posting/delivering', '/v2/fbs/posting/delivered']),
      );
      expect(calls.some((c) => c.path === '/v2/posting/fbs/package-label')).toBe(false);
      expect(rt.alerts.some((a) => a.kind === 'rfbs_handover' && a.postingNumber === posting_number)).toBe(true);
    });
  });

  describe('a label request delivered twice', () => {
    it('finds the posting gone on and leaves it where it is: no second take of stock, no phase set back', async () => {
      const { posting_number } = rt.sandbox?.createPosting({
        schema: 'fbs',
        // A product no other test here reserves, so the concurrent tests' stock assertions are not disturbed.
        lines: [{ offer_id: 'KETTLE-17L', quantity: 1 }],
      }) ?? { posting_number: '' };
      const execution = await waitForExecution(rt, posting_number);
      expect(execution.status).toBe('SUCCEEDED');
      const done = await getOrder(posting_number);

      // SQS delivers the request once more (at least once), its third time — and once more as the version before
      // queued it (the order it carried, no deadline), during an upgrade. The batcher reads the order: packed already.
      const record = (messageId: string, body: unknown) => ({
        messageId,
        receiptHandle: messageId,
        body: JSON.stringify(body),
        attributes: { ApproximateReceiveCount: '3' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:label-queue',
        awsRegion: 'local',
      });
      const answer = (await rt.invoke('label-batch', {
        Records: [
          record('again', {
            token: `${posting_number}:PackAndLabel:stale`,
            postingNumber: posting_number,
            assembleBy: new Date(Date.now() + 3600_000).toISOString(),
          }),
          record('upgrade', {
            token: `${posting_number}:PackAndLabel:older`,
            order: { ...done, phase: 'reserved', reservedAt: done?.shippedFromStockAt },
          }),
        ],
      })) as { batchItemFailures: unknown[] };

      expect(answer.batchItemFailures).toEqual([]);
      const after = await getOrder(posting_number);
      expect(after?.phase).toBe('completed');
      expect(after?.payout).toEqual(done?.payout);
      // Its units were taken once, when it was packed: the stock mark is the first one.
      expect(after?.shippedFromStockAt).toBe(done?.shippedFromStockAt);
    });

    it('PackAndLabel reads nothing, and ConfirmPosting reads the order only when no step before handed it over', async () => {
      const { posting_number } = rt.sandbox?.createPosting({
        schema: 'fbs',
        lines: [{ offer_id: 'KETTLE-17L', quantity: 1 }],
      }) ?? { posting_number: '' };
      expect((await waitForExecution(rt, posting_number)).status).toBe('SUCCEEDED');
      const done = await getOrder(posting_number);
      // The requests this test's own invocation makes (the other tests run beside it).
      const mine = new AsyncLocalStorage<true>();
      const requests: string[] = [];
      const stop = observeDynamoCapacity((u) => {
        if (mine.getStore()) requests.push(u.command);
      });
      try {
        // It only queues the request (the batcher reads the order when it looks at the assembly, and finds this
        // one packed: the token it ends is this test's, which nothing waits on).
        const queued = await mine.run(true, () =>
          rt.invoke('pack-and-label', {
            postingNumber: posting_number,
            schema: 'fbs',
            timeouts: { assembly: 7200 },
            token: `${posting_number}:PackAndLabel:again`,
          }),
        );
        expect(queued).toEqual({ queued: true });
        expect(requests).toEqual([]);
        // ConfirmPosting right after ReceivePosting and ReserveStock: the order they handed on, not read again. It
        // is past assembly, so nothing is shipped either way.
        const confirmAgain = (extra: Record<string, unknown>) =>
          mine.run(true, () =>
            rt.invoke('confirm-posting', { postingNumber: posting_number, schema: 'fbs', timeouts: {}, ...extra }),
          );
        expect(await confirmAgain({ orderSnapshot: done })).toMatchObject({ postingNumber: posting_number });
        expect(requests).toEqual([]);
        // A second ship attempt (no word of the assembly in time) decides on the order as stored.
        await confirmAgain({ orderSnapshot: done, shipAttempts: 1 });
        expect(requests).toEqual(['QueryCommand']);
      } finally {
        stop();
      }
    });
  });

  describe('one execution per posting', () => {
    it('a duplicate new-posting push, a second status push and a poll still make one execution', async () => {
      const { posting_number } = rt.sandbox?.createPosting({
        schema: 'fbs',
        lines: [{ offer_id: 'CABLE-USBC-1M', quantity: 1 }],
      }) ?? {
        posting_number: '',
      };
      const push = (body: unknown) =>
        fetch(rt.webhookUrl, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
      const newPosting = {
        message_type: 'TYPE_NEW_POSTING',
        posting_number,
        products: [{ sku: CABLE?.sku, quantity: 1 }],
        in_process_at: new Date().toISOString(),
        warehouse_id: FBS_WAREHOUSE,
        seller_id: 1,
      };

      const answers = await Promise.all([push(newPosting), push(newPosting), rt.poll()]);
      const execution = await waitForExecution(rt, posting_number);
      const stateChange = {
        message_type: 'TYPE_STATE_CHANGED',
        posting_number,
        new_state: 'posting_delivered',
        changed_state_date: '2020-01-01T00:00:00Z',
        warehouse_id: FBS_WAREHOUSE,
        seller_id: 1,
      };
      await push(stateChange);
      await push(stateChange);

      expect((answers[0] as Response).status).toBe(200);
      expect(await (answers[1] as Response).json()).toEqual({ result: true });
      expect([...rt.engine.executions.values()].filter((e) => e.name === posting_number)).toHaveLength(1);
      expect(execution.status).toBe('SUCCEEDED');
      await rt.pushQueue.drained();
      const order = await getOrder(posting_number);
      // An old status arriving late (twice) does not move the order back, nor out of its phase.
      expect((order?.lastStatusAt ?? '') > '2020-01-02').toBe(true);
      expect(order?.phase).toBe('completed');
      // A pushed status change is no event of its own (Ozon keeps the history; the order the latest).
      expect((await listEvents(posting_number)).filter((e) => e.type === 'status' && e.source === 'push')).toEqual([]);
    });
  });

  describe('buyer cancellation', () => {
    it('ends the execution through ReleaseStock and gives the reserved units back', async () => {
      const before = (await getStock(FBS_WAREHOUSE, ['TEA-GRN-100'])).get('TEA-GRN-100');
      const { posting_number } = rt.sandbox?.createPosting({
        schema: 'fbs',
        lines: [{ offer_id: 'TEA-GRN-100', quantity: 3 }],
        cancelByBuyerAfterMs: 20_000,
      }) ?? { posting_number: '' };

      const execution = await waitForExecution(rt, posting_number);

      expect(execution.status).toBe('SUCCEEDED');
      expect(statesEntered(execution).slice(-3)).toEqual(['ReleaseStock', 'CancellationConfirmed', 'Cancelled']);
      const after = (await getStock(FBS_WAREHOUSE, ['TEA-GRN-100'])).get('TEA-GRN-100');
      expect(after?.available).toBe(before?.available);
      expect(after?.reserved).toBe(before?.reserved);
      expect(await getOrder(posting_number)).toMatchObject({ phase: 'cancelled', status: 'cancelled' });
    });
  });

  describe('out of stock', () => {
    it('alerts the seller, waits for stock until the decision deadline, then cancels on Ozon with reason 352', async () => {
      const { posting_number } = rt.sandbox?.createPosting({
        schema: 'fbs',
        lines: [{ offer_id: 'SOCKS-WOOL-42', quantity: 1 }],
      }) ?? {
        posting_number: '',
      };

      const execution = await waitForExecution(rt, posting_number);

      // No restock comes: at the decision deadline the posting is cancelled.
      expect(statesEntered(execution)).toEqual(expect.arrayContaining(['AwaitRestock', 'DecideShortStock']));
      expect(statesEntered(execution).slice(-3)).toEqual(['CancelPosting', 'CancellationConfirmed', 'Cancelled']);
      const cancel = ozonCallsFor(rt, posting_number).find((c) => c.path === '/v2/posting/fbs/cancel');
      expect(cancel?.body).toMatchObject({ posting_number, cancel_reason_id: 352 });
      const alert = rt.alerts.find((a) => a.kind === 'out_of_stock' && a.postingNumber === posting_number);
      expect(alert?.message).toContain('SOCKS-WOOL-42 ×1');
      expect(alert?.severity).toBe('warning');
    });
  });

  describe('payout gap', () => {
    it('judges the accruals after the settlement window and alerts with both figures', async () => {
      await addStock(FBS_WAREHOUSE, 'NOTE-A5-DOT', 5);
      const { posting_number } = rt.sandbox?.createPosting({
        schema: 'fbs',
        lines: [{ offer_id: 'NOTE-A5-DOT', quantity: 1 }],
        payoutSkew: -50,
      }) ?? { posting_number: '' };

      const execution = await waitForExecution(rt, posting_number);

      expect(execution.status).toBe('SUCCEEDED');
      const order = await getOrder(posting_number);
      expect(order?.payout).toMatchObject({ verdict: 'underpaid', difference: -50 });
      const alert = rt.alerts.find((a) => a.kind === 'payout_mismatch' && a.postingNumber === posting_number);
      expect(alert?.message).toContain('difference -50');
    });
  });

  describe('a payout Ozon gives as 0 before shipping', () => {
    it('is unknown at receipt, asked again when the accruals come, and settled without a mismatch', async () => {
      await addStock(FBS_WAREHOUSE, 'TEA-GRN-100', 5);
      const { posting_number } = rt.sandbox?.createPosting({
        schema: 'fbs',
        lines: [{ offer_id: 'TEA-GRN-100', quantity: 1 }],
        payoutUnknownUntilShipped: true,
      }) ?? { posting_number: '' };
      await waitForState(rt, posting_number, 'PackAndLabel', 60_000);
      // Ozon said 0: the order keeps no expected payout rather than "expected 0".
      expect((await getOrder(posting_number))?.expectedPayout).toBeUndefined();

      const execution = await waitForExecution(rt, posting_number);

      expect(execution.status).toBe('SUCCEEDED');
      const order = await getOrder(posting_number);
      const shown = rt.sandbox?.posting(posting_number) as { financial_data?: { products: { payout: number }[] } };
      const real = shown?.financial_data?.products[0]?.payout;
      expect(real).toBeGreaterThan(0);
      expect(order).toMatchObject({ phase: 'completed', expectedPayout: real, payout: { verdict: 'settled' } });
      expect(rt.alerts.filter((a) => a.postingNumber === posting_number).map((a) => a.kind)).not.toContain(
        'payout_mismatch',
      );
      // The figure came from one more `get` after delivery, not from the receipt's.
      const gets = ozonCallsFor(rt, posting_number).filter((c) => c.path === '/v3/posting/fbs/get');
      expect(gets.length).toBeGreaterThanOrEqual(2);
    });
  });

  describe('webhook security', () => {
    it('refuses a push without the secret path token, in Ozon’s error format', async () => {
      const wrong = rt.webhookUrl.replace(/[^/]+$/, 'guess');

      const response = await fetch(wrong, { method: 'POST', body: '{"message_type":"TYPE_PING"}' });

      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: { code: 'ERROR_UNKNOWN', message: 'Forbidden', details: null } });
    });
  });
});
