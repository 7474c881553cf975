/** Postings the product has never seen: `startAt` and `preassembled`. */
import { afterEach, describe, expect, it } from 'vitest';
import type { OzonSandbox } from '../../sandbox/index.js';
import { call, get, HOUR, type Json, receiver, runCleanups, shipBody, start, waitFor } from './helpers.js';

afterEach(runCleanups);

const PERIOD = { since: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' };
const iso = (ms: number) => new Date(ms).toISOString();

async function listed(sb: OzonSandbox) {
  const r = await call(sb, '/v4/posting/fbs/list', { limit: 100, filter: PERIOD });
  expect(r.status).toBe(200);
  return new Map((r.body.postings as Json[]).map((p) => [p.posting_number as string, p]));
}

async function unfulfilled(sb: OzonSandbox, filter: Json = {}) {
  const r = await call(sb, '/v4/posting/fbs/unfulfilled/list', { limit: 100, filter });
  expect(r.status).toBe(200);
  return (r.body.postings as Json[]).map((p) => p.posting_number as string);
}

/** The adopted postings send nothing: a posting created after them is the first push to arrive. */
async function expectOnlySentinelPush(sb: OzonSandbox, got: Json[]) {
  const sentinel = sb.createPosting().posting_number;
  await waitFor(() => got.length >= 1);
  expect(got.map((g) => [g.message_type, g.posting_number])).toEqual([['TYPE_NEW_POSTING', sentinel]]);
  return sentinel;
}

describe('startAt: postings the product has never seen', () => {
  it('renders each status consistently in get, list and unfulfilled, then moves on with pushes', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const now = clock.now();
    const ad = sb.createPosting({ startAt: 'awaiting_deliver' }).posting_number;
    const dg = sb.createPosting({ startAt: 'delivering' }).posting_number;
    const dd = sb.createPosting({
      startAt: 'delivered',
      lines: [{ offer_id: 'BOTTLE-750-STL', quantity: 2 }],
    }).posting_number;
    const cx = sb.createPosting({ startAt: 'cancelled' }).posting_number;
    const sentinel = await expectOnlySentinelPush(sb, rx.got);

    const g = {
      ad: await get(sb, ad, { analytics_data: true }),
      dg: await get(sb, dg, { analytics_data: true }),
      dd: await get(sb, dd, { analytics_data: true }),
      cx: await get(sb, cx, { analytics_data: true }),
    };
    expect(g.ad).toMatchObject({
      status: 'awaiting_deliver',
      substatus: 'posting_transferring_to_delivery',
      previous_substatus: 'posting_created',
      delivering_date: null,
      tpl_integration_type: 'ozon',
    });
    expect(g.ad.available_actions).toEqual(expect.arrayContaining(['cancel', 'label_download']));
    expect(g.ad.available_actions).not.toContain('ship');
    expect(Date.parse(g.ad.shipment_date)).toBeGreaterThan(now); // assembled before its deadline
    expect(g.dg).toMatchObject({
      status: 'delivering',
      substatus: 'posting_on_way_to_city',
      previous_substatus: 'posting_transferring_to_delivery',
      delivering_date: iso(now),
    });
    expect(g.dg.available_actions).toContain('click_track_number');
    expect(g.dd).toMatchObject({ status: 'delivered', substatus: 'posting_delivered' });
    expect(Date.parse(g.dd.delivering_date)).toBe(now - 24 * HOUR);
    expect(g.cx).toMatchObject({ status: 'cancelled', substatus: 'posting_canceled', delivering_date: null });
    expect(g.cx.cancellation).toMatchObject({ cancel_reason_id: 507, cancellation_type: 'client' });
    for (const p of [g.ad, g.dg, g.dd, g.cx]) {
      // bought (and handled) before the product ever looked
      expect(Date.parse(p.in_process_at)).toBeLessThan(now);
      expect(Date.parse(p.analytics_data.delivery_date_end) - Date.parse(p.in_process_at)).toBe(5 * 24 * HOUR);
    }
    for (const p of [g.dg, g.dd]) {
      expect(Date.parse(p.shipment_date)).toBeLessThanOrEqual(now);
      expect(Date.parse(p.shipment_date)).toBeGreaterThan(Date.parse(p.in_process_at));
      expect(Date.parse(p.delivering_date)).toBeGreaterThanOrEqual(Date.parse(p.shipment_date));
    }

    const list = await listed(sb);
    for (const [pn, p] of [
      [ad, g.ad],
      [dg, g.dg],
      [dd, g.dd],
      [cx, g.cx],
    ] as const) {
      const fields = ['status', 'substatus', 'in_process_at', 'shipment_date', 'delivering_date'] as const;
      for (const f of fields) expect(list.get(pn)?.[f]).toEqual(p[f]);
    }
    expect(await unfulfilled(sb)).toEqual([dg, ad, sentinel]); // sorted by in_process_at; no delivered/cancelled
    expect(await unfulfilled(sb, { statuses: ['awaiting_deliver'] })).toEqual([ad]);

    // from here on they move like any other posting
    clock.advance(2 * HOUR);
    expect(await get(sb, ad)).toMatchObject({ status: 'delivering', delivering_date: iso(clock.now()) });
    const accruals = async () =>
      (await call(sb, '/v1/finance/accrual/postings', { posting_numbers: [dd] })).body.posting_accruals[0].accruals;
    expect(await accruals()).toEqual([]);
    clock.advance(4 * HOUR);
    const acc = (await accruals()) as Json[];
    expect(acc.reduce((s, a) => s + Number(a.accrued.amount), 0)).toBeCloseTo(2533, 2);
    clock.advance(18 * HOUR);
    expect((await get(sb, dg)).status).toBe('delivered');
    clock.advance(2 * HOUR);
    expect((await get(sb, ad)).status).toBe('delivered');
    expect((await get(sb, cx)).status).toBe('cancelled');

    await waitFor(() => rx.got.length === 4);
    const pushed = rx.got.slice(1).map((b) => [b.message_type, b.posting_number, b.new_state]);
    expect(pushed).toEqual(
      expect.arrayContaining([
        ['TYPE_STATE_CHANGED', ad, 'posting_on_way_to_city'],
        ['TYPE_STATE_CHANGED', dg, 'posting_delivered'],
        ['TYPE_STATE_CHANGED', ad, 'posting_delivered'],
      ]),
    );
  });

  it('rFBS: delivering with the track number the seller entered, then only the seller moves it', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const ad = sb.createPosting({ schema: 'rfbs', startAt: 'awaiting_deliver' }).posting_number;
    const dg = sb.createPosting({ schema: 'rfbs', startAt: 'delivering' }).posting_number;
    await expectOnlySentinelPush(sb, rx.got);

    const a = await get(sb, ad);
    expect(a).toMatchObject({ status: 'awaiting_deliver', tpl_integration_type: 'non_integrated' });
    expect(a.available_actions).toEqual(expect.arrayContaining(['set_track_number', 'non_int_delivering']));
    const d = await get(sb, dg);
    expect(d).toMatchObject({ status: 'delivering', substatus: 'posting_transferred_to_courier_service' });
    expect(d.tracking_number).toMatch(/^RP\d{10}RU$/);

    clock.advance(30 * 24 * HOUR); // rFBS never advances by itself
    expect((await get(sb, ad)).status).toBe('awaiting_deliver');
    expect((await get(sb, dg)).status).toBe('delivering');
    const r = await call(sb, '/v2/fbs/posting/delivered', { posting_number: [dg] });
    expect(r.body.result).toEqual([{ error: '', posting_number: dg, result: true }]);
    await waitFor(() => rx.got.length === 2);
    expect(rx.got[1]).toMatchObject({ posting_number: dg, new_state: 'posting_delivered' });
  });

  it('refuses an unknown startAt', async () => {
    const { sb } = await start();
    expect(() => sb.createPosting({ startAt: 'arbitration' as never })).toThrow(/startAt/);
  });
});

describe('preassembled', () => {
  it('preassembled: 3 gives three awaiting_deliver FBS postings, seeded, and no TYPE_NEW_POSTING push', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url, preassembled: 3 });
    const pns = await unfulfilled(sb);
    expect(pns.length).toBe(3);
    expect(new Set(pns).size).toBe(3);
    for (const pn of pns) {
      expect(await get(sb, pn)).toMatchObject({
        status: 'awaiting_deliver',
        substatus: 'posting_transferring_to_delivery',
        tpl_integration_type: 'ozon',
        delivery_method: { warehouse_id: 1020000075732000 },
      });
    }
    expect(await unfulfilled(sb, { statuses: ['awaiting_deliver'] })).toEqual(pns);
    await expectOnlySentinelPush(sb, rx.got);

    const { sb: again } = await start({ preassembled: 3 });
    expect((await unfulfilled(again)).sort()).toEqual([...pns].sort());

    clock.advance(2 * HOUR);
    await waitFor(() => rx.got.length === 4);
    expect(rx.got.slice(1).map((b) => [b.posting_number, b.new_state])).toEqual(
      expect.arrayContaining(pns.map((pn) => [pn, 'posting_on_way_to_city'])),
    );
  });

  it('ship of an assembled posting and cancel of a delivering / delivered one are refused as Ozon does', async () => {
    const { sb } = await start({ preassembled: 1 });
    const [ad] = await unfulfilled(sb);
    const assembled = await get(sb, ad as string);
    const ship = await call(sb, '/v4/posting/fbs/ship', shipBody(assembled));
    expect([ship.status, ship.body]).toEqual([400, { code: 3, message: 'POSTING_ALREADY_SHIPPED', details: [] }]);

    const dg = sb.createPosting({ startAt: 'delivering' }).posting_number;
    const reasons = await call(sb, '/v1/posting/fbs/cancel-reason', { related_posting_numbers: [dg] });
    expect(reasons.body.result).toEqual([{ posting_number: dg, reasons: [] }]);
    const cancel = await call(sb, '/v2/posting/fbs/cancel', { posting_number: dg, cancel_reason_id: 352 });
    expect([cancel.status, cancel.body]).toEqual([400, { code: 3, message: 'HAS_INCORRECT_STATUS', details: [] }]);
    expect((await get(sb, dg)).status).toBe('delivering');

    const dd = sb.createPosting({ startAt: 'delivered' }).posting_number;
    expect((await call(sb, '/v2/posting/fbs/cancel', { posting_number: dd, cancel_reason_id: 352 })).body.message).toBe(
      'HAS_INCORRECT_STATUS',
    );
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(await get(sb, dd)))).body.message).toBe(
      'POSTING_ALREADY_SHIPPED',
    );
    const cx = sb.createPosting({ startAt: 'cancelled' }).posting_number;
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(await get(sb, cx)))).body.message).toBe(
      'POSTING_ALREADY_CANCELLED',
    );

    // awaiting_deliver can still be cancelled by the seller (reasons 352/400/402), counted as after shipment
    const ok = await call(sb, '/v2/posting/fbs/cancel', { posting_number: ad, cancel_reason_id: 352 });
    expect(ok.body).toEqual({ result: true });
    expect((await get(sb, ad as string)).cancellation).toMatchObject({ cancelled_after_ship: true });
  });
});
