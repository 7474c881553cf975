/**
 * The quality check before shipping (issue 14, item 3), through whole executions on the embedded runtime: a posting
 * of a checked offer waits for the warehouse's answer before Ozon is asked to assemble it; a failed unit is written
 * off and another one reserved, or, with none left, the short-stock path follows; an offer the seller (or defect
 * returns) put on the check list is checked from then on, and the others never wait.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDigestNow } from '#performance/digest';
import { getOrder } from '#shared/order-store';
import { getStock } from '#stock/stock-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { DEFAULT_WAREHOUSES } from '../../sandbox/index';
import { ozonCallsFor, statesEntered, until, waitForState } from './helpers';

const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;

let rt: Runtime;

beforeAll(async () => {
  rt = await startRuntime({
    speed: 10_000,
    // The seller has no Premium Plus (Ozon's analytics: two metrics, no chats).
    environment: {
      QUALITY_CHECK: JSON.stringify({ offers: ['LAMP-LED-E27', 'KETTLE-17L'] }),
      // The test sends the digest itself, once: Ozon's analytics answer once a minute of real time.
      DIGEST_EVERY_HOURS: '100000',
    },
    ozon: { mode: 'sandbox', sandbox: { premium: 'none' } },
  });
  // One kettle only: a failed one leaves none for the posting.
  await seedDemoStock(100, { 'KETTLE-17L': 1 });
});
afterAll(async () => {
  await rt?.stop();
});

const localStock = async (offerId: string) => (await getStock(FBS_WAREHOUSE, [offerId])).get(offerId);
const alertsOf = (pn: string, kind: string) => rt.alerts.filter((a) => a.postingNumber === pn && a.kind === kind);
/** The posting waits for the check of its `round`-th unit (0: the first). */
const awaitingCheck = (pn: string, round: number) =>
  until(async () => {
    const order = await getOrder(pn);
    return order?.phase === 'awaiting_check' && order.qualityCheck?.failures === round ? order : undefined;
  }, 90_000);
const ships = (pn: string) => ozonCallsFor(rt, pn).filter((c) => c.path.endsWith('/posting/fbs/ship'));
/** Past the check: assembled on Ozon, packed (the units off the shelf) and handed to delivery. */
const shipped = (pn: string) => waitForState(rt, pn, 'AwaitDelivery', 120_000);
const create = (offerId: string) =>
  rt.sandbox?.createPosting({ lines: [{ offer_id: offerId, quantity: 1 }] }).posting_number ?? '';

describe.concurrent('quality check before shipping', { timeout: 180_000 }, () => {
  it('a failed unit is written off, another one reserved and checked, and only then Ozon assembles', async () => {
    const before = await localStock('LAMP-LED-E27');
    const pn = create('LAMP-LED-E27');
    await awaitingCheck(pn, 0);
    // Ozon has not been asked to assemble while the check is out.
    expect(ships(pn)).toEqual([]);
    const asked = await until(() => alertsOf(pn, 'quality_check')[0]);
    expect(asked.message).toContain('LAMP-LED-E27');
    expect(asked.message).toContain('/qualityCheck');

    const failed = await rt.sellerApi('qualityCheck', { postingNumber: pn, passed: false, reason: 'цоколь треснул' });
    expect(failed.status).toBe(200);
    const told = await until(() => alertsOf(pn, 'quality_failed')[0]);
    expect(told.message).toContain('цоколь треснул');
    expect(told.message).toContain('Another unit is reserved');
    // The next unit's check, asked for once more.
    await awaitingCheck(pn, 1);
    expect(ships(pn)).toEqual([]);
    expect((await rt.sellerApi('qualityCheck', { postingNumber: pn, passed: true })).status).toBe(200);
    const execution = await shipped(pn);

    expect(ships(pn)).toHaveLength(1);
    const states = statesEntered(execution);
    expect(states).toEqual(expect.arrayContaining(['AwaitQualityCheck', 'QualityCheckFailed', 'PackAndLabel']));
    expect(states.filter((s) => s === 'ReserveStock').length).toBeGreaterThanOrEqual(2);
    expect(alertsOf(pn, 'quality_check')).toHaveLength(2);
    // The check is part of the order's record: passed, after one failure, whose reason is kept.
    const order = await getOrder(pn);
    expect(order?.qualityCheck).toMatchObject({
      result: 'passed',
      failures: 1,
      last: { offerId: 'LAMP-LED-E27', reason: 'цоколь треснул' },
    });
    // One unit shipped, one written off, nothing left reserved for the posting.
    const after = await localStock('LAMP-LED-E27');
    expect(after?.onHand).toBe((before?.onHand ?? 0) - 2);
    expect(after?.reserved).toBe(before?.reserved);
  });

  it('a failed unit with none left takes the short-stock path; the restocked unit is checked before shipping', async () => {
    const pn = create('KETTLE-17L');
    await awaitingCheck(pn, 0);
    const failed = await rt.sellerApi('qualityCheck', {
      postingNumber: pn,
      passed: false,
      offerId: 'KETTLE-17L',
      reason: 'вмятина на корпусе',
    });
    expect(failed.status).toBe(200);
    const told = await until(() => alertsOf(pn, 'quality_failed')[0]);
    expect(told.message).toContain('No other unit is in stock');
    await until(() => alertsOf(pn, 'out_of_stock')[0]);
    expect((await localStock('KETTLE-17L'))?.onHand).toBe(0);
    // Without Premium Plus Ozon refuses the chat: the seller gets the Russian text to send another way.
    const notTold = await until(() => alertsOf(pn, 'buyer_not_told')[0]);
    expect(notTold.message).toContain('закончился на складе');
    expect(notTold.message).toMatch(/Premium Plus|PREMIUM_PLUS/);

    const restock = await rt.sellerApi('stock', { warehouseId: FBS_WAREHOUSE, offerId: 'KETTLE-17L', quantity: 2 });
    expect(restock.status).toBe(200);
    await awaitingCheck(pn, 1);
    expect((await rt.sellerApi('qualityCheck', { postingNumber: pn, passed: true })).status).toBe(200);
    const execution = await shipped(pn);

    expect(statesEntered(execution)).toEqual(
      expect.arrayContaining(['QualityCheckFailed', 'AwaitRestock', 'AwaitQualityCheck', 'PackAndLabel']),
    );
    expect((await localStock('KETTLE-17L'))?.onHand).toBe(1);
  });

  it('an offer the seller puts on the check list is checked, with reminders; other offers never wait', async () => {
    const listed = await rt.sellerApi('packing', { offerId: 'CABLE-USBC-1M', qualityCheck: true });
    expect(listed.status).toBe(200);
    const pn = create('CABLE-USBC-1M');
    const other = create('TEA-GRN-100');
    await awaitingCheck(pn, 0);
    // Answers the seller API refuses: a failure without its reason, and a posting that waits for no check.
    expect((await rt.sellerApi('qualityCheck', { postingNumber: pn, passed: false })).status).toBe(422);
    const unchecked = await shipped(other);
    expect(statesEntered(unchecked)).not.toContain('AwaitQualityCheck');
    expect((await rt.sellerApi('qualityCheck', { postingNumber: other, passed: true })).status).toBe(409);
    // Unanswered: the warehouse is reminded (every 2 h of the posting's time).
    await until(() => alertsOf(pn, 'quality_check_due')[0]);

    expect((await rt.sellerApi('qualityCheck', { postingNumber: pn, passed: true })).status).toBe(200);
    // A second answer for the same unit changes nothing.
    const again = await rt.sellerApi('qualityCheck', { postingNumber: pn, passed: false, reason: 'x' });
    expect(again.status).toBe(409);
    const execution = await shipped(pn);
    expect(statesEntered(execution)).toEqual(
      expect.arrayContaining(['AwaitQualityCheck', 'RemindQualityCheck', 'PackAndLabel']),
    );
    expect(statesEntered(execution)).not.toContain('QualityCheckFailed');
  });

  it("the weekly digest counts the failed checks and, without Premium Plus, says what Ozon's analytics leave out", async () => {
    // After the checks above have failed (the digest counts the days' incidents).
    await until(() => (rt.alerts.filter((a) => a.kind === 'quality_failed').length >= 2 ? true : undefined), 90_000);
    const result = await sendDigestNow();

    expect(result).toMatchObject({ sent: true, plan: 'free', skus: 0 });
    const digest = await until(() => rt.alerts.find((a) => a.kind === 'digest'));
    expect(digest.message).toMatch(/failed quality checks [2-9]/);
    // Per product, from the product's own records: which offers the week's incidents were about.
    expect(digest.message).toMatch(/By product: .*LAMP-LED-E27: failed quality checks 1/);
    expect(digest.message).toMatch(/KETTLE-17L: failed quality checks 1/);
    expect(digest.message).toContain('Not in your plan: views, to cart, cancelled, returned per SKU (Premium Plus)');
    expect(digest.message).toContain('Ozon refused the Premium Plus metrics');
    // One call, refused as Ozon refuses a plan's limit (403): the next digest asks for the free metrics only.
    expect(rt.ozonCalls.filter((c) => c.path === '/v1/analytics/data').map((c) => c.status)).toEqual([403]);
  });
});
