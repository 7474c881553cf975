/**
 * Fulfilment options of the sandbox: rFBS carrier types (tpl), awaiting_approve, set_cutoff, split on ship,
 * drop-off restrictions, tariffication, and their state-file round-trip.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DROPOFF_LIMITS, DEFAULT_WAREHOUSES, manualClock } from '../../sandbox/index.js';
import { call, get, HOUR, type Json, onCleanup, receiver, runCleanups, shipBody, start, waitFor } from './helpers.js';

afterEach(runCleanups);

const FBS_WH = 1020000075732000;
const RFBS_WH = 1020000075733000;
const MUG = 1473290011;
const TEA = 1473290028;
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const LIST_PERIOD = { since: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' };

const statusCall = async (sb: Parameters<typeof call>[0], path: string, pn: string) =>
  (await call(sb, path, { posting_number: [pn] })).body.result[0];
const statesOf = (got: Json[], pn: string) =>
  got.filter((g) => g.posting_number === pn && g.message_type === 'TYPE_STATE_CHANGED').map((g) => g.new_state);

describe('rFBS carrier types (tpl)', () => {
  it('aggregator: awaiting_registration, Ozon registers it and sets the tracking number, then the carrier delivers', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const pn = sb.createPosting({
      schema: 'rfbs',
      tpl: 'aggregator',
      lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }],
    }).posting_number;
    const p0 = await get(sb, pn);
    expect(p0.tpl_integration_type).toBe('aggregator');
    expect(p0.delivery_method).toMatchObject({ warehouse_id: RFBS_WH, tpl_provider: 'Boxberry' });
    const listed = await call(sb, '/v4/posting/fbs/list', { limit: 10, filter: LIST_PERIOD });
    expect(listed.body.postings[0]).toMatchObject({ tpl_integration_type: 'aggregator' });

    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(p0))).body.result).toEqual([pn]);
    clock.advance(30_000);
    const registering = await get(sb, pn);
    expect(registering).toMatchObject({
      status: 'awaiting_registration',
      substatus: 'posting_awaiting_registration',
      tracking_number: '',
    });
    expect(registering.available_actions).not.toContain('set_track_number');
    expect(sb.stockOf(RFBS_WH, 'MUG-350-WHT').reserved).toBe(2); // still at the seller's
    const label = await call(sb, '/v2/posting/fbs/package-label', { posting_number: [pn] });
    expect(label.body.message).toBe("The next postings aren't ready");
    const reshipped = await call(sb, '/v4/posting/fbs/ship', shipBody(p0));
    expect(reshipped.body.message).toBe('POSTING_ALREADY_SHIPPED');

    // Ozon and the carrier move it: the seller's calls are refused per posting
    const track = await call(sb, '/v2/fbs/posting/tracking-number/set', {
      tracking_numbers: [{ posting_number: pn, tracking_number: 'MINE-1' }],
    });
    expect(track.body.result).toEqual([
      { error: 'HAS_INCORRECT_TPL_INTEGRATION_TYPE', posting_number: pn, result: false },
    ]);
    for (const path of ['/v2/fbs/posting/delivering', '/v2/fbs/posting/last-mile', '/v2/fbs/posting/delivered'])
      expect(await statusCall(sb, path, pn)).toEqual({
        error: 'HAS_INCORRECT_TPL_INTEGRATION_TYPE',
        posting_number: pn,
        result: false,
      });

    clock.advance(20 * MINUTE - 1);
    expect((await get(sb, pn)).status).toBe('awaiting_registration');
    clock.advance(1);
    const registered = await get(sb, pn);
    expect(registered).toMatchObject({ status: 'awaiting_deliver', substatus: 'posting_registered' });
    expect(registered.tracking_number).toMatch(/^BB\d{10}01$/);
    expect(registered.available_actions).toContain('label_download');
    expect(registered.available_actions).not.toContain('non_int_delivering');

    clock.advance(2 * HOUR);
    expect(await get(sb, pn)).toMatchObject({
      status: 'delivering',
      substatus: 'posting_transferred_to_courier_service',
      delivering_date: iso(clock.now()),
    });
    expect(sb.stockOf(RFBS_WH, 'MUG-350-WHT').reserved).toBe(0);
    clock.advance(24 * HOUR);
    expect((await get(sb, pn)).status).toBe('delivered');
    clock.advance(6 * HOUR);
    const acc = await call(sb, '/v1/finance/accrual/postings', { posting_numbers: [pn] });
    expect(acc.body.posting_accruals[0].accruals.length).toBeGreaterThan(0);

    await waitFor(() => statesOf(rx.got, pn).length === 4);
    expect(rx.got[0]).toMatchObject({ message_type: 'TYPE_NEW_POSTING', posting_number: pn });
    expect(statesOf(rx.got, pn)).toEqual([
      'posting_awaiting_registration',
      'posting_registered',
      'posting_transferred_to_courier_service',
      'posting_delivered',
    ]);
  });

  it('aggregator with registrationFails stays awaiting_registration with posting_registration_error', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url, timing: { registration: 5 * MINUTE } });
    const pn = sb.createPosting({ schema: 'rfbs', tpl: 'aggregator', registrationFails: true }).posting_number;
    await call(sb, '/v4/posting/fbs/ship', shipBody(await get(sb, pn)));
    clock.advance(30_000 + 5 * MINUTE);
    expect(await get(sb, pn)).toMatchObject({
      status: 'awaiting_registration',
      substatus: 'posting_registration_error',
      previous_substatus: 'posting_awaiting_registration',
      tracking_number: '',
    });
    clock.advance(10 * 24 * HOUR);
    expect((await get(sb, pn)).substatus).toBe('posting_registration_error');
    await waitFor(() => statesOf(rx.got, pn).length === 2);
    expect(statesOf(rx.got, pn)).toEqual(['posting_awaiting_registration', 'posting_registration_error']);
    // still cancellable by the seller: the parcel never left
    const cancel = await call(sb, '/v2/posting/fbs/cancel', { posting_number: pn, cancel_reason_id: 352 });
    expect(cancel.body).toEqual({ result: true });
    expect((await get(sb, pn)).cancellation.cancelled_after_ship).toBe(true);
  });

  it('3pl_tracking: status calls refused; once the tracking number is set the carrier moves the parcel', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const pn = sb.createPosting({ schema: 'rfbs', tpl: '3pl_tracking' }).posting_number;
    const p0 = await get(sb, pn);
    expect(p0.tpl_integration_type).toBe('3pl_tracking');
    expect(p0.delivery_method.tpl_provider).toBe('СДЭК');
    const early = await call(sb, '/v2/fbs/posting/tracking-number/set', {
      tracking_numbers: [{ posting_number: pn, tracking_number: '1234567890' }],
    });
    expect(early.body.result[0].error).toBe('TRANSITION_IS_NOT_POSSIBLE');

    await call(sb, '/v4/posting/fbs/ship', shipBody(p0));
    clock.advance(30_000);
    const assembled = await get(sb, pn);
    expect(assembled).toMatchObject({ status: 'awaiting_deliver', substatus: 'posting_transferring_to_delivery' });
    expect(assembled.available_actions).toContain('set_track_number');
    expect(assembled.available_actions).not.toContain('non_int_delivering');
    for (const path of ['/v2/fbs/posting/delivering', '/v2/fbs/posting/last-mile', '/v2/fbs/posting/delivered'])
      expect(await statusCall(sb, path, pn)).toEqual({
        error: 'HAS_INCORRECT_TPL_INTEGRATION_TYPE',
        posting_number: pn,
        result: false,
      });
    clock.advance(10 * 24 * HOUR); // nothing moves it before the tracking number
    expect((await get(sb, pn)).status).toBe('awaiting_deliver');

    const track = await call(sb, '/v2/fbs/posting/tracking-number/set', {
      tracking_numbers: [{ posting_number: pn, tracking_number: '1234567890' }],
    });
    expect(track.body.result).toEqual([{ error: '', posting_number: pn, result: true }]);
    expect((await get(sb, pn)).tracking_number).toBe('1234567890');
    clock.advance(2 * HOUR);
    expect(await get(sb, pn)).toMatchObject({
      status: 'delivering',
      substatus: 'posting_transferred_to_courier_service',
    });
    expect((await get(sb, pn)).available_actions).toContain('click_track_number');
    clock.advance(24 * HOUR);
    expect((await get(sb, pn)).status).toBe('delivered');
    clock.advance(6 * HOUR);
    const acc = await call(sb, '/v1/finance/accrual/postings', { posting_numbers: [pn] });
    expect(acc.body.posting_accruals[0].accruals.length).toBeGreaterThan(0);
    await waitFor(() => statesOf(rx.got, pn).length === 3);
    expect(statesOf(rx.got, pn)).toEqual([
      'posting_transferring_to_delivery',
      'posting_transferred_to_courier_service',
      'posting_delivered',
    ]);
  });

  it('non_integrated: delivering -> last-mile -> delivered, delivering -> delivered, wrong orders refused', async () => {
    const { sb, clock } = await start();
    const a = sb.createPosting({ schema: 'rfbs', tpl: 'non_integrated' }).posting_number;
    const b = sb.createPosting({ schema: 'rfbs' }).posting_number;
    for (const pn of [a, b]) await call(sb, '/v4/posting/fbs/ship', shipBody(await get(sb, pn)));
    clock.advance(30_000);
    expect((await get(sb, a)).tpl_integration_type).toBe('non_integrated');
    expect((await statusCall(sb, '/v2/fbs/posting/last-mile', a)).error).toBe('TRANSITION_IS_NOT_POSSIBLE');

    for (const pn of [a, b]) expect((await statusCall(sb, '/v2/fbs/posting/delivering', pn)).result).toBe(true);
    expect((await statusCall(sb, '/v2/fbs/posting/last-mile', a)).result).toBe(true);
    expect(await get(sb, a)).toMatchObject({ status: 'delivering', substatus: 'posting_in_courier_service' });
    expect((await get(sb, a)).available_actions).not.toContain('non_int_last_mile');
    expect((await statusCall(sb, '/v2/fbs/posting/last-mile', a)).error).toBe('TRANSITION_IS_NOT_POSSIBLE');
    expect((await statusCall(sb, '/v2/fbs/posting/delivered', a)).result).toBe(true);
    expect((await statusCall(sb, '/v2/fbs/posting/delivered', b)).result).toBe(true); // last mile is optional
    expect([(await get(sb, a)).status, (await get(sb, b)).status]).toEqual(['delivered', 'delivered']);
    expect((await statusCall(sb, '/v2/fbs/posting/last-mile', b)).error).toBe('TRANSITION_IS_NOT_POSSIBLE');
  });

  it('adopted carrier postings move on by themselves', async () => {
    const { sb, clock } = await start();
    const agg = sb.createPosting({ schema: 'rfbs', tpl: 'aggregator', startAt: 'awaiting_deliver' }).posting_number;
    const tpl3 = sb.createPosting({ schema: 'rfbs', tpl: '3pl_tracking', startAt: 'delivering' }).posting_number;
    const waiting = sb.createPosting({
      schema: 'rfbs',
      tpl: '3pl_tracking',
      startAt: 'awaiting_deliver',
    }).posting_number;
    expect(await get(sb, agg)).toMatchObject({ status: 'awaiting_deliver', substatus: 'posting_registered' });
    expect((await get(sb, agg)).tracking_number).toMatch(/^BB\d{12}$/);
    clock.advance(2 * HOUR);
    expect((await get(sb, agg)).status).toBe('delivering');
    expect((await get(sb, waiting)).status).toBe('awaiting_deliver');
    clock.advance(24 * HOUR);
    expect([(await get(sb, agg)).status, (await get(sb, tpl3)).status]).toEqual(['delivered', 'delivered']);
  });

  it('refuses misuse of the test hook', async () => {
    const { sb } = await start();
    expect(() => sb.createPosting({ tpl: 'aggregator' })).toThrow(/schema: 'rfbs'/);
    expect(() => sb.createPosting({ schema: 'rfbs', registrationFails: true })).toThrow(/aggregator/);
    expect(() => sb.createPosting({ schema: 'rfbs', tpl: '3pl_tracking', cutoffRequired: true })).toThrow(
      /non_integrated/,
    );
    expect(() => sb.createPosting({ awaitingApproveMs: 1, startAt: 'awaiting_deliver' })).toThrow(/startAt/);
  });
});

describe('awaitingApproveMs', () => {
  it('created at awaiting_approve (pushed, reserved), ship refused, awaiting_packaging after the delay', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    sb.setStock(FBS_WH, 'MUG-350-WHT', 5);
    const pn = sb.createPosting({
      awaitingApproveMs: HOUR,
      lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }],
    }).posting_number;
    await waitFor(() => rx.got.length === 1);
    expect(rx.got[0]).toMatchObject({ message_type: 'TYPE_NEW_POSTING', posting_number: pn });
    const p0 = await get(sb, pn);
    expect(p0).toMatchObject({ status: 'awaiting_approve', substatus: 'posting_created' });
    expect(p0.available_actions).toEqual(['cancel', 'can_create_chat']);
    expect(sb.stockOf(FBS_WH, 'MUG-350-WHT')).toEqual({ present: 5, reserved: 2, free: 3 });
    const unfulfilled = await call(sb, '/v4/posting/fbs/unfulfilled/list', {
      filter: { statuses: ['awaiting_approve'] },
    });
    expect(unfulfilled.body.postings.map((p: Json) => p.posting_number)).toEqual([pn]);

    const ship = await call(sb, '/v4/posting/fbs/ship', shipBody(p0));
    expect([ship.status, ship.body]).toEqual([400, { code: 3, message: 'HAS_INCORRECT_STATUS', details: [] }]);

    clock.advance(HOUR - 1);
    expect((await get(sb, pn)).status).toBe('awaiting_approve');
    clock.advance(1);
    const p1 = await get(sb, pn);
    expect(p1).toMatchObject({ status: 'awaiting_packaging', substatus: 'posting_created' });
    expect(p1.available_actions).toContain('ship');
    await waitFor(() => rx.got.length === 2);
    expect(rx.got[1]).toMatchObject({
      message_type: 'TYPE_STATE_CHANGED',
      posting_number: pn,
      new_state: 'posting_created',
      changed_state_date: iso(clock.now()),
    });
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(p1))).status).toBe(200);
    clock.advance(30_000);
    expect((await get(sb, pn)).status).toBe('awaiting_deliver');
  });

  it('a seller cancellation while awaiting_approve is not after ship and gives the stock back', async () => {
    const { sb } = await start({ initialStock: 4 });
    const pn = sb.createPosting({
      awaitingApproveMs: HOUR,
      lines: [{ offer_id: 'TEA-GRN-100', quantity: 1 }],
    }).posting_number;
    expect(sb.stockOf(FBS_WH, 'TEA-GRN-100').free).toBe(3);
    const r = await call(sb, '/v2/posting/fbs/cancel', { posting_number: pn, cancel_reason_id: 352 });
    expect(r.body).toEqual({ result: true });
    expect((await get(sb, pn)).cancellation).toMatchObject({ cancel_reason_id: 352, cancelled_after_ship: false });
    expect(sb.stockOf(FBS_WH, 'TEA-GRN-100').free).toBe(4);
  });
});

describe('/v1/posting/cutoff/set', () => {
  it('sets the shipment date of a non_integrated posting while set_cutoff is pending, refuses the rest', async () => {
    const { sb, clock } = await start();
    const pn = sb.createPosting({ schema: 'rfbs', cutoffRequired: true }).posting_number;
    const fbs = sb.createPosting().posting_number;
    const tpl3 = sb.createPosting({ schema: 'rfbs', tpl: '3pl_tracking' }).posting_number;
    const plain = sb.createPosting({ schema: 'rfbs' }).posting_number;
    expect((await get(sb, pn)).available_actions).toContain('set_cutoff');
    expect((await get(sb, plain)).available_actions).not.toContain('set_cutoff');

    const cutoff = (posting_number: string, new_cutoff_date: unknown) =>
      call(sb, '/v1/posting/cutoff/set', { posting_number, new_cutoff_date });
    const err = (status: number, code: number, message: string) => [status, { code, message, details: [] }];
    const bad = await call(sb, '/v1/posting/cutoff/set', { posting_number: pn });
    expect([bad.status, bad.body.code, bad.body.message]).toEqual([
      400,
      3,
      expect.stringMatching(/^invalid request payload: new_cutoff_date/),
    ]);
    expect((await cutoff(pn, 'tomorrow')).status).toBe(400);
    const future = iso(clock.now() + 30 * HOUR);
    const r404 = await cutoff('11111111-0001-1', future);
    expect([r404.status, r404.body]).toEqual(err(404, 5, 'POSTING_NOT_FOUND'));
    const rFbs = await cutoff(fbs, future);
    expect([rFbs.status, rFbs.body]).toEqual(err(400, 3, 'HAS_INCORRECT_TPL_INTEGRATION_TYPE'));
    expect((await cutoff(tpl3, future)).body.message).toBe('HAS_INCORRECT_TPL_INTEGRATION_TYPE');
    expect((await cutoff(plain, future)).body).toEqual(err(400, 3, 'SET_CUTOFF_NOT_AVAILABLE')[1]);
    const past = await cutoff(pn, iso(clock.now() - 1000));
    expect([past.status, past.body]).toEqual(err(400, 3, 'outdated'));
    expect((await get(sb, pn)).available_actions).toContain('set_cutoff');

    const ok = await cutoff(pn, future);
    expect([ok.status, ok.body]).toEqual([200, { result: true }]);
    const p1 = await get(sb, pn);
    expect(p1.shipment_date).toBe(future);
    expect(p1.available_actions).not.toContain('set_cutoff');
    expect((await cutoff(pn, future)).body.message).toBe('SET_CUTOFF_NOT_AVAILABLE');
  });

  it('does not block ship while set_cutoff is pending; the action goes at hand-over', async () => {
    const { sb, clock } = await start();
    const pn = sb.createPosting({ schema: 'rfbs', cutoffRequired: true }).posting_number;
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(await get(sb, pn)))).status).toBe(200);
    clock.advance(30_000);
    expect((await get(sb, pn)).available_actions).toContain('set_cutoff');
    await call(sb, '/v2/fbs/posting/delivering', { posting_number: [pn] });
    expect((await get(sb, pn)).available_actions).not.toContain('set_cutoff');
  });
});

describe('split on ship', () => {
  it('one posting per package; parent cancelled_from_split_pending; children assembled and delivered', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    sb.setStock(FBS_WH, 'MUG-350-WHT', 10);
    sb.setStock(FBS_WH, 'TEA-GRN-100', 10);
    const parent = sb.createPosting({
      lines: [
        { offer_id: 'MUG-350-WHT', quantity: 3 },
        { offer_id: 'TEA-GRN-100', quantity: 1 },
      ],
      payoutSkew: -10,
    }).posting_number;
    await waitFor(() => rx.got.length === 1);
    const before = [sb.stockOf(FBS_WH, 'MUG-350-WHT'), sb.stockOf(FBS_WH, 'TEA-GRN-100')];
    expect(before).toEqual([
      { present: 10, reserved: 3, free: 7 },
      { present: 10, reserved: 1, free: 9 },
    ]);
    const p0 = await get(sb, parent, { financial_data: true });
    const order = p0.order_number as string;

    const ship = await call(sb, '/v4/posting/fbs/ship', {
      posting_number: parent,
      packages: [
        { products: [{ product_id: MUG, quantity: 2 }] },
        {
          products: [
            { product_id: MUG, quantity: 1 },
            { product_id: TEA, quantity: 1 },
          ],
        },
      ],
      with: { additional_data: true },
    });
    expect(ship.status).toBe(200);
    const [c1, c2] = ship.body.result as [string, string];
    expect(ship.body.result).toEqual([`${order}-2`, `${order}-3`]);
    expect(ship.body.additional_data.map((d: Json) => d.posting_number)).toEqual([c1, c2]);

    const par = await get(sb, parent, { related_postings: true });
    expect(par).toMatchObject({
      status: 'cancelled_from_split_pending',
      substatus: 'posting_split_pending',
      parent_posting_number: '',
      cancellation: { cancel_reason_id: 0, cancellation_type: '' },
      available_actions: [],
      related_postings: { related_posting_numbers: [c1, c2] },
    });
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(p0))).body.message).toBe('POSTING_ALREADY_CANCELLED');
    expect((await call(sb, '/v1/posting/fbs/cancel-reason', { related_posting_numbers: [parent] })).body).toEqual({
      result: [{ posting_number: parent, reasons: [] }],
    });

    for (const [pn, lines] of [
      [c1, [[MUG, 2]]],
      [
        c2,
        [
          [MUG, 1],
          [TEA, 1],
        ],
      ],
    ] as const) {
      const c = await get(sb, pn, { financial_data: true, related_postings: true });
      expect(c).toMatchObject({
        parent_posting_number: parent,
        order_id: p0.order_id,
        order_number: order,
        status: 'awaiting_packaging',
        substatus: 'posting_created',
        previous_substatus: 'posting_split_pending',
        in_process_at: p0.in_process_at,
        shipment_date: p0.shipment_date,
        delivery_method: p0.delivery_method,
        tpl_integration_type: 'ozon',
      });
      expect(c.available_actions).toContain('ship_async_in_process');
      expect(c.products.map((x: Json) => [x.sku, x.quantity])).toEqual(lines);
      expect(c.financial_data.products.map((x: Json) => [x.product_id, x.quantity])).toEqual(lines);
      expect(c.related_postings.related_posting_numbers).toEqual([c1, c2].filter((x) => x !== pn));
    }
    // the parent's reservation passed to the children
    expect([sb.stockOf(FBS_WH, 'MUG-350-WHT'), sb.stockOf(FBS_WH, 'TEA-GRN-100')]).toEqual(before);

    const unfulfilled = await call(sb, '/v4/posting/fbs/unfulfilled/list', {});
    expect(unfulfilled.body.postings.map((p: Json) => p.posting_number).sort()).toEqual([c1, c2].sort());
    const list = await call(sb, '/v4/posting/fbs/list', { limit: 10, filter: LIST_PERIOD });
    const byNumber = new Map(list.body.postings.map((p: Json) => [p.posting_number, p]));
    expect([...byNumber.keys()].sort()).toEqual([parent, c1, c2].sort());
    expect(byNumber.get(c1)).toMatchObject({ parent_posting_number: parent, status: 'awaiting_packaging' });
    expect(byNumber.get(parent)).toMatchObject({ status: 'cancelled_from_split_pending' });

    clock.advance(30_000);
    for (const pn of [c1, c2])
      expect(await get(sb, pn)).toMatchObject({
        status: 'awaiting_deliver',
        substatus: 'posting_transferring_to_delivery',
      });
    clock.advance(2 * HOUR);
    expect(sb.stockOf(FBS_WH, 'MUG-350-WHT')).toEqual({ present: 7, reserved: 0, free: 7 });
    clock.advance(24 * HOUR + 6 * HOUR);
    const acc = await call(sb, '/v1/finance/accrual/postings', { posting_numbers: [parent, c1, c2] });
    const accruals = new Map<string, Json[]>(
      acc.body.posting_accruals.map((a: Json) => [a.posting_number, a.accruals as Json[]]),
    );
    expect(accruals.get(parent)).toEqual([]);
    const total = (pn: string) =>
      (accruals.get(pn) ?? []).reduce((s: number, a: Json) => s + Number(a.accrued.amount), 0);
    expect(total(c1)).toBeCloseTo(980 - 147 - 10, 2); // 2 mugs less 15 %, and the order's payout skew
    expect(total(c2)).toBeCloseTo(819 - 122.85, 2);
    for (const pn of [c1, c2]) expect((await get(sb, pn)).status).toBe('delivered');

    await waitFor(() => statesOf(rx.got, c2).length === 3 && statesOf(rx.got, c1).length === 3);
    expect(rx.got.filter((g) => g.message_type === 'TYPE_NEW_POSTING').map((g) => g.posting_number)).toEqual([parent]);
    expect(statesOf(rx.got, parent)).toEqual(['posting_split_pending']);
    expect(rx.got.some((g) => g.message_type === 'TYPE_POSTING_CANCELLED')).toBe(false);
    expect(statesOf(rx.got, c1)).toEqual([
      'posting_transferring_to_delivery',
      'posting_on_way_to_city',
      'posting_delivered',
    ]);
  });

  it('refuses packages that do not add up, and splits of postings with marks or boxes; rFBS aggregator children register', async () => {
    const { sb, clock } = await start();
    const pn = sb.createPosting({ lines: [{ offer_id: 'MUG-350-WHT', quantity: 3 }] }).posting_number;
    const short = await call(sb, '/v4/posting/fbs/ship', {
      posting_number: pn,
      packages: [{ products: [{ product_id: MUG, quantity: 1 }] }, { products: [{ product_id: MUG, quantity: 1 }] }],
    });
    expect([short.status, short.body]).toEqual([
      400,
      { code: 3, message: 'HAS_INCORRECT_PRODUCT_QUANTITY', details: [] },
    ]);
    const extra = await call(sb, '/v4/posting/fbs/ship', {
      posting_number: pn,
      packages: [{ products: [{ product_id: MUG, quantity: 3 }] }, { products: [{ product_id: TEA, quantity: 1 }] }],
    });
    expect(extra.body.message).toBe('HAS_INCORRECT_PRODUCT_QUANTITY');
    expect((await get(sb, pn)).status).toBe('awaiting_packaging');

    const marks = sb.createPosting({ marksRequired: true, lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }] });
    const boxes = sb.createPosting({ is_multibox: true, lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }] });
    for (const { posting_number } of [marks, boxes]) {
      const r = await call(sb, '/v4/posting/fbs/ship', {
        posting_number,
        packages: [{ products: [{ product_id: MUG, quantity: 1 }] }, { products: [{ product_id: MUG, quantity: 1 }] }],
      });
      expect(r.body.message).toMatch(/^sandbox: splitting a posting with marking codes or a multi-box product/);
    }

    const agg = sb.createPosting({
      schema: 'rfbs',
      tpl: 'aggregator',
      lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }],
    }).posting_number;
    const split = await call(sb, '/v4/posting/fbs/ship', {
      posting_number: agg,
      packages: [{ products: [{ product_id: MUG, quantity: 1 }] }, { products: [{ product_id: MUG, quantity: 1 }] }],
    });
    const children = split.body.result as string[];
    clock.advance(30_000);
    for (const c of children)
      expect(await get(sb, c)).toMatchObject({ status: 'awaiting_registration', tpl_integration_type: 'aggregator' });
    clock.advance(20 * MINUTE);
    const numbers = await Promise.all(children.map(async (c) => (await get(sb, c)).tracking_number));
    expect(new Set(numbers).size).toBe(2);
  });
});

describe('/v1/posting/fbs/restrictions', () => {
  it('answers the warehouse defaults, the per-posting override; refuses rFBS and unknown postings', async () => {
    const { sb } = await start();
    const plain = sb.createPosting().posting_number;
    const custom = sb.createPosting({ dropoffLimits: { max_posting_weight: 10_000, width: 30 } }).posting_number;
    const rfbs = sb.createPosting({ schema: 'rfbs' }).posting_number;

    const r = await call(sb, '/v1/posting/fbs/restrictions', { posting_number: plain });
    expect([r.status, r.body]).toEqual([
      200,
      {
        result: {
          posting_number: plain,
          max_posting_weight: 25_000,
          min_posting_weight: 0,
          width: 60,
          length: 40,
          height: 40,
          max_posting_price: 500_000,
          min_posting_price: 0,
        },
      },
    ]);
    expect((await call(sb, '/v1/posting/fbs/restrictions', { posting_number: custom })).body.result).toEqual({
      ...DEFAULT_DROPOFF_LIMITS,
      posting_number: custom,
      max_posting_weight: 10_000,
      width: 30,
    });
    const refused = await call(sb, '/v1/posting/fbs/restrictions', { posting_number: rfbs });
    expect([refused.status, refused.body]).toEqual([
      400,
      { code: 3, message: 'HAS_INCORRECT_TPL_INTEGRATION_TYPE', details: [] },
    ]);
    const unknown = await call(sb, '/v1/posting/fbs/restrictions', { posting_number: '11111111-0001-1' });
    expect([unknown.status, unknown.body]).toEqual([404, { code: 5, message: 'POSTING_NOT_FOUND', details: [] }]);
    expect((await call(sb, '/v1/posting/fbs/restrictions', {})).status).toBe(400);
  });

  it('takes a warehouse’s own limits', async () => {
    const warehouses = DEFAULT_WAREHOUSES.map((w) =>
      w.is_rfbs ? w : { ...w, dropoffLimits: { max_posting_price: 100_000, height: 80 } },
    );
    const { sb } = await start({ warehouses });
    const pn = sb.createPosting({ dropoffLimits: { height: 50 } }).posting_number;
    expect((await call(sb, '/v1/posting/fbs/restrictions', { posting_number: pn })).body.result).toMatchObject({
      max_posting_price: 100_000,
      height: 50,
      width: 60,
    });
  });
});

describe('tariffication (tariffSteps)', () => {
  it('renders the current and next step from the simulated clock in v3 get and v4 lists', async () => {
    const { sb, clock } = await start();
    const pn = sb.createPosting({
      lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }], // 980 RUB
      shipmentSlaMs: 2 * HOUR,
      tariffSteps: [
        { afterShipmentMs: 0, rate: 1 },
        { afterShipmentMs: 12 * HOUR, rate: 2.5 },
      ],
    }).posting_number;
    const plain = sb.createPosting().posting_number;
    const ship = clock.now() + 2 * HOUR;
    const v4 = async (posting: string) => {
      const r = await call(sb, '/v4/posting/fbs/list', { limit: 10, filter: LIST_PERIOD });
      return (r.body.postings as Json[]).find((p) => p.posting_number === posting) as Json;
    };

    const p0 = await get(sb, pn);
    expect(p0.tariffication).toEqual({
      current_tariff_rate: 0,
      current_tariff_type: 'no_discount',
      current_tariff_charge: '0.00',
      current_tariff_charge_currency_code: 'RUB',
      next_tariff_rate: 1,
      next_tariff_type: 'commission',
      next_tariff_charge: '9.80',
      next_tariff_starts_at: iso(ship),
      next_tariff_charge_currency_code: 'RUB',
    });
    expect(p0.tariffication_steps).toEqual([
      {
        min_charge: null,
        tariff_charge: { amount: '0.00', currency: 'RUB' },
        tariff_deadline_at: iso(ship),
        tariff_rate: 0,
        tariff_type: 'no_discount',
      },
      {
        min_charge: null,
        tariff_charge: { amount: '9.80', currency: 'RUB' },
        tariff_deadline_at: iso(ship + 12 * HOUR),
        tariff_rate: 1,
        tariff_type: 'commission',
      },
      {
        min_charge: null,
        tariff_charge: { amount: '24.50', currency: 'RUB' },
        tariff_deadline_at: '9999-12-31T23:59:59.999Z',
        tariff_rate: 2.5,
        tariff_type: 'commission',
      },
    ]);
    expect((await v4(pn)).tariffication).toEqual({
      current_tariff_rate: 0,
      current_tariff_type: 'no_discount',
      current_tariff_charge: { amount: '0.00', currency: 'RUB' },
      next_tariff_rate: 1,
      next_tariff_type: 'commission',
      next_tariff_charge: { amount: '9.80', currency: 'RUB' },
      next_tariff_starts_at: iso(ship),
    });

    clock.advance(2 * HOUR);
    expect(await get(sb, pn)).toMatchObject({
      tariffication: {
        current_tariff_rate: 1,
        current_tariff_type: 'commission',
        current_tariff_charge: '9.80',
        next_tariff_rate: 2.5,
        next_tariff_charge: '24.50',
        next_tariff_starts_at: iso(ship + 12 * HOUR),
      },
    });
    expect((await v4(pn)).tariffication).toMatchObject({
      current_tariff_rate: 1,
      next_tariff_rate: 2.5,
      next_tariff_starts_at: iso(ship + 12 * HOUR),
    });

    clock.advance(12 * HOUR);
    expect((await get(sb, pn)).tariffication).toEqual({
      current_tariff_rate: 2.5,
      current_tariff_type: 'commission',
      current_tariff_charge: '24.50',
      current_tariff_charge_currency_code: 'RUB',
      next_tariff_rate: 0,
      next_tariff_type: '',
      next_tariff_charge: '',
      next_tariff_starts_at: null,
      next_tariff_charge_currency_code: '',
    });
    expect((await v4(pn)).tariffication).toMatchObject({
      current_tariff_rate: 2.5,
      next_tariff_type: '',
      next_tariff_charge: { amount: '0.00', currency: 'RUB' },
      next_tariff_starts_at: null,
    });

    // without the option: the tariffication the sandbox always rendered
    const p = await get(sb, plain);
    expect(p.tariffication).toMatchObject({ current_tariff_type: '', next_tariff_starts_at: p.shipment_date });
    expect(p.tariffication_steps).toEqual([]);
  });
});

describe('state file round-trip of the new fields', () => {
  it('restores tpl, registration, approval, cutoff, split, tariff steps and drop-off limits, and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ozon-sandbox-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'state.json');
    const { sb: a, clock: clockA } = await start({ stateFile: file, timing: { registration: 10 * MINUTE } });
    const agg = a.createPosting({ schema: 'rfbs', tpl: 'aggregator' }).posting_number;
    const failing = a.createPosting({ schema: 'rfbs', tpl: 'aggregator', registrationFails: true }).posting_number;
    const tpl3 = a.createPosting({ schema: 'rfbs', tpl: '3pl_tracking' }).posting_number;
    const approve = a.createPosting({ awaitingApproveMs: HOUR }).posting_number;
    const cutoff = a.createPosting({ schema: 'rfbs', cutoffRequired: true }).posting_number;
    const tariff = a.createPosting({
      tariffSteps: [{ afterShipmentMs: HOUR, rate: 3 }],
      dropoffLimits: { width: 11 },
    }).posting_number;
    const parent = a.createPosting({ lines: [{ offer_id: 'KETTLE-17L', quantity: 2 }] }).posting_number;
    for (const pn of [agg, failing, tpl3]) await call(a, '/v4/posting/fbs/ship', shipBody(await get(a, pn)));
    const split = await call(a, '/v4/posting/fbs/ship', {
      posting_number: parent,
      packages: [
        { products: [{ product_id: 1473290080, quantity: 1 }] },
        { products: [{ product_id: 1473290080, quantity: 1 }] },
      ],
    });
    const children = split.body.result as string[];
    clockA.advance(30_000);
    await call(a, '/v2/fbs/posting/tracking-number/set', {
      tracking_numbers: [{ posting_number: tpl3, tracking_number: 'CDEK-1' }],
    });

    const killed = join(dir, 'killed.json');
    copyFileSync(file, killed);
    const saved = JSON.parse(readFileSync(killed, 'utf8')) as Json;
    const find = (state: Json, pn: string) => (state.postings as Json[]).find((p) => p.posting_number === pn) as Json;
    expect(find(saved, agg)).toMatchObject({
      tpl: 'aggregator',
      status: 'awaiting_registration',
      pending: [{ kind: 'registered' }],
    });
    expect(find(saved, failing).registrationFails).toBe(true);
    expect(find(saved, approve)).toMatchObject({ status: 'awaiting_approve', pending: [{ kind: 'approved' }] });
    expect(find(saved, cutoff).cutoffPending).toBe(true);
    expect(find(saved, tariff)).toMatchObject({
      tariffSteps: [{ afterShipmentMs: HOUR, rate: 3 }],
      dropoffLimits: { width: 11 },
    });
    expect(find(saved, children[0] as string).parentPostingNumber).toBe(parent);
    expect(find(saved, tpl3).pending).toEqual([{ kind: 'handover', due: clockA.now() + 2 * HOUR }]);

    const clockB = manualClock(saved.savedAt);
    const { sb: b } = await start({ stateFile: killed, clock: clockB, timing: { registration: 10 * MINUTE } });
    expect((b.snapshot() as Json).postings).toEqual(saved.postings);
    for (const pn of [agg, tpl3, approve, cutoff, tariff, parent, ...children])
      expect(await get(b, pn)).toEqual(await get(a, pn));
    expect((await call(b, '/v1/posting/fbs/restrictions', { posting_number: tariff })).body.result.width).toBe(11);

    clockB.advance(HOUR);
    expect(await get(b, agg)).toMatchObject({ status: 'awaiting_deliver', substatus: 'posting_registered' });
    expect((await get(b, failing)).substatus).toBe('posting_registration_error');
    expect((await get(b, approve)).status).toBe('awaiting_packaging');
    clockB.advance(HOUR);
    expect((await get(b, tpl3)).status).toBe('delivering');
    for (const c of children) expect((await get(b, c)).status).toBe('delivering');

    // a file written before these fields existed still restores, with the defaults
    const old = JSON.parse(readFileSync(killed, 'utf8')) as Json;
    for (const p of old.postings as Json[]) {
      for (const k of [
        'tpl',
        'registrationFails',
        'cutoffPending',
        'parentPostingNumber',
        'tariffSteps',
        'dropoffLimits',
      ])
        delete p[k];
    }
    const oldFile = join(dir, 'old.json');
    writeFileSync(oldFile, JSON.stringify(old));
    const { sb: c } = await start({ stateFile: oldFile, clock: manualClock(saved.savedAt) });
    const restored = find(c.snapshot() as Json, cutoff);
    expect(restored).toMatchObject({
      registrationFails: false,
      cutoffPending: false,
      parentPostingNumber: '',
      tariffSteps: null,
      dropoffLimits: null,
    });
    expect((await get(c, agg)).tpl_integration_type).toBe('non_integrated');
  });
});
