/**
 * After the sale (issue 13), through whole executions on the embedded runtime: a buyer's cancellation request
 * (rFBS; the sandbox plays Ozon's `/v2/conditional-cancellation/*`, approving a request itself at its deadline) is
 * found by the poller, ends the posting's wait, and is answered on Ozon before the deadline — approved before the
 * hand-over (the posting ends Cancelled, its units back), rejected or left to the seller after it.
 */

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RFBS_FOLLOW_MS } from '#aftersale/rfbs-followed';
import { env } from '#shared/config';
import { db, keys, setIfLater } from '#shared/db';
import { getOrder } from '#shared/order-store';
import { getStock } from '#stock/stock-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { DEFAULT_WAREHOUSES } from '../../sandbox/index';
import { buyerToldIn, ozonCallsFor, statesEntered, until, waitForExecution } from './helpers';

const RFBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => w.is_rfbs)?.warehouse_id as number;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let rt: Runtime;

beforeAll(async () => {
  // The product answers 44 h before Ozon's 48 h deadline here, so an unanswered request is decided while the parcel
  // is still on its way (the simulated carrier delivers a day after pick-up; delivery would close the request).
  // The carrier picks parcels up 6 h after they are packed: a request 20 minutes in is surely before the hand-over,
  // one 20 hours in surely after it, however busy the machine.
  rt = await startRuntime({
    speed: 10_000,
    environment: { CANCELLATION_MARGIN_HOURS: '44' },
    carrier: { handoverMs: 6 * HOUR, transitMs: 24 * HOUR },
  });
  await seedDemoStock(100);
});
afterAll(async () => {
  await rt?.stop();
});

/** An rFBS posting whose buyer asks to cancel this long after ordering. */
const rfbsPosting = (requestAfterMs: number, message?: string) =>
  rt.sandbox?.createPosting({
    schema: 'rfbs',
    lines: [{ offer_id: 'CABLE-USBC-1M', quantity: 1 }],
    cancellationRequestAfterMs: requestAfterMs,
    ...(message ? { cancellationRequestMessage: message } : {}),
  }).posting_number ?? '';
const requestOf = (pn: string) => rt.sandbox?.afterSale().cancellations.find((c) => c.posting_number === pn);
const kindsOf = (pn: string) => rt.alerts.filter((a) => a.postingNumber === pn).map((a) => a.kind);

const pollCalls = (path: string) => (rt.sandbox?.calls ?? []).filter((c) => c.path === path && c.status === 200);

describe("a buyer's cancellation request (rFBS)", { timeout: 150_000 }, () => {
  it('is asked for by the poll only once the product follows an rFBS posting: an FBS-only seller saves the call', async () => {
    // Mugs: the next test counts the cables of the rFBS warehouse.
    const fbs =
      rt.sandbox?.createPosting({ schema: 'fbs', lines: [{ offer_id: 'MUG-350-WHT', quantity: 1 }] }).posting_number ??
      '';
    await until(async () => ((await getOrder(fbs)) ? true : undefined), 60_000);
    // Three polls with an FBS posting followed, none of them asking for cancellation requests.
    const listed = pollCalls('/v4/posting/fbs/list').length;
    await until(() => (pollCalls('/v4/posting/fbs/list').length >= listed + 3 ? true : undefined), 60_000);
    expect(pollCalls('/v2/conditional-cancellation/list')).toEqual([]);

    const rfbs =
      rt.sandbox?.createPosting({ schema: 'rfbs', lines: [{ offer_id: 'MUG-350-WHT', quantity: 1 }] }).posting_number ??
      '';
    await until(async () => ((await getOrder(rfbs)) ? true : undefined), 60_000);
    const received = Date.now();
    const asked = await until(() => pollCalls('/v2/conditional-cancellation/list')[0], 60_000);
    expect(asked.at).toBeGreaterThanOrEqual(received);
  });

  it('after an upgrade (a poller item without the note): followed for the whole window, the note written', async () => {
    const mark = keys.cursor('poller');
    const table = env('table').TABLE_NAME;
    // What a version before the note left: the poll's mark, no `rfbsUntil`.
    await db().send(new UpdateCommand({ TableName: table, Key: mark, UpdateExpression: 'REMOVE rfbsUntil' }));
    const removedAt = Date.now();
    const asked = await until(
      () => pollCalls('/v2/conditional-cancellation/list').find((c) => c.at > removedAt),
      60_000,
    );
    expect(asked).toBeDefined();
    const item = (await db().send(new GetCommand({ TableName: table, Key: mark, ConsistentRead: true }))).Item;
    expect(item?.rfbsUntil).toBeGreaterThan(rt.clock.now() + RFBS_FOLLOW_MS - 7 * 24 * HOUR);
  });

  it("the poller's item only moves forward: an older note or mark does not overwrite a later one", async () => {
    const key = keys.cursor('forward-only');
    const read = async () =>
      (await db().send(new GetCommand({ TableName: env('table').TABLE_NAME, Key: key, ConsistentRead: true }))).Item;
    expect(await setIfLater(env('table').TABLE_NAME, key, 'rfbsUntil', 2_000)).toBe(true);
    expect(await setIfLater(env('table').TABLE_NAME, key, 'statusChangesUntil', 500, { at: 'then' })).toBe(true);
    // Another instance with an older clock reading: refused, and it changes neither number nor `at`.
    expect(await setIfLater(env('table').TABLE_NAME, key, 'rfbsUntil', 1_000)).toBe(false);
    expect(await setIfLater(env('table').TABLE_NAME, key, 'statusChangesUntil', 400, { at: 'before' })).toBe(false);
    expect(await read()).toMatchObject({ rfbsUntil: 2_000, statusChangesUntil: 500, at: 'then' });
    expect(await setIfLater(env('table').TABLE_NAME, key, 'statusChangesUntil', 600, { at: 'now' })).toBe(true);
    expect(await read()).toMatchObject({ rfbsUntil: 2_000, statusChangesUntil: 600, at: 'now' });
  });

  it('before the hand-over: approved on Ozon, the posting ends Cancelled and its units go back', async () => {
    const before = (await getStock(RFBS_WAREHOUSE, ['CABLE-USBC-1M'])).get('CABLE-USBC-1M');
    const pn = rfbsPosting(20 * MINUTE, 'Нашёл дешевле');

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    const states = statesEntered(execution);
    expect(states).toContain('DecideCancellationRequest');
    expect(states.at(-1)).toBe('Cancelled');
    expect(requestOf(pn)).toMatchObject({ state: 'APPROVED', resolution: 'approved' });
    const id = requestOf(pn)?.cancellation_id;
    const answers = (rt.sandbox?.calls ?? []).filter(
      (c) =>
        c.path.startsWith('/v2/conditional-cancellation/') &&
        (c.body as { cancellation_id?: number }).cancellation_id === id,
    );
    expect(answers.map((c) => `${c.path} ${c.status}`)).toEqual(['/v2/conditional-cancellation/approve 200']);
    expect(ozonCallsFor(rt, pn).map((c) => c.path)).not.toContain('/v2/posting/fbs/cancel');
    expect(rt.alerts.find((a) => a.kind === 'cancellation_answered' && a.postingNumber === pn)?.message).toMatch(
      /approved by your policy/,
    );
    // Nothing left the warehouse: the seller's count is as before the posting.
    const after = (await getStock(RFBS_WAREHOUSE, ['CABLE-USBC-1M'])).get('CABLE-USBC-1M');
    expect(after?.onHand).toBe(before?.onHand);
    expect(after?.reserved).toBe(before?.reserved);
    expect((await getOrder(pn))?.cancellationRequest).toMatchObject({ decision: 'approved', decidedBy: 'policy' });
  });

  it('with the carrier: the seller is asked, answers "reject" through the seller API, the parcel is delivered', async () => {
    const pn = rfbsPosting(20 * HOUR);

    const asked = await until(() => rt.alerts.find((a) => a.kind === 'cancellation_request' && a.postingNumber === pn));
    expect(asked.severity).toBe('critical');
    expect(asked.message).toContain('/cancellationRequest');
    const answer = await rt.sellerApi('cancellationRequest', {
      postingNumber: pn,
      approve: false,
      comment: 'Посылка уже в пути',
    });
    expect(answer.status).toBe(200);

    const execution = await waitForExecution(rt, pn, 120_000);
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).toContain('AwaitCancellationDecision');
    expect(statesEntered(execution).at(-1)).toBe('Completed');
    expect(requestOf(pn)).toMatchObject({ state: 'REJECTED', resolution: 'rejected', comment: 'Посылка уже в пути' });
    expect((await getOrder(pn))?.cancellationRequest).toMatchObject({ decision: 'rejected', decidedBy: 'seller' });
    // The buyer is told why the parcel still comes, once.
    expect(buyerToldIn(rt, pn).filter((t) => /По вашей заявке на отмену заказа/.test(t))).toHaveLength(1);
    // A second answer is refused: nothing is open any more.
    expect((await rt.sellerApi('cancellationRequest', { postingNumber: pn, approve: true })).status).toBe(409);
  });

  it('with the carrier and no answer from the seller: rejected before Ozon would approve it itself', async () => {
    const pn = rfbsPosting(20 * HOUR);

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution).at(-1)).toBe('Completed');
    // Never approved by Ozon's deadline: the seller was asked first, then the product answered in time.
    expect(requestOf(pn)).toMatchObject({ state: 'REJECTED', resolution: 'rejected' });
    expect(kindsOf(pn)).toEqual(expect.arrayContaining(['cancellation_request', 'cancellation_answered']));
    expect(kindsOf(pn).indexOf('cancellation_request')).toBeLessThan(kindsOf(pn).indexOf('cancellation_answered'));
    expect((await getOrder(pn))?.cancellationRequest).toMatchObject({ decision: 'rejected', decidedBy: 'policy' });
  });
});
