import { afterEach, describe, expect, it } from 'vitest';
import { PUSH_RETRY_BACKOFF_MS } from '../../sandbox/index.js';
import { call, get, HOUR, type Json, receiver, runCleanups, shipBody, start, waitFor } from './helpers.js';

afterEach(runCleanups);

describe('auth and generic errors', () => {
  it('401 without headers, 403 for a wrong key, 404 for unknown path / posting, 400 on bad payload', async () => {
    const { sb } = await start();
    const noHeaders = await fetch(`${sb.url}/v3/posting/fbs/get`, { method: 'POST', body: '{}' });
    expect(noHeaders.status).toBe(401);
    expect(await noHeaders.json()).toEqual({ code: 16, message: 'Client-Id and Api-Key headers are required' });

    const bad = await call(sb, '/v3/posting/fbs/get', { posting_number: 'x' }, { 'Api-Key': 'nope' });
    expect(bad.status).toBe(403);
    expect(bad.body).toEqual({ code: 7, message: 'Invalid Api-Key, please contact support', details: [] });

    const badClient = await call(sb, '/v1/roles', {}, { 'Client-Id': '999' });
    expect(badClient.status).toBe(403);

    const unknownPath = await call(sb, '/v9/nothing', {});
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.body.code).toBe(5);

    const unknownPosting = await call(sb, '/v3/posting/fbs/get', { posting_number: '11111111-0001-1' });
    expect(unknownPosting.status).toBe(404);
    expect(unknownPosting.body).toEqual({ code: 5, message: 'POSTING_NOT_FOUND', details: [] });

    const invalid = await call(sb, '/v3/posting/fbs/get', { with: {} });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe(3);
    expect(invalid.body.details).toEqual([]);

    const roles = await call(sb, '/v1/roles', {});
    expect(roles.status).toBe(200);
    expect(roles.body.roles.flatMap((r: Json) => r.methods)).toContain('/v4/posting/fbs/ship');
    expect(sb.calls.map((c) => c.status)).toEqual([401, 403, 403, 404, 404, 400, 200]);
  });
});

describe('FBS lifecycle over HTTP with a manual clock', () => {
  it('ship -> awaiting_deliver -> delivering -> delivered -> accruals, with pushes', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const { posting_number: pn } = sb.createPosting({ lines: [{ offer_id: 'BOTTLE-750-STL', quantity: 2 }] });
    await waitFor(() => rx.got.length === 1);
    expect(rx.got[0]).toMatchObject({
      message_type: 'TYPE_NEW_POSTING',
      posting_number: pn,
      products: [{ sku: 1473290059, quantity: 2 }],
      warehouse_id: 1020000075732000,
      seller_id: 123456,
    });
    expect(pn).toMatch(/^\d{8}-\d{4}-1$/);

    const p0 = await get(sb, pn, { financial_data: true, analytics_data: true });
    expect(p0).toMatchObject({
      status: 'awaiting_packaging',
      substatus: 'posting_created',
      tpl_integration_type: 'ozon',
      customer: null,
    });
    expect(p0.available_actions).toContain('ship');
    expect(p0.products[0]).toMatchObject({
      sku: 1473290059,
      offer_id: 'BOTTLE-750-STL',
      price: '1490.00',
      currency_code: 'RUB',
    });
    expect(p0.financial_data.products[0]).toMatchObject({
      product_id: 1473290059,
      commission_percent: 15,
      payout: 2533,
      quantity: 2,
    });
    expect(Date.parse(p0.analytics_data.delivery_date_end) - Date.parse(p0.in_process_at)).toBe(5 * 24 * HOUR);

    const notReady = await call(sb, '/v2/posting/fbs/package-label', { posting_number: [pn] });
    expect(notReady.status).toBe(400);
    expect(notReady.body.message).toBe("The next postings aren't ready");

    const ship = await call(sb, '/v4/posting/fbs/ship', { ...shipBody(p0), with: { additional_data: true } });
    expect(ship.status).toBe(200);
    expect(ship.body.result).toEqual([pn]);
    expect(ship.body.additional_data[0].posting_number).toBe(pn);

    const assembling = await get(sb, pn);
    expect(assembling.status).toBe('awaiting_packaging');
    expect(assembling.available_actions).toContain('ship_async_in_process');

    clock.advance(30_000);
    const p1 = await get(sb, pn);
    expect(p1).toMatchObject({ status: 'awaiting_deliver', substatus: 'posting_transferring_to_delivery' });
    await waitFor(() => rx.got.length === 2);
    expect(rx.got[1]).toMatchObject({
      message_type: 'TYPE_STATE_CHANGED',
      posting_number: pn,
      new_state: 'posting_transferring_to_delivery',
      changed_state_date: new Date(clock.now()).toISOString(),
      warehouse_id: 1020000075732000,
    });

    const label = await call(sb, '/v2/posting/fbs/package-label', { posting_number: [pn] });
    expect(label.status).toBe(200);
    expect(label.ct).toBe('application/pdf');
    const pdf = (label.body as unknown as Buffer).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(pdf).toContain(pn);
    const xrefAt = Number(/startxref\n(\d+)/.exec(pdf)?.[1]);
    expect(pdf.slice(xrefAt, xrefAt + 4)).toBe('xref');

    clock.advance(2 * HOUR);
    expect((await get(sb, pn)).status).toBe('delivering');
    expect((await get(sb, pn)).delivering_date).toBe(new Date(clock.now()).toISOString());
    clock.advance(24 * HOUR);
    expect((await get(sb, pn)).status).toBe('delivered');
    await waitFor(() => rx.got.length === 4);
    expect(rx.got.slice(2).map((b) => b.new_state)).toEqual(['posting_on_way_to_city', 'posting_delivered']);

    const before = await call(sb, '/v1/finance/accrual/postings', { posting_numbers: [pn] });
    expect(before.body).toEqual({ posting_accruals: [{ posting_number: pn, accruals: [] }] });
    clock.advance(6 * HOUR);
    const after = await call(sb, '/v1/finance/accrual/postings', { posting_numbers: [pn] });
    const accruals = after.body.posting_accruals[0].accruals as Json[];
    expect(accruals.length).toBe(2);
    expect(accruals[0]).toMatchObject({
      type_id: 1,
      sku: 1473290059,
      quantity: 2,
      accrued: { amount: '2980.00', currency: 'RUB' },
    });
    const total = accruals.reduce((s, a) => s + Number(a.accrued.amount), 0);
    expect(total).toBeCloseTo(2533, 2);
  });

  it('20 postings at once all reach delivered and accruals on defaults', async () => {
    const { sb, clock } = await start();
    const pns = Array.from({ length: 20 }, () => sb.createPosting().posting_number);
    expect(new Set(pns).size).toBe(20);
    for (const pn of pns)
      expect((await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json))).status).toBe(200);
    clock.advance(3 * 24 * HOUR);
    for (const pn of pns) expect((sb.posting(pn) as Json).status).toBe('delivered');
    const acc = await call(sb, '/v1/finance/accrual/postings', { posting_numbers: pns });
    for (const pa of acc.body.posting_accruals as Json[]) {
      const fin = (sb.posting(pa.posting_number) as Json).financial_data.products as Json[];
      const expected = fin.reduce((s, f) => s + f.payout, 0);
      const total = (pa.accruals as Json[]).reduce((s, a) => s + Number(a.accrued.amount), 0);
      expect(total).toBeCloseTo(expected, 2);
    }
  });

  it('payoutSkew, noAccruals, stall and buyer cancellation', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const skew = sb.createPosting({ payoutSkew: -50 }).posting_number;
    const none = sb.createPosting({ noAccruals: true }).posting_number;
    const stall = sb.createPosting({ stall: true }).posting_number;
    const buyer = sb.createPosting({ cancelByBuyerAfterMs: HOUR }).posting_number;
    for (const pn of [skew, none, stall, buyer])
      await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json));
    clock.advance(10 * 24 * HOUR);
    expect((sb.posting(stall) as Json).status).toBe('delivering');
    const b = sb.posting(buyer) as Json;
    expect(b.status).toBe('cancelled');
    expect(b.cancellation).toMatchObject({
      cancellation_type: 'client',
      cancel_reason_id: 507,
      cancelled_after_ship: true,
    });
    const acc = await call(sb, '/v1/finance/accrual/postings', { posting_numbers: [skew, none] });
    const [a1, a2] = acc.body.posting_accruals as [Json, Json];
    const expected = ((sb.posting(skew) as Json).financial_data.products as Json[]).reduce((s, f) => s + f.payout, 0);
    expect((a1.accruals as Json[]).reduce((s, a) => s + Number(a.accrued.amount), 0)).toBeCloseTo(expected - 50, 2);
    expect(a2.accruals).toEqual([]);
    await waitFor(() => rx.got.some((g) => g.message_type === 'TYPE_POSTING_CANCELLED'));
    expect(rx.got.find((g) => g.message_type === 'TYPE_POSTING_CANCELLED')).toMatchObject({
      posting_number: buyer,
      old_state: 'posting_transferring_to_delivery',
      new_state: 'posting_canceled',
      reason: { id: 507 },
    });
  });
});

describe('ship errors', () => {
  it('rejects wrong quantities, unknown products, repeats, cancelled postings and missing marks', async () => {
    const { sb, clock } = await start();
    const { posting_number: pn } = sb.createPosting({ lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }] });
    const wrongQty = await call(sb, '/v4/posting/fbs/ship', {
      posting_number: pn,
      packages: [{ products: [{ product_id: 1473290011, quantity: 1 }] }],
    });
    expect(wrongQty.status).toBe(400);
    expect(wrongQty.body).toEqual({ code: 3, message: 'HAS_INCORRECT_PRODUCT_QUANTITY', details: [] });
    const otherSku = await call(sb, '/v4/posting/fbs/ship', {
      posting_number: pn,
      packages: [{ products: [{ product_id: 1473290028, quantity: 2 }] }],
    });
    expect(otherSku.body.message).toBe('HAS_INCORRECT_PRODUCT_QUANTITY');
    const unknown = await call(sb, '/v4/posting/fbs/ship', {
      posting_number: pn,
      packages: [{ products: [{ product_id: 42, quantity: 2 }] }],
    });
    expect(unknown.body.message).toBe('UNKNOWN_PRODUCT_DEFINED');

    const ok = await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json));
    expect(ok.status).toBe(200);
    const again = await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json));
    expect(again.body.message).toBe('POSTING_ALREADY_SHIPPED');
    clock.advance(30_000);
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json))).body.message).toBe(
      'POSTING_ALREADY_SHIPPED',
    );

    const c = sb.createPosting().posting_number;
    const reasons = await call(sb, '/v1/posting/fbs/cancel-reason', { related_posting_numbers: [c] });
    expect(reasons.body.result[0].reasons.map((r: Json) => r.id)).toEqual([352, 400, 402]);
    expect((await call(sb, '/v2/posting/fbs/cancel', { posting_number: c, cancel_reason_id: 1 })).body.message).toBe(
      'HAS_INCORRECT_CANCEL_REASON',
    );
    const cancel = await call(sb, '/v2/posting/fbs/cancel', {
      posting_number: c,
      cancel_reason_id: 352,
      cancel_reason_message: '',
    });
    expect(cancel.body).toEqual({ result: true });
    expect((sb.posting(c) as Json).cancellation).toMatchObject({ cancellation_type: 'seller', cancel_reason_id: 352 });
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(c) as Json))).body.message).toBe(
      'POSTING_ALREADY_CANCELLED',
    );

    const marks = sb.createPosting({ marksRequired: true }).posting_number;
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(marks) as Json))).body.message).toBe(
      'EXEMPLAR_INFO_NOT_FILLED_COMPLETELY',
    );
    expect((sb.posting(marks) as Json).requirements.products_requiring_mandatory_mark.length).toBeGreaterThan(0);
  });

  it('shipFailsOnce: first assembly ends in ship_failed, the retry succeeds', async () => {
    const { sb, clock } = await start();
    const pn = sb.createPosting({ shipFailsOnce: true }).posting_number;
    await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json));
    clock.advance(30_000);
    const failed = await get(sb, pn);
    expect(failed).toMatchObject({ status: 'awaiting_packaging', substatus: 'ship_failed' });
    expect(failed.available_actions).toContain('ship_async_retry');
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(failed))).status).toBe(200);
    clock.advance(30_000);
    expect((await get(sb, pn)).status).toBe('awaiting_deliver');
  });

  it('partial cancel removes quantities', async () => {
    const { sb } = await start();
    const pn = sb.createPosting({
      lines: [
        { offer_id: 'MUG-350-WHT', quantity: 3 },
        { offer_id: 'TEA-GRN-100', quantity: 1 },
      ],
    }).posting_number;
    const r = await call(sb, '/v2/posting/fbs/product/cancel', {
      posting_number: pn,
      cancel_reason_id: 352,
      cancel_reason_message: 'out of stock',
      items: [
        { sku: 1473290011, quantity: 1 },
        { sku: 1473290028, quantity: 1 },
      ],
    });
    expect(r.body).toEqual({ result: pn });
    expect((sb.posting(pn) as Json).products.map((p: Json) => [p.sku, p.quantity])).toEqual([[1473290011, 2]]);
  });
});

describe('rFBS non_integrated', () => {
  it('tracking-number/set, delivering, last-mile, delivered; FBS postings are refused', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const pn = sb.createPosting({ schema: 'rfbs' }).posting_number;
    const fbs = sb.createPosting().posting_number;
    const p0 = await get(sb, pn, { analytics_data: true });
    expect(p0.tpl_integration_type).toBe('non_integrated');
    expect(p0.delivery_method.warehouse_id).toBe(1020000075733000);
    expect(Date.parse(p0.analytics_data.delivery_date_end) - Date.parse(p0.in_process_at)).toBe(20 * 24 * HOUR);

    const early = await call(sb, '/v2/fbs/posting/delivering', { posting_number: [pn] });
    expect(early.body).toEqual({
      result: [{ error: 'TRANSITION_IS_NOT_POSSIBLE', posting_number: pn, result: false }],
    });

    await call(sb, '/v4/posting/fbs/ship', shipBody(p0));
    clock.advance(30_000);
    expect((await get(sb, pn)).available_actions).toEqual(
      expect.arrayContaining(['set_track_number', 'non_int_delivering']),
    );

    const track = await call(sb, '/v2/fbs/posting/tracking-number/set', {
      tracking_numbers: [
        { posting_number: pn, tracking_number: 'TRK-1' },
        { posting_number: fbs, tracking_number: 'TRK-2' },
      ],
    });
    expect(track.body.result).toEqual([
      { error: '', posting_number: pn, result: true },
      { error: 'HAS_INCORRECT_TPL_INTEGRATION_TYPE', posting_number: fbs, result: false },
    ]);
    expect((await get(sb, pn)).tracking_number).toBe('TRK-1');

    expect((await call(sb, '/v2/fbs/posting/delivered', { posting_number: [pn] })).body.result[0].error).toBe(
      'TRANSITION_IS_NOT_POSSIBLE',
    );
    expect((await call(sb, '/v2/fbs/posting/delivering', { posting_number: [pn] })).body.result[0].result).toBe(true);
    expect(await get(sb, pn)).toMatchObject({ status: 'delivering' });
    expect((await call(sb, '/v2/fbs/posting/last-mile', { posting_number: [pn] })).body.result[0].result).toBe(true);
    expect(await get(sb, pn)).toMatchObject({ status: 'delivering', substatus: 'posting_in_courier_service' });

    clock.advance(30 * 24 * HOUR); // rFBS never advances by itself
    expect((await get(sb, pn)).status).toBe('delivering');
    expect((await call(sb, '/v2/fbs/posting/delivered', { posting_number: [pn] })).body.result[0].result).toBe(true);
    expect((await get(sb, pn)).status).toBe('delivered');
    clock.advance(6 * HOUR);
    const acc = await call(sb, '/v1/finance/accrual/postings', { posting_numbers: [pn] });
    expect(acc.body.posting_accruals[0].accruals.length).toBeGreaterThan(0);

    await waitFor(() => rx.got.filter((g) => g.posting_number === pn).length === 5);
    expect(rx.got.filter((g) => g.posting_number === pn && g.new_state).map((g) => g.new_state)).toEqual([
      'posting_transferring_to_delivery',
      'posting_transferred_to_courier_service',
      'posting_in_courier_service',
      'posting_delivered',
    ]);
  });
});

describe('v4 lists', () => {
  it('pages /v4/posting/fbs/list with an opaque cursor and filters the unfulfilled list', async () => {
    const { sb, clock } = await start();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push(sb.createPosting().posting_number);
      clock.advance(1000);
    }
    const filter = { since: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' };
    const seen: string[] = [];
    let cursor = '';
    const pages: number[] = [];
    for (;;) {
      const r = await call(sb, '/v4/posting/fbs/list', { limit: 3, cursor, filter, with: { financial_data: true } });
      expect(r.status).toBe(200);
      pages.push(r.body.postings.length);
      for (const p of r.body.postings as Json[]) {
        seen.push(p.posting_number);
        expect(p.products[0].price).toMatchObject({ currency: 'RUB' });
        expect(typeof p.products[0].price.amount).toBe('string');
      }
      if (!r.body.has_next) {
        expect(r.body.cursor).toBe('');
        break;
      }
      cursor = r.body.cursor;
    }
    expect(pages).toEqual([3, 3, 1]);
    expect(seen).toEqual(created);

    const desc = await call(sb, '/v4/posting/fbs/list', { limit: 100, sort_dir: 'DESC', filter });
    expect(desc.body.postings.map((p: Json) => p.posting_number)).toEqual([...created].reverse());

    expect((await call(sb, '/v4/posting/fbs/list', { limit: 3, filter: {} })).status).toBe(400);
    expect((await call(sb, '/v4/posting/fbs/list', { limit: 3, cursor: 'garbage!', filter })).status).toBe(400);

    const first = created[0] as string;
    const changeFrom = new Date(clock.now()).toISOString();
    await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(first) as Json));
    clock.advance(30_000);
    await call(sb, '/v2/posting/fbs/cancel', { posting_number: created[1], cancel_reason_id: 352 });

    const awaitingDeliver = await call(sb, '/v4/posting/fbs/unfulfilled/list', {
      limit: 100,
      filter: { statuses: ['awaiting_deliver'] },
    });
    expect(awaitingDeliver.body.postings.map((p: Json) => p.posting_number)).toEqual([first]);
    expect(awaitingDeliver.body.count).toBe(1);
    const changed = await call(sb, '/v4/posting/fbs/unfulfilled/list', {
      limit: 100,
      filter: { last_changed_status_date: { from: changeFrom, to: '2027-01-01T00:00:00Z' } },
    });
    expect(changed.body.postings.map((p: Json) => p.posting_number)).toEqual([first]);
    const all = await call(sb, '/v4/posting/fbs/unfulfilled/list', { limit: 100 });
    expect(all.body.postings.length).toBe(6); // the cancelled one is gone
    const cancelledInList = await call(sb, '/v4/posting/fbs/list', {
      limit: 100,
      filter: { ...filter, statuses: ['cancelled'] },
    });
    expect(cancelledInList.body.postings.map((p: Json) => p.posting_number)).toEqual([created[1]]);
    expect((await call(sb, '/v4/posting/fbs/unfulfilled/list', { filter: { statuses: ['delivered'] } })).status).toBe(
      400,
    );

    const wh = await call(sb, '/v2/warehouse/list', { limit: 1 });
    expect(wh.body.has_next).toBe(true);
    const wh2 = await call(sb, '/v2/warehouse/list', { limit: 1, cursor: wh.body.cursor });
    expect([wh.body.warehouses[0].is_rfbs, wh2.body.warehouses[0].is_rfbs]).toEqual([false, true]);
    expect(wh2.body.has_next).toBe(false);
  });
});

describe('rate limit and fault injection', () => {
  it('answers 429 code 8 past 50 requests per second per Client-Id', async () => {
    const { sb } = await start();
    const res = await Promise.all(Array.from({ length: 70 }, () => call(sb, '/v1/roles', {})));
    const limited = res.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(20);
    expect(limited[0]?.body).toEqual({ code: 8, message: 'You have reached request rate limit per second' });
    expect(sb.maxRequestsPerSecond()).toBeGreaterThanOrEqual(70);

    const { sb: open } = await start({ enforceRateLimit: false });
    const res2 = await Promise.all(Array.from({ length: 70 }, () => call(open, '/v1/roles', {})));
    expect(res2.every((r) => r.status === 200)).toBe(true);
  });

  it('draws faults deterministically from the seed', async () => {
    const run = async (seed: number) => {
      const { sb } = await start({
        seed,
        enforceRateLimit: false,
        faults: { rateLimit: 0.1, serverError: 0.2, circleOpen: 0.2 },
      });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await call(sb, '/v1/roles', {})).status);
      const bodies = sb.calls.map((c) => c.status);
      expect(bodies).toEqual(statuses);
      return statuses;
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a)).toEqual(new Set([200, 429, 500, 503]));

    const { sb } = await start({ faults: { serverError: 1 } });
    expect((await call(sb, '/v1/roles', {})).body).toEqual({ code: 13, message: 'Internal error', details: [] });
    const { sb: circle } = await start({ faults: { circleOpen: 1 } });
    const r = await call(circle, '/v1/roles', {});
    expect([r.status, r.body.message]).toEqual([503, 'Circle is open']);

    // same seed -> same posting numbers
    const { sb: s1 } = await start({ seed: 99 });
    const { sb: s2 } = await start({ seed: 99 });
    expect([s1.createPosting(), s1.createPosting()]).toEqual([s2.createPosting(), s2.createPosting()]);
  });

  it('push faults: drop, duplicate, delay; retries non-200 on the clock', async () => {
    const rxDrop = await receiver();
    const { sb: dropper } = await start({ pushUrl: rxDrop.url, faults: { dropPush: 1 } });
    dropper.createPosting();
    expect(dropper.pushes.map((p) => p.status)).toEqual(['dropped']);

    const rxDup = await receiver();
    const { sb: dup } = await start({ pushUrl: rxDup.url, faults: { duplicatePush: 1 } });
    const pn = dup.createPosting().posting_number;
    await waitFor(() => rxDup.got.length === 2);
    expect(rxDup.got.map((g) => g.posting_number)).toEqual([pn, pn]);

    const rxDelay = await receiver();
    const { sb: delayed, clock } = await start({ pushUrl: rxDelay.url, faults: { delayPushMs: 60_000 } });
    delayed.createPosting();
    delayed.createPosting();
    await new Promise((r) => setTimeout(r, 30));
    expect(rxDelay.got.length).toBe(0);
    clock.advance(60_000);
    await waitFor(() => rxDelay.got.length === 2);

    let failedOnce = false;
    const rxFlaky = await receiver(() => {
      if (failedOnce) return 200;
      failedOnce = true;
      return 500;
    });
    const { sb: flaky, clock: c2 } = await start({ pushUrl: rxFlaky.url });
    flaky.createPosting();
    await waitFor(() => flaky.pushes.length === 1);
    expect(flaky.pushes[0]?.status).toBe(500);
    c2.advance(PUSH_RETRY_BACKOFF_MS[0] as number);
    await waitFor(() => rxFlaky.got.length === 1);
    await waitFor(() => flaky.pushes.length === 2);
    expect(flaky.pushes.map((p) => [p.status, p.attempt])).toEqual([
      [500, 1],
      [200, 2],
    ]);
  });
});

describe('chat and notification list', () => {
  it('starts a chat while can_create_chat is available and stores messages', async () => {
    const rx = await receiver();
    const { sb } = await start({ pushUrl: rx.url });
    const pn = sb.createPosting().posting_number;
    const start1 = await call(sb, '/v1/chat/start', { posting_number: pn });
    expect(start1.status).toBe(200);
    const chatId = start1.body.result.chat_id as string;
    expect((await call(sb, '/v1/chat/start', { posting_number: pn })).body.result.chat_id).toBe(chatId);
    expect((await call(sb, '/v1/chat/send/message', { chat_id: chatId, text: 'Здравствуйте!' })).body).toEqual({
      result: 'success',
    });
    expect((await call(sb, '/v1/chat/send/message', { chat_id: 'nope', text: 'x' })).status).toBe(404);
    await call(sb, '/v2/posting/fbs/cancel', { posting_number: pn, cancel_reason_id: 352 });
    expect((await call(sb, '/v1/chat/send/message', { chat_id: chatId, text: 'x' })).status).toBe(400);

    const list = await call(sb, '/v1/notification/list', {});
    expect(list.body.urls[0]).toMatchObject({ url: rx.url, enable: true });
  });
});
