/**
 * Safe on a real account under stress (issue 8), on one embedded runtime: a blocked account; hostile push bodies;
 * concurrent status pushes for the same postings; Ozon answering after 10.5 s; a SendTaskSuccess that fails, in the
 * push processor and in the waiting step; a restock landing before the restock wait is stored; 2–4 instances
 * (processes) sharing the Ozon rate budget; a cancellation after packing; hundreds of postings waiting for one
 * restock. Each test prints its counts with console.info.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordStatus } from '#intake/record-status';
import { listEvents } from '#shared/event-store';
import type { Order } from '#shared/order';
import { createOrder, getOrder, ordersInPhase } from '#shared/order-store';
import { observeOzonCalls } from '#shared/ozon/client';
import { addStock, getStock } from '#stock/stock-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import type { CreatePostingSpec } from '../../sandbox/index';
import { RATE_LIMIT_PER_SECOND } from '../../sandbox/index';
import { endOf, executionsNamed, FBS_WAREHOUSE, FULL, maxPerSecond, statesOf, tally, waitUntil } from './helpers';
import type { InstanceResult } from './rate-instance';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MINUTE = 60_000;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let rt: Runtime;
beforeAll(async () => {
  rt = await startRuntime({
    speed: 1000,
    // Hours instead of days between hand-over, delivery and payout: the same steps, a shorter wait for the test.
    ozon: { mode: 'sandbox', sandbox: { timing: { handover: HOUR, transit: 2 * HOUR, settlement: HOUR } } },
    // The account-wide budget in DynamoDB, as deployed: the rate test's instances share it with this process.
    environment: { OZON_RATE_BUDGET: 'account' },
    // Every posting here is FBS; the simulated rFBS carrier would answer the tracking test's wait with its own number.
    carrier: false,
  });
  // SOCKS-WOOL-42 starts empty for the restock test; LAMP-LED-E27 is only the cancellation test's.
  await seedDemoStock(1000, { 'SOCKS-WOOL-42': 0 });
  installSfnFaults(rt.engine);
});
afterAll(async () => {
  await rt?.stop();
});

const sandbox = () => {
  if (!rt.sandbox) throw new Error('no sandbox');
  return rt.sandbox;
};
const createPosting = (spec: CreatePostingSpec) => sandbox().createPosting({ schema: 'fbs', ...spec }).posting_number;
const execution = (pn: string) => executionsNamed(rt, pn)[0];
const statesOfPosting = (pn: string) => {
  const e = execution(pn);
  return e ? statesOf(e) : [];
};
const stockOf = async (offerId: string) => {
  const item = (await getStock(FBS_WAREHOUSE, [offerId])).get(offerId);
  if (!item) throw new Error(`no stock item for ${offerId}`);
  return { onHand: item.onHand, available: item.available, reserved: item.reserved };
};
const iso = (ms: number) => new Date(ms).toISOString();

/** An order the product follows, written directly: what the pushes below are about. */
async function followedOrder(
  postingNumber: string,
  status: string,
  lastStatusAt: string,
  fields: Partial<Order> = {},
): Promise<Order> {
  const { order } = await createOrder({
    postingNumber,
    status,
    phase: 'in_transit',
    schema: 'fbs',
    tplIntegrationType: 'ozon',
    warehouseId: FBS_WAREHOUSE,
    lines: [{ sku: 1473290066, offerId: 'NOTE-A5-DOT', name: 'Notebook', qty: 1, price: 399 }],
    expectedPayout: 300,
    currency: 'RUB',
    lastStatusAt,
    escalations: {},
    alerts: [],
    ...fields,
  });
  return order;
}

/** Posts a raw body to the webhook, as Ozon would. */
async function push(body: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(rt.webhookUrl, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: kept as text for the failure message.
  }
  return { status: res.status, body: parsed };
}

/** Waits until the push queue has been empty and idle once: every push accepted before this is processed. */
async function pushesProcessed(timeoutMs: number) {
  let drained = false;
  void rt.pushQueue.drained().then(() => {
    drained = true;
  });
  await waitUntil(
    () => drained,
    timeoutMs,
    () => 'the push queue never drained',
  );
}

/** The AWS SDK's attempts per call (standard retry mode): a SendTaskSuccess fails for the product after these. */
const SDK_ATTEMPTS = 3;

interface SfnFault {
  failures: number;
  attempts: { real: number; sim: number; ok: boolean }[];
}
/** SendTaskSuccess faults by token prefix (task tokens are `<posting>:<state>:<uuid>`); see beforeAll. */
const sfnFaults = new Map<string, SfnFault>();

/** Lets the engine's SendTaskSuccess fail as `sfnFaults` says: the local Step Functions API then answers HTTP 500. */
function installSfnFaults(engine: Runtime['engine']) {
  const original = engine.sendTaskSuccess;
  engine.sendTaskSuccess = (token: string, output: string) => {
    for (const [prefix, fault] of sfnFaults) {
      if (!token.startsWith(prefix)) continue;
      const fail = fault.attempts.filter((a) => !a.ok).length < fault.failures;
      fault.attempts.push({ real: Date.now(), sim: rt.clock.now(), ok: !fail });
      if (fail) throw new Error('Step Functions is briefly unavailable');
    }
    original.call(engine, token, output);
  };
}

/** The first `failures` SendTaskSuccess calls for tokens starting with `prefix` fail, as AWS does in a bad minute. */
function failingSendTaskSuccess(prefix: string, failures: number) {
  const fault: SfnFault = { failures, attempts: [] };
  sfnFaults.set(prefix, fault);
  return { attempts: fault.attempts, restore: () => sfnFaults.delete(prefix) };
}

/** Runs `work` over `items`, `lanes` at a time. */
async function inLanes<T>(items: T[], lanes: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}

describe('a blocked account', () => {
  it('403 code 7 "client is blocked": one ozon_access alert that says so', async () => {
    const accessAlerts = () => rt.alerts.filter((a) => a.kind === 'ozon_access');
    expect(accessAlerts()).toEqual([]);

    sandbox().setBlocked(true);
    let report: { accessError?: string };
    try {
      report = (await rt.poll()) as { accessError?: string };
    } finally {
      sandbox().setBlocked(false);
    }

    expect(report.accessError).toMatch(/client is blocked/);
    await waitUntil(
      () => accessAlerts().length > 0,
      15_000,
      () => 'no ozon_access alert',
    );
    // Unblocked: the next poll goes through, and no second alert follows the first (watched for two seconds).
    const after = (await rt.poll()) as { accessError?: string };
    expect(after.accessError).toBeUndefined();
    const watchUntil = Date.now() + 2_000;
    await waitUntil(
      () => Date.now() > watchUntil || accessAlerts().length > 1,
      5_000,
      () => 'watching',
    );
    expect(accessAlerts()).toHaveLength(1);
    expect(accessAlerts()[0]?.severity).toBe('critical');
    expect(accessAlerts()[0]?.message).toMatch(/client is blocked/);
    const blockedAnswers = sandbox().calls.filter((c) => c.status === 403).length;
    console.info(`blocked account: ${blockedAnswers} answers 403 code 7, ${accessAlerts().length} ozon_access alert`);
  });
});

// Ozon slow for everyone while the stories that never call Ozon run beside it, to keep the file short.
describe.concurrent('beside a slow Ozon', () => {
  describe('hostile push bodies', () => {
    it('deep or badly encoded used fields get 400, bad characters in ignored fields and digit-string ids 200', async () => {
      const pn = '70000000-0009-1';
      const t0 = rt.clock.now() - 2 * HOUR;
      await followedOrder(pn, 'awaiting_deliver', iso(t0 - HOUR));
      const valid = (minutes: number, extra: Record<string, unknown> = {}) => ({
        message_type: 'TYPE_STATE_CHANGED',
        posting_number: pn,
        new_state: 'posting_driver_pick_up',
        changed_state_date: iso(t0 + minutes * MINUTE),
        warehouse_id: FBS_WAREHOUSE,
        seller_id: 836123,
        ...extra,
      });
      const withRaw = (body: object, field: string, raw: string) =>
        `${JSON.stringify(body).slice(0, -1)},"${field}":${raw}}`;
      const BAD = { 'U+FFFE': '\uFFFE', 'U+FFFF': '\uFFFF', 'lone U+D800': '\ud800' };

      const cases: { name: string; body: string; expect: number }[] = [
        {
          name: 'extra field 10,000 arrays deep',
          body: withRaw(valid(0), 'deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`),
          expect: 400,
        },
        {
          name: 'extra field 10,000 objects deep',
          body: withRaw(valid(0), 'deep', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
          expect: 400,
        },
        ...Object.entries(BAD).flatMap(([label, c]) => [
          {
            name: `posting_number with ${label}`,
            body: JSON.stringify(valid(0, { posting_number: `${pn}${c}` })),
            expect: 400,
          },
          {
            name: `new_state with ${label}`,
            body: JSON.stringify(valid(0, { new_state: `posting_driver_pick_up${c}` })),
            expect: 400,
          },
        ]),
        ...Object.entries(BAD).flatMap(([label, c], i) => [
          {
            name: `ignored field value with ${label}`,
            body: JSON.stringify(valid(1 + i, { note: `x${c}y` })),
            expect: 200,
          },
          {
            name: `ignored field key with ${label}`,
            body: JSON.stringify(valid(4 + i, { [`k${c}`]: 1 })),
            expect: 200,
          },
        ]),
        {
          name: 'digit-string warehouse_id and seller_id',
          body: JSON.stringify(valid(7, { warehouse_id: '1020000075732000', seller_id: '123' })),
          expect: 200,
        },
      ];

      const answers = [];
      for (const c of cases) answers.push({ name: c.name, status: (await push(c.body)).status, expected: c.expect });

      expect(answers.filter((a) => a.status >= 500)).toEqual([]);
      expect(answers.filter((a) => a.status !== a.expected)).toEqual([]);
      // The accepted pushes are status changes at distinct times: the order ends on the latest, and everything stored
      // reads back. (A pushed status is a write of the order, not an event of its own.)
      await pushesProcessed(30_000);
      expect((await listEvents(pn)).filter((e) => e.type === 'status' && e.source === 'push')).toEqual([]);
      const order = await getOrder(pn);
      expect(order).toMatchObject({ status: 'driver_pickup', lastStatusAt: iso(t0 + 7 * MINUTE) });
      const events = await listEvents(pn);
      expect(events.every((e) => !JSON.stringify(e).match(/[\uFFFE\uFFFF]|\\ud800/i))).toBe(true);
      console.info(
        `hostile pushes: ${answers.length} bodies, answers ${JSON.stringify(tally(answers, (a) => String(a.status)))}, ` +
          `${events.length} events stored and readable`,
      );
    });
  });

  describe('concurrent status pushes', () => {
    const M = FULL ? 300 : 100;
    const older = { state: 'posting_transferring_to_delivery', status: 'awaiting_deliver' };
    const newer = { state: 'posting_driver_pick_up', status: 'driver_pickup' };

    it(`an older and a newer status for each of ${M} postings at once, twice over: none ends on the older`, async () => {
      const t0 = rt.clock.now() - 3 * HOUR;
      const olderAt = iso(t0);
      const newerAt = iso(t0 + 5 * MINUTE);
      const viaWebhook = Array.from({ length: M }, (_, i) => `71${String(i).padStart(6, '0')}-0001-1`);
      const direct = Array.from({ length: M }, (_, i) => `72${String(i).padStart(6, '0')}-0001-1`);
      await inLanes([...viaWebhook, ...direct], 10, async (pn) => {
        await followedOrder(pn, 'awaiting_packaging', iso(t0 - HOUR));
      });
      const body = (pn: string, s: typeof older, at: string) =>
        JSON.stringify({
          message_type: 'TYPE_STATE_CHANGED',
          posting_number: pn,
          new_state: s.state,
          changed_state_date: at,
          warehouse_id: FBS_WAREHOUSE,
          seller_id: 836123,
        });

      // Both pushes of a posting at the same moment, the newer one first for half of them.
      const answers: number[] = [];
      await inLanes(viaWebhook, 8, async (pn, i) => {
        const pair = [body(pn, older, olderAt), body(pn, newer, newerAt)];
        if (i % 2) pair.reverse();
        answers.push(...(await Promise.all(pair.map(push))).map((a) => a.status));
      });
      // And straight into recordStatus, both writes racing.
      await inLanes(direct, 8, async (pn, i) => {
        const pair = [
          () => recordStatus(pn, older.status, older.state, olderAt, 'push'),
          () => recordStatus(pn, newer.status, newer.state, newerAt, 'push'),
        ];
        if (i % 2) pair.reverse();
        await Promise.all(pair.map((write) => write()));
      });
      expect(tally(answers, String)).toEqual({ 200: 2 * M });
      await pushesProcessed(60_000);

      const orders = await Promise.all([...viaWebhook, ...direct].map((pn) => getOrder(pn)));
      const final = tally(orders, (o) => o?.status ?? 'missing');
      console.info(
        `concurrent status pushes: ${M} postings via the webhook + ${M} direct, final statuses ${JSON.stringify(final)}`,
      );
      expect(final[older.status] ?? 0).toBe(0);
      expect(final).toEqual({ [newer.status]: 2 * M });
      expect(orders.every((o) => o?.lastStatusAt === newerAt)).toBe(true);
    });
  });

  describe('Ozon answering after 10.5 s', () => {
    const POSTINGS = 4;

    it(`${POSTINGS} postings wait for the slow answers and complete; none fails or needs attention`, async () => {
      const slowAnswers: number[] = [];
      const stopObserving = observeOzonCalls((c) => {
        if (c.ms >= 10_000) slowAnswers.push(c.ms);
      });
      const unansweredBefore = rt.metrics.OzonUnanswered ?? 0;
      const started = Date.now();
      let postings: string[] = [];
      sandbox().setFaults({ slow: 1, slowMs: 10_500 });
      try {
        postings = Array.from({ length: POSTINGS }, () =>
          createPosting({ lines: [{ offer_id: 'TEA-GRN-100', quantity: 1 }] }),
        );
        // Every posting got Ozon's slow answer to its first call (ReceivePosting's get) before slowness ends.
        await waitUntil(
          () => postings.every((pn) => statesOfPosting(pn).includes('JoinLifecycle')),
          60_000,
          () => JSON.stringify(tally(postings, (pn) => endOf(execution(pn)))),
        );
      } finally {
        sandbox().setFaults({ slow: 0, slowMs: 0 });
      }
      const slowFor = Date.now() - started;

      await waitUntil(
        () => postings.every((pn) => execution(pn)?.status !== 'RUNNING'),
        120_000,
        () => JSON.stringify(tally(postings, (pn) => endOf(execution(pn)))),
      );
      stopObserving();

      const ends = tally(postings, (pn) => endOf(execution(pn)));
      const attention = postings.filter((pn) => statesOfPosting(pn).includes('NeedsAttention'));
      const unanswered = (rt.metrics.OzonUnanswered ?? 0) - unansweredBefore;
      console.info(
        `slow Ozon: ${POSTINGS} postings, slow for ${(slowFor / 1000).toFixed(1)} s, ${slowAnswers.length} answers took ≥ 10 s ` +
          `(longest ${Math.round(Math.max(...slowAnswers))} ms), ${unanswered} calls given up, ends ${JSON.stringify(ends)}, ` +
          `total ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(ends).toEqual({ Completed: POSTINGS });
      expect(attention).toEqual([]);
      expect(slowAnswers.length).toBeGreaterThanOrEqual(POSTINGS);
      expect(unanswered).toBe(0);
    });
  });

  describe('a SendTaskSuccess that fails in the waiting step itself', () => {
    it('is an error the wait retries (AwsUnavailable), not one that stops the posting in NeedsAttention', async () => {
      // Prepare: the delivery was recorded before the wait stored its token, so the waiting step ends it itself.
      const pn = '74000000-0001-1';
      await followedOrder(pn, 'delivered', iso(rt.clock.now() - HOUR), { deliveredAt: iso(rt.clock.now() - HOUR) });
      const token = `${pn}:AwaitDelivery:step`;

      // Act: Step Functions answers 500 to that SendTaskSuccess, all the SDK's attempts.
      const failing = failingSendTaskSuccess(token, SDK_ATTEMPTS);
      let error: Error | undefined;
      try {
        await rt.invoke('await-event', { postingNumber: pn, waitFor: 'delivery', token, timeoutSeconds: 86_400 });
      } catch (e) {
        error = e as Error;
      } finally {
        failing.restore();
      }

      // Assess: the wait state retries TRANSIENT errors (workflows/errors.ts); any other name is caught by
      // States.ALL and the posting stops in NeedsAttention although nothing needs the seller.
      console.info(
        `failing SendTaskSuccess (step): ${failing.attempts.length} attempts failed, the step threw ` +
          `${error?.name}: ${error?.message}`,
      );
      expect(failing.attempts).toHaveLength(SDK_ATTEMPTS);
      expect(error?.name).toBe('AwsUnavailable');
    });
  });

  describe('a SendTaskSuccess that fails for a tracking number', () => {
    it('the seller’s retry of the same number still ends the wait', async () => {
      // Prepare: an rFBS posting waiting for its tracking number.
      const pn = '75000000-0001-1';
      await followedOrder(pn, 'awaiting_deliver', iso(rt.clock.now() - HOUR), {
        phase: 'shipping',
        schema: 'rfbs',
        tplIntegrationType: 'non_integrated',
      });
      const token = `${pn}:AwaitTrackingNumber:seller`;
      await rt.invoke('await-event', { postingNumber: pn, waitFor: 'tracking', token, timeoutSeconds: 86_400 });
      expect((await getOrder(pn))?.wait?.token).toBe(token);

      // Act: the seller's system reports the number; Step Functions fails that SendTaskSuccess, so the seller API
      // answers 5xx and the seller's system sends the same number again.
      const failing = failingSendTaskSuccess(token, SDK_ATTEMPTS);
      const report = { postingNumber: pn, trackingNumber: 'CN75000000' };
      let first: Response;
      let retry: Response;
      try {
        first = await rt.sellerApi('tracking', report);
        retry = await rt.sellerApi('tracking', report);
      } finally {
        failing.restore();
      }

      // Assess: the retry handed the number to the wait (the wait is cleared once delivered).
      const order = await getOrder(pn);
      console.info(
        `failing SendTaskSuccess (tracking): first report ${first.status}, retry ${retry.status} ` +
          `${await retry.text()}, SendTaskSuccess attempts ${failing.attempts.length}, wait ${JSON.stringify(order?.wait ?? null)}`,
      );
      expect(first.status).toBeGreaterThanOrEqual(500);
      expect(retry.status).toBe(200);
      expect(order?.trackingNumber).toBe(report.trackingNumber);
      // The wait's end reached Step Functions exactly once (a used wait stays stored until the next one replaces it).
      expect(failing.attempts.filter((a) => a.ok)).toHaveLength(1);
    });
  });

  describe('a restock between a failed reservation and its stored wait', () => {
    it('still wakes the posting: the wait ends as soon as it is stored', async () => {
      // Prepare: a posting short of an offer nobody else uses, as ReserveStock leaves it (phase awaiting_stock).
      const pn = '73000000-0001-1';
      const OFFER = 'RACE-RESTOCK-1';
      await addStock(FBS_WAREHOUSE, OFFER, 0, { name: 'Race' });
      await followedOrder(pn, 'awaiting_packaging', iso(rt.clock.now()), {
        phase: 'received',
        lines: [{ sku: 1473290073, offerId: OFFER, name: 'Race', qty: 1, price: 749 }],
        shipmentDate: iso(rt.clock.now() + 3 * DAY),
      });
      const state = { postingNumber: pn, schema: 'fbs', timeouts: {} };
      await expect(rt.invoke('reserve-stock', state)).rejects.toThrow();
      expect((await getOrder(pn))?.phase).toBe('awaiting_stock');

      // Act: the seller restocks before AwaitRestock has stored its token (the step after a StockShort), then it does.
      const answer = await rt.sellerApi('stock', { warehouseId: FBS_WAREHOUSE, offerId: OFFER, quantity: 1 });
      const restock = (await answer.json()) as { woken?: number };
      const sent = failingSendTaskSuccess(`${pn}:AwaitRestock:race`, 0);
      try {
        await rt.invoke('await-event', {
          postingNumber: pn,
          waitFor: 'restock',
          token: `${pn}:AwaitRestock:race`,
          timeoutSeconds: 3 * 86_400,
        });
      } finally {
        sent.restore();
      }

      // Assess: the unit is there, so the wait must end now (its token is sent at once), not at the restock deadline.
      const order = await getOrder(pn);
      console.info(
        `restock race: woken ${restock.woken}, stock ${JSON.stringify(await stockOf(OFFER))}, ` +
          `restockedAt ${order?.restockedAt}, wait ${JSON.stringify(order?.wait ?? null)}`,
      );
      expect(answer.status).toBe(200);
      expect(order?.restockedAt).toBeDefined();
      expect(sent.attempts.map((a) => a.ok)).toEqual([true]);
    });
  });
});

// Sequential, and between two concurrent groups (vitest runs adjacent concurrent suites together).
describe('2–4 instances sharing the Ozon rate budget', () => {
  const INSTANCES = FULL ? 4 : 3;
  const PER_SECOND = FULL ? 24 : 27;
  const SECONDS = FULL ? 2.5 : 3;
  const CALLS = Math.round(PER_SECOND * SECONDS);

  interface Phase {
    sharedBudget: boolean;
    results: InstanceResult[];
    calls: number;
    rateLimited: number;
    maxPerSecond: number;
    /** The sandbox's own `maxRequestsPerSecond()` over the whole run so far. */
    sandboxMax: number;
    /** The same, counted when the budget let the requests go (in the instances) rather than at the sandbox. */
    maxReleasedPerSecond: number;
    seconds: number;
  }

  /** Starts the instances (one process each), runs every plan on all of them at once, and measures at the sandbox. */
  async function runInstances(budgets: boolean[]): Promise<Phase[]> {
    const plans = budgets.map((sharedBudget) => ({ calls: CALLS, perSecond: PER_SECOND, sharedBudget }));
    const children: ChildProcess[] = [];
    const lines: string[][] = [];
    const errors: string[] = [];
    try {
      for (let i = 0; i < INSTANCES; i++) {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', path.join(ROOT, 'test/reliability/rate-instance.ts'), JSON.stringify(plans)],
          { cwd: ROOT, env: process.env, stdio: ['pipe', 'pipe', 'pipe'] },
        );
        children.push(child);
        const received: string[] = [];
        lines.push(received);
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => received.push(l));
        child.stderr?.on('data', (d: Buffer) => errors.push(d.toString()));
        child.once('exit', (code) => {
          if (code !== 0) errors.push(`instance ${i} exited with ${code}`);
        });
      }
      const failedEarly = () => errors.some((e) => e.startsWith('instance '));
      const phases: Phase[] = [];
      for (const [p, plan] of plans.entries()) {
        // Each instance is ready for plan p after its p-th result line.
        const readyLines = (l: string[]) => l.filter((x) => x === 'ready').length;
        await waitUntil(
          () => failedEarly() || lines.every((l) => readyLines(l) > p),
          60_000,
          () => `instances not ready: ${errors.join('').slice(-2000)}`,
        );
        if (failedEarly()) throw new Error(`an instance failed: ${errors.join('').slice(-2000)}`);
        const goAt = Date.now();
        for (const c of children) c.stdin?.write('go\n');
        const resultLines = (l: string[]) => l.filter((x) => x.startsWith('{'));
        await waitUntil(
          () => failedEarly() || lines.every((l) => resultLines(l).length > p),
          60_000,
          () => `instances did not finish: ${errors.join('').slice(-2000)}`,
        );
        if (failedEarly()) throw new Error(`an instance failed: ${errors.join('').slice(-2000)}`);
        const results = lines.map((l) => JSON.parse(resultLines(l)[p] as string) as InstanceResult);
        const endAt = Math.max(...results.map((r) => r.endedAt));
        const seen = sandbox().calls.filter((c) => c.at >= goAt && c.at <= endAt);
        phases.push({
          sharedBudget: plan.sharedBudget,
          results,
          calls: seen.length,
          rateLimited: seen.filter((c) => c.status === 429).length,
          maxPerSecond: maxPerSecond(seen.map((c) => c.at)),
          sandboxMax: sandbox().maxRequestsPerSecond(),
          maxReleasedPerSecond: maxPerSecond(results.flatMap((r) => r.sentAt)),
          seconds: (endAt - goAt) / 1000,
        });
      }
      return phases;
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    }
  }

  it(`${INSTANCES} instances offering ${INSTANCES * PER_SECOND} req/s stay under 50/s with the shared budget`, async () => {
    const [shared, unshared] = (await runInstances([true, false])) as [Phase, Phase];

    const sum = (phase: Phase, key: 'ok' | 'failed') => phase.results.reduce((n, r) => n + r[key], 0);
    const describePhase = (phase: Phase) =>
      `${phase.sharedBudget ? 'shared budget' : 'no shared budget'}: ${phase.calls} requests in ${phase.seconds.toFixed(1)} s, ` +
      `max ${phase.maxPerSecond}/s received (${phase.maxReleasedPerSecond}/s let go by the budget; ` +
      `sandbox max so far ${phase.sandboxMax}/s), ${phase.rateLimited} answered 429 (${((100 * phase.rateLimited) / phase.calls).toFixed(1)}%), ` +
      `${sum(phase, 'ok')} calls ok, ${sum(phase, 'failed')} failed after retries ` +
      `${JSON.stringify(Object.assign({}, ...phase.results.map((r) => r.failures)))}, ` +
      `slowest ${Math.max(...phase.results.map((r) => r.slowestMs))} ms, ` +
      `${phase.results.reduce((n, r) => n + r.dynamoRequests, 0)} DynamoDB requests ` +
      `(${phase.results.reduce((n, r) => n + r.dynamoRefused, 0)} refused by their condition; p90 ` +
      `${Math.max(...phase.results.map((r) => r.dynamoP90Ms))} ms, longest ${Math.max(...phase.results.map((r) => r.dynamoMaxMs))} ms)`;
    console.info(
      `rate budget, ${INSTANCES} instances × ${PER_SECOND} req/s × ${SECONDS} s:\n  ${describePhase(shared)}\n  ${describePhase(unshared)}`,
    );

    expect(sum(shared, 'ok')).toBe(INSTANCES * CALLS);
    expect(sum(shared, 'failed')).toBe(0);
    expect(shared.maxPerSecond).toBeLessThanOrEqual(RATE_LIMIT_PER_SECOND);
    // Nor any second of the run so far, the product's own traffic in the tests before this one included.
    expect(shared.sandboxMax).toBeLessThanOrEqual(RATE_LIMIT_PER_SECOND);
    expect(shared.rateLimited / shared.calls).toBeLessThan(0.05);
    // Without it the same instances overrun Ozon's limit: the budget, not luck, kept the first phase under.
    expect(unshared.maxPerSecond).toBeGreaterThan(RATE_LIMIT_PER_SECOND);
    expect(unshared.rateLimited / unshared.calls).toBeGreaterThan(0.05);
    // A call waits its turn, not for the budget's bookkeeping: the burst is ~3 s of the 40/s budget, so no call
    // should wait much past that (the client gives up at 48 s).
    expect(Math.max(...shared.results.map((r) => r.slowestMs))).toBeLessThan(15_000);
  });
});

// Two single postings side by side, on a quiet runtime: each execution keeps up with the sandbox's clock.
describe.concurrent('single postings', () => {
  describe('a SendTaskSuccess that fails', () => {
    it('the posting still goes on promptly: the redelivered push ends the wait', async () => {
      // Prepare: a posting whose first SendTaskSuccess for its delivery wait fails (all the SDK's attempts).
      const pn = createPosting({ lines: [{ offer_id: 'NOTE-A5-DOT', quantity: 1 }] });
      const failing = failingSendTaskSuccess(`${pn}:AwaitDelivery:`, SDK_ATTEMPTS);
      let timeoutAt = 0;
      try {
        await waitUntil(
          async () => (await getOrder(pn))?.wait?.on === 'delivery',
          60_000,
          () => `${pn} never waited for delivery: ${endOf(execution(pn))}`,
        );
        timeoutAt = Date.parse((await getOrder(pn))?.wait?.timeoutAt ?? '');

        // Act: Ozon delivers the parcel and pushes "delivered" (hours later on the simulated clock).
        await waitUntil(
          () => statesOfPosting(pn).includes('AwaitPayout') || execution(pn)?.status !== 'RUNNING',
          60_000,
          () => `${pn} still at ${endOf(execution(pn))}; attempts ${JSON.stringify(failing.attempts)}`,
        );
      } finally {
        failing.restore();
      }

      // Assess: the wait ended by the push's redelivery, long before its timeout (which goes through CheckTracking).
      const failed = failing.attempts.filter((a) => !a.ok);
      const success = failing.attempts.find((a) => a.ok);
      const first = failed[0];
      const simLatency = (success?.sim ?? 0) - (first?.sim ?? 0);
      const simLeft = timeoutAt - (first?.sim ?? 0);
      console.info(
        `failing SendTaskSuccess (push): ${failed.length} attempts failed, delivered ` +
          `${((success?.real ?? 0) - (first?.real ?? 0)) / 1000} s later (${Math.round(simLatency / MINUTE)} ` +
          `simulated min; the wait had ${(simLeft / HOUR).toFixed(1)} h left), now at ${endOf(execution(pn))}`,
      );
      expect(failed).toHaveLength(SDK_ATTEMPTS);
      expect(success).toBeDefined();
      const states = statesOfPosting(pn);
      expect(states).not.toContain('CheckTracking');
      expect(states).not.toContain('NeedsAttention');
      expect(states.at(-1)).toBe('AwaitPayout');
      expect(simLatency).toBeLessThan(simLeft / 10);
    });
  });

  describe('a cancellation after packing, before pickup', () => {
    it('the units come back on the shelf and the execution ends Cancelled', async () => {
      const SKU = 'LAMP-LED-E27';
      const before = await stockOf(SKU);
      // Never handed over: the parcel stays in the warehouse at awaiting_deliver.
      const pn = createPosting({ lines: [{ offer_id: SKU, quantity: 2 }], stall: 'awaiting_deliver' });
      await waitUntil(
        async () => (await getOrder(pn))?.wait?.on === 'delivery',
        60_000,
        () => `${pn} never packed: ${endOf(execution(pn))}`,
      );
      const packed = await stockOf(SKU);
      const packedOrder = await getOrder(pn);

      sandbox().cancelByBuyer(pn);
      await waitUntil(
        () => execution(pn)?.status !== 'RUNNING',
        60_000,
        () => `${pn} still at ${endOf(execution(pn))}`,
      );

      const after = await stockOf(SKU);
      console.info(
        `cancelled after packing: stock before ${JSON.stringify(before)}, packed ${JSON.stringify(packed)}, after ${JSON.stringify(after)}`,
      );
      expect(packedOrder?.shippedFromStockAt).toBeDefined();
      expect(packedOrder?.status).toBe('awaiting_deliver');
      expect(packed).toEqual({ onHand: before.onHand - 2, available: before.available - 2, reserved: before.reserved });
      expect(after).toEqual(before);
      expect(execution(pn)?.status).toBe('SUCCEEDED');
      expect(statesOfPosting(pn).at(-1)).toBe('Cancelled');
      expect(await getOrder(pn)).toMatchObject({ phase: 'cancelled', status: 'cancelled' });
    });
  });
});

// Sequential: 210+ postings and the whole Ozon budget to themselves.
describe('hundreds of postings waiting for one restock', () => {
  const POSTINGS = FULL ? 250 : 210;
  const UNITS = 250;
  const SKU = 'SOCKS-WOOL-42';
  // The default size stops once Ozon accepted every posting's ship (all reserved, none left waiting); FULL completes.
  const GOAL = FULL ? 'completes' : 'is shipped on Ozon';

  it(`${POSTINGS} postings in AwaitRestock, one restock of ${UNITS}: every posting reserves and ${GOAL}`, async () => {
    const started = Date.now();
    const postings = Array.from({ length: POSTINGS }, () =>
      createPosting({ lines: [{ offer_id: SKU, quantity: 1 }], shipmentSlaMs: 3 * DAY }),
    );
    // In AwaitRestock: the wait and its token stored (ReserveStock sets the phase a moment before that).
    const waiting = async () => {
      const inPhase = (await ordersInPhase('awaiting_stock')).filter((o) => o.wait?.on === 'restock');
      const names = new Set(inPhase.map((o) => o.postingNumber));
      return postings.filter((pn) => names.has(pn)).length;
    };
    await waitUntil(
      async () => (await waiting()) === POSTINGS,
      120_000,
      () => JSON.stringify(tally(postings, (pn) => endOf(execution(pn)))),
    );
    const allWaitingAfter = Date.now() - started;

    const restocked = Date.now();
    const answer = await rt.sellerApi('stock', { warehouseId: FBS_WAREHOUSE, offerId: SKU, quantity: UNITS });
    const text = await answer.text();
    const answeredIn = Date.now() - restocked;
    console.info(`restock: the seller API answered ${answer.status} in ${(answeredIn / 1000).toFixed(1)} s: ${text}`);
    expect(answer.status, text).toBe(200);
    const restock = JSON.parse(text) as { woken?: number };

    const done = (pn: string) =>
      FULL ? execution(pn)?.status !== 'RUNNING' : statesOfPosting(pn).includes('PackAndLabel');
    try {
      await waitUntil(
        () => postings.every(done),
        FULL ? 300_000 : 120_000,
        () => JSON.stringify(tally(postings, (pn) => endOf(execution(pn)))),
      );
    } catch (error) {
      // What the stragglers' orders say, for the report.
      const stuck = await Promise.all(
        postings
          .filter((pn) => !done(pn))
          .slice(0, 5)
          .map(async (pn) => {
            const o = await getOrder(pn);
            return `${pn}: ${statesOfPosting(pn).slice(-4).join('>')} phase ${o?.phase} restockedAt ${o?.restockedAt} wait ${JSON.stringify(o?.wait)}`;
          }),
      );
      throw new Error(`${(error as Error).message}\n${stuck.join('\n')}`);
    }
    const ends = tally(postings, (pn) => endOf(execution(pn)));
    const stock = await stockOf(SKU);
    const shipped = new Set(
      sandbox()
        .calls.filter((c) => c.path === '/v4/posting/fbs/ship' && c.status === 200)
        .map((c) => (c.body as { posting_number: string }).posting_number),
    );
    console.info(
      `restock: ${POSTINGS} postings all waiting after ${(allWaitingAfter / 1000).toFixed(1)} s, woken ${restock.woken}, ` +
        `${postings.filter((pn) => shipped.has(pn)).length} shipped on Ozon ${((Date.now() - restocked) / 1000).toFixed(1)} s after ` +
        `the restock, now at ${JSON.stringify(ends)}, stock ${JSON.stringify(stock)}`,
    );
    expect(restock.woken).toBe(POSTINGS);
    expect(await waiting()).toBe(0);
    expect(postings.filter((pn) => !shipped.has(pn))).toEqual([]);
    expect(postings.filter((pn) => statesOfPosting(pn).includes('NeedsAttention'))).toEqual([]);
    expect(postings.filter((pn) => execution(pn)?.status === 'FAILED')).toEqual([]);
    // Every unit of the restock that a posting took is reserved or already packed; the rest stays available.
    expect(stock.available).toBe(UNITS - POSTINGS);
    expect(stock.reserved + (UNITS - stock.onHand)).toBe(POSTINGS);
    if (FULL) {
      expect(ends).toEqual({ Completed: POSTINGS });
      expect(stock).toEqual({ onHand: UNITS - POSTINGS, available: UNITS - POSTINGS, reserved: 0 });
    }
  });
});
