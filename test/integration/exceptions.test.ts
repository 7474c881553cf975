/**
 * Every exception path of OrderLifecycle, each a whole execution on the embedded runtime: the final state, the Ozon
 * calls made (with their arguments), the stock, and the alert the seller gets. The sandbox plays Ozon, a simulated
 * carrier and warehouse play the seller's side; the configuration is the mixed scenario's (packed confirmation
 * required, partial cancellation allowed, short SLAs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrder } from '#shared/order-store';
import { getStock } from '#stock/stock-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { scenarioRuntimeOptions, startQualityDesk, startWarehouse } from '../../local/scenarios';
import { seedDemoStock } from '../../local/seed';
import { DEFAULT_PRODUCTS, DEFAULT_WAREHOUSES } from '../../sandbox/index';
import type { CreatePostingSpec } from '../../sandbox/types';
import { buyerToldIn, ozonCallsFor, statesEntered, waitForAlert, waitForExecution, waitForState } from './helpers';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;
const sku = (offerId: string) => DEFAULT_PRODUCTS.find((p) => p.offer_id === offerId)?.sku;

const carrierPlans = new Map<string, { silent?: boolean; transitMs?: number }>();
const neverPacked = new Set<string>();
let rt: Runtime;
let warehouse: { stop(): void };
let qualityDesk: { stop(): void };

beforeAll(async () => {
  const mixed = scenarioRuntimeOptions('mixed', carrierPlans);
  // One day of no progress counts as stalled here, so three escalations fit into the test.
  rt = await startRuntime({ speed: 5_000, ...mixed, environment: { ...mixed.environment, TRANSIT_STALL_DAYS: '1' } });
  await seedDemoStock(100, { 'NOTE-A5-DOT': 0, 'SOCKS-WOOL-42': 0 });
  warehouse = startWarehouse(rt, (pn) => (neverPacked.has(pn) ? undefined : 30 * 60_000));
  // The mixed week checks kettles before they ship: the warehouse passes each.
  qualityDesk = startQualityDesk(rt, new Set());
  let restocked = false;
  rt.onAlert((alert) => {
    if (alert.kind === 'out_of_stock' && alert.message.includes('NOTE-A5-DOT') && !restocked) {
      restocked = true;
      rt.clock.schedule(
        HOUR,
        () => void rt.sellerApi('stock', { warehouseId: FBS_WAREHOUSE, offerId: 'NOTE-A5-DOT', quantity: 5 }),
      );
    }
  });
});
afterAll(async () => {
  warehouse?.stop();
  qualityDesk?.stop();
  await rt?.stop();
});

/** Postings get a well-stocked line unless the test names its own: short stock only where a test wants it. */
function post(spec: CreatePostingSpec): string {
  const created = rt.sandbox?.createPosting({ lines: [{ offer_id: 'CABLE-USBC-1M', quantity: 1 }], ...spec });
  if (!created) throw new Error('no sandbox');
  return created.posting_number;
}
const alertsOf = (pn: string) => rt.alerts.filter((a) => a.postingNumber === pn);
const kindsOf = (pn: string) => alertsOf(pn).map((a) => a.kind);

describe.concurrent('exception paths', { timeout: 150_000 }, () => {
  it('short stock: alerts, waits for the restock, then reserves and ships', async () => {
    const pn = post({ lines: [{ offer_id: 'NOTE-A5-DOT', quantity: 2 }] });

    const execution = await waitForExecution(rt, pn, 90_000);

    expect(statesEntered(execution)).toEqual(expect.arrayContaining(['AwaitRestock', 'Completed']));
    expect(statesEntered(execution).filter((s) => s === 'ReserveStock').length).toBeGreaterThanOrEqual(2);
    expect(kindsOf(pn)).toContain('out_of_stock');
    const stock = (await getStock(FBS_WAREHOUSE, ['NOTE-A5-DOT'])).get('NOTE-A5-DOT');
    expect(stock?.onHand).toBe(3);
    expect(stock?.reserved).toBe(0);
  });

  it('short stock past the decision deadline: cancels on Ozon with reason 352 and alerts', async () => {
    const pn = post({ lines: [{ offer_id: 'SOCKS-WOOL-42', quantity: 1 }] });

    const execution = await waitForExecution(rt, pn, 90_000);

    expect(statesEntered(execution)).toEqual(
      expect.arrayContaining(['DecideShortStock', 'ShortStockDecision', 'CancelPosting', 'Cancelled']),
    );
    const cancel = ozonCallsFor(rt, pn).find((c) => c.path === '/v2/posting/fbs/cancel');
    expect(cancel?.body).toMatchObject({ posting_number: pn, cancel_reason_id: 352 });
    expect(kindsOf(pn)).toEqual(expect.arrayContaining(['out_of_stock', 'stock_cancelled']));
    const out = alertsOf(pn).find((a) => a.kind === 'out_of_stock');
    expect(out?.message).toMatch(/SOCKS-WOOL-42 ×1/);
    expect(out?.message).toMatch(/Deadline: \d{4}-/);
  });

  it('short stock with partial cancellation allowed: cancels only the missing line and ships the rest', async () => {
    const pn = post({
      lines: [
        { offer_id: 'SOCKS-WOOL-42', quantity: 1 },
        { offer_id: 'TEA-GRN-100', quantity: 1 },
      ],
    });

    const execution = await waitForExecution(rt, pn, 90_000);

    expect(statesEntered(execution)).toEqual(expect.arrayContaining(['CancelShortLines', 'Completed']));
    const partial = ozonCallsFor(rt, pn).find((c) => c.path === '/v2/posting/fbs/product/cancel');
    expect(partial?.body).toMatchObject({
      posting_number: pn,
      cancel_reason_id: 352,
      items: [{ sku: sku('SOCKS-WOOL-42'), quantity: 1 }],
    });
    const ship = ozonCallsFor(rt, pn).find((c) => c.path === '/v4/posting/fbs/ship');
    expect(ship?.body).toMatchObject({ packages: [{ products: [{ product_id: sku('TEA-GRN-100'), quantity: 1 }] }] });
    expect(kindsOf(pn)).toContain('partial_cancel');
    // The buyer heard of the wait, then of the line cancelled: each moment once.
    const told = buyerToldIn(rt, pn);
    expect(told).toHaveLength(2);
    expect(told[0]).toMatch(/товар «Носки шерстяные, размер 42» закончился на складе/);
    expect(told[1]).toMatch(
      /К сожалению, товар «Носки шерстяные, размер 42» из заказа .+ закончился, и мы отменили только его/,
    );
  });

  it('confirmation deadline: no packed confirmation → reminders, a critical alert with the cost; the buyer cancels', async () => {
    const pn = post({ shipmentSlaMs: 10 * HOUR, cancelByBuyerAfterMs: 16 * HOUR });
    neverPacked.add(pn);

    const execution = await waitForExecution(rt, pn, 90_000);

    expect(statesEntered(execution)).toEqual(
      expect.arrayContaining(['AwaitPackedConfirmation', 'RemindPacking', 'ReleaseStock', 'Cancelled']),
    );
    const kinds = kindsOf(pn);
    // A warning first (the sweep's lead-time warning and/or the packing reminder), then the miss, once.
    expect(kinds.indexOf('packing_reminder') >= 0 || kinds.indexOf('confirmation_deadline') >= 0).toBe(true);
    expect(kinds.filter((k) => k === 'confirmation_deadline_missed')).toHaveLength(1);
    expect(kinds.findIndex((k) => k === 'packing_reminder' || k === 'confirmation_deadline')).toBeLessThan(
      kinds.indexOf('confirmation_deadline_missed'),
    );
    expect(alertsOf(pn).find((a) => a.kind === 'confirmation_deadline_missed')?.severity).toBe('critical');
    expect(ozonCallsFor(rt, pn).some((c) => c.path === '/v4/posting/fbs/ship')).toBe(false);
    expect(await getOrder(pn)).toMatchObject({ cancellation: { initiator: 'Клиент' } });
  });

  it('cancellation after hand-over: ends cleanly, alerts to retrieve the parcel, stock stays shipped', async () => {
    const before = (await getStock(FBS_WAREHOUSE, ['KETTLE-17L'])).get('KETTLE-17L');
    const pn = post({
      lines: [{ offer_id: 'KETTLE-17L', quantity: 1 }],
      stall: 'delivering',
      cancelByBuyerAfterMs: 30 * HOUR,
    });

    const execution = await waitForExecution(rt, pn, 90_000);

    expect(statesEntered(execution).slice(-3)).toEqual(['ReleaseStock', 'CancellationConfirmed', 'Cancelled']);
    expect(kindsOf(pn)).toContain('cancelled_after_ship');
    const after = (await getStock(FBS_WAREHOUSE, ['KETTLE-17L'])).get('KETTLE-17L');
    expect(after?.onHand).toBe((before?.onHand ?? 0) - 1);
    expect(await getOrder(pn)).toMatchObject({ phase: 'cancelled', cancellation: { afterShip: true } });
  });

  it('marking codes never sent: asked for at each deadline, then the posting waits in NeedsAttention', async () => {
    const pn = post({ marksRequired: true });

    const execution = await waitForState(rt, pn, 'NeedsAttention', 120_000);

    const attention = await waitForAlert(rt, pn, 'needs_attention');
    expect(execution.status).toBe('RUNNING');
    // Never a dead end: the posting waited for the codes (AwaitMarkingCodes), asked again, then gave up to the seller.
    const states = statesEntered(execution);
    expect(states.filter((s) => s === 'AwaitMarkingCodes').length).toBeGreaterThan(1);
    expect(alertsOf(pn).find((a) => a.kind === 'marking_codes_required')?.severity).toBe('critical');
    expect(attention.message).toMatch(/AssemblyDataNotSent/);
    expect(attention.message).toMatch(/resume/);
    expect(ozonCallsFor(rt, pn).some((c) => c.path === '/v4/posting/fbs/ship')).toBe(false);
    expect(await getOrder(pn)).toMatchObject({ phase: 'needs_attention', wait: { on: 'attention' } });
  });

  it('ship_failed: ships again and completes', async () => {
    const pn = post({ shipFailsOnce: true });

    const execution = await waitForExecution(rt, pn, 90_000);

    expect(execution.status).toBe('SUCCEEDED');
    expect(ozonCallsFor(rt, pn).filter((c) => c.path === '/v4/posting/fbs/ship').length).toBeGreaterThanOrEqual(2);
    // The packing batcher saw ship_failed and ended PackAndLabel with it: back to ConfirmPosting, packed once.
    // (The mixed week's packing confirmation comes before the ship: the ship is the ConfirmPosting before it.)
    const states = statesEntered(execution);
    const ship = states.indexOf('PackAndLabel') - 1;
    expect(states.slice(ship, ship + 3)).toEqual(['ConfirmPosting', 'PackAndLabel', 'ConfirmPosting']);
    expect(states.filter((s) => s === 'RegisterShipment')).toHaveLength(1);
  });

  it('an assembly Ozon reports late: asked again, then ConfirmPosting asks Ozon, ships again only to be told it is under way, and completes', async () => {
    // Ozon's asynchronous assembly takes 3 h, longer than the 2 h the packing batcher waits for its word.
    const pn = post({ assemblyMs: 3 * HOUR });

    const execution = await waitForExecution(rt, pn, 90_000);

    expect(execution.status).toBe('SUCCEEDED');
    const states = statesEntered(execution);
    const ship = states.indexOf('PackAndLabel') - 1;
    expect(states.slice(ship, ship + 4)).toEqual(['ConfirmPosting', 'PackAndLabel', 'ConfirmPosting', 'PackAndLabel']);
    expect(states).not.toContain('NeedsAttention');
    // The second ConfirmPosting read the posting first; Ozon refused the second ship as shipped already.
    const calls = ozonCallsFor(rt, pn);
    const ships = calls.filter((c) => c.path === '/v4/posting/fbs/ship');
    expect(ships).toHaveLength(2);
    const first = calls.indexOf(ships[0] as (typeof calls)[number]);
    const second = calls.indexOf(ships[1] as (typeof calls)[number]);
    expect(calls.slice(first + 1, second).map((c) => c.path)).toContain('/v3/posting/fbs/get');
    expect(await getOrder(pn)).toMatchObject({ phase: 'completed' });
    expect(alertsOf(pn).map((a) => a.kind)).not.toContain('ship_refused');
  });

  it('not accepted at the sorting centre: named outcome and a critical alert', async () => {
    const pn = post({ sortingCentre: 'not_accepted' });

    const execution = await waitForState(rt, pn, 'NeedsAttention', 90_000);

    expect(statesEntered(execution).slice(-2)).toEqual(['AlertNotAccepted', 'NeedsAttention']);
    expect((await waitForAlert(rt, pn, 'not_accepted')).severity).toBe('critical');
  });

  it('arbitration: alerts, waits for the dispute to end, then completes', async () => {
    const pn = post({ sortingCentre: 'arbitration' });

    const execution = await waitForExecution(rt, pn, 90_000);

    expect(statesEntered(execution)).toEqual(
      expect.arrayContaining(['AlertDispute', 'AwaitDisputeResolution', 'Completed']),
    );
    expect(kindsOf(pn)).toContain('arbitration');
  });

  it('rFBS without a tracking number: critical alerts, then NeedsAttention', async () => {
    const pn = post({ schema: 'rfbs' });
    carrierPlans.set(pn, { silent: true });

    const execution = await waitForState(rt, pn, 'NeedsAttention', 90_000);

    expect(statesEntered(execution).filter((s) => s === 'TrackingOverdue')).toHaveLength(4);
    expect(kindsOf(pn).filter((k) => k === 'tracking_missing').length).toBeGreaterThanOrEqual(1);
    expect(ozonCallsFor(rt, pn).some((c) => c.path === '/v2/fbs/posting/tracking-number/set')).toBe(false);
  });

  it('rFBS past the delivery window: alerts, still completes when the carrier delivers', async () => {
    const pn = post({ schema: 'rfbs', deliveryWindowMs: 36 * HOUR });
    carrierPlans.set(pn, { transitMs: 2 * DAY });

    const execution = await waitForExecution(rt, pn, 90_000);

    expect(execution.status).toBe('SUCCEEDED');
    expect(kindsOf(pn)).toContain('delivery_window_passed');
  });

  it('stalled in transit: checks Ozon, alerts, tells the buyer in chat, then "possibly lost"', async () => {
    const pn = post({ stall: 'delivering', cancelByBuyerAfterMs: 4.5 * DAY });

    const execution = await waitForExecution(rt, pn, 140_000);

    expect(statesEntered(execution)).toEqual(expect.arrayContaining(['CheckTracking', 'Cancelled']));
    expect(kindsOf(pn)).toEqual(expect.arrayContaining(['delivery_stalled', 'possibly_lost']));
    expect(alertsOf(pn).find((a) => a.kind === 'possibly_lost')?.severity).toBe('critical');
    const chatStart = ozonCallsFor(rt, pn).find((c) => c.path === '/v1/chat/start');
    expect(chatStart).toBeDefined();
    const message = rt.sandbox?.calls.find(
      (c) => c.path === '/v1/chat/send/message' && JSON.stringify(c.body).includes(pn),
    );
    expect(String((message?.body as { text?: string } | undefined)?.text)).toMatch(/задерживается/);
  });

  it('no accruals within the settlement window: payout_missing', async () => {
    const pn = post({ noAccruals: true });

    const execution = await waitForExecution(rt, pn, 90_000);

    expect(execution.status).toBe('SUCCEEDED');
    expect(await getOrder(pn)).toMatchObject({ payout: { verdict: 'missing' } });
    expect(kindsOf(pn)).toContain('payout_missing');
  });
});
