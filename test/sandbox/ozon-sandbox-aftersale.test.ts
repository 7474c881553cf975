/**
 * After-sale: rFBS cancellation requests (/v2/conditional-cancellation/*), rFBS return requests (/v2/returns/rfbs/*,
 * /v1/returns/rfbs/action/set), FBS returns (/v1/returns/list, collectReturn), the refunds' accruals, the
 * deadlines the sandbox answers itself, and their state-file round trip.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, type OzonSandbox } from '../../sandbox/index.js';
import { call, get, HOUR, type Json, onCleanup, receiver, runCleanups, shipBody, start, waitFor } from './helpers.js';

afterEach(runCleanups);

const FBS_WH = 1020000075732000;
const RFBS_WH = 1020000075733000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;
/** manualClock's start */
const T0 = Date.parse('2026-01-15T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const err = (message: string) => ({ code: 3, message, details: [] });

const cancellations = async (sb: OzonSandbox, body: Json = {}) => {
  const r = await call(sb, '/v2/conditional-cancellation/list', { limit: 500, ...body });
  expect(r.status).toBe(200);
  return r.body;
};
const decide = (sb: OzonSandbox, what: 'approve' | 'reject', cancellation_id: number, comment?: string) =>
  call(sb, `/v2/conditional-cancellation/${what}`, { cancellation_id, comment });
const rfbsList = async (sb: OzonSandbox, filter: Json = {}, more: Json = {}) => {
  const r = await call(sb, '/v2/returns/rfbs/list', { filter, limit: 100, ...more });
  expect(r.status).toBe(200);
  return r.body.returns as Json[];
};
const rfbsGet = async (sb: OzonSandbox, return_id: number) => {
  const r = await call(sb, '/v2/returns/rfbs/get', { return_id });
  expect(r.status).toBe(200);
  return r.body.returns as Json;
};
const action = (sb: OzonSandbox, return_id: number, body: Json) =>
  call(sb, '/v1/returns/rfbs/action/set', { return_id, ...body });
const actionIds = (r: Json) => (r.available_actions as Json[]).map((a) => a.action.id);
const fbsList = async (sb: OzonSandbox, filter: Json = {}, more: Json = {}) => {
  const r = await call(sb, '/v1/returns/list', { filter, limit: 500, ...more });
  expect(r.status).toBe(200);
  return r.body as Json;
};
const accruals = async (sb: OzonSandbox, pn: string) =>
  (await call(sb, '/v1/finance/accrual/postings', { posting_numbers: [pn] })).body.posting_accruals[0]
    .accruals as Json[];
const total = (list: Json[]) => Math.round(list.reduce((s, a) => s + Number(a.accrued.amount), 0) * 100) / 100;

describe('rFBS cancellation requests', () => {
  it('appear ON_APPROVAL after the given time; approve cancels the posting as by the buyer, stock comes back', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url, initialStock: 5 });
    const pn = sb.createPosting({
      schema: 'rfbs',
      lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }],
      cancellationRequestAfterMs: HOUR,
      cancellationRequestReasonId: 505,
      cancellationRequestMessage: 'Нашёл быстрее',
    }).posting_number;
    expect(sb.stockOf(RFBS_WH, 'MUG-350-WHT')).toEqual({ present: 5, reserved: 2, free: 3 });

    expect(await cancellations(sb, { with: { counter: true } })).toEqual({ result: [], last_id: 0, counter: 0 });
    clock.advance(HOUR);
    const list = await cancellations(sb, { with: { counter: true } });
    expect(list).toEqual({
      result: [
        {
          approve_comment: '',
          approve_date: null,
          auto_approve_date: iso(T0 + HOUR + 48 * HOUR),
          cancellation_id: 90000001,
          cancellation_initiator: 'CLIENT',
          cancellation_reason: { id: 505, name: 'Слишком долго ждать' },
          cancellation_reason_message: 'Нашёл быстрее',
          cancelled_at: iso(T0 + HOUR),
          order_date: iso(T0),
          posting_number: pn,
          source_id: 90000001,
          state: { id: 1, name: 'На рассмотрении', state: 'ON_APPROVAL' },
          tpl_integration_type: 'non_integrated',
        },
      ],
      last_id: 90000001,
      counter: 1,
    });
    // the posting itself does not change while the request waits; counter only when asked
    expect((await get(sb, pn)).status).toBe('awaiting_packaging');
    expect((await cancellations(sb)).counter).toBeUndefined();
    // filters
    const count = async (filters: Json) => (await cancellations(sb, { filters })).result.length;
    expect(await count({ state: 'ON_APPROVAL' })).toBe(1);
    expect(await count({ state: 'APPROVED' })).toBe(0);
    expect(await count({ state: 'ALL', posting_number: [pn] })).toBe(1);
    expect(await count({ posting_number: ['1-1-1'] })).toBe(0);
    expect(await count({ cancellation_initiator: ['SELLER'] })).toBe(0);
    expect(await count({ cancellation_initiator: ['CLIENT', 'OZON'] })).toBe(1);
    expect((await call(sb, '/v2/conditional-cancellation/list', { filters: {} })).status).toBe(400); // limit
    expect((await call(sb, '/v2/conditional-cancellation/list', { limit: 501 })).status).toBe(400);
    expect((await call(sb, '/v2/conditional-cancellation/list', { limit: 1, filters: { state: 'NEW' } })).status).toBe(
      400,
    );

    clock.advance(MINUTE);
    const approved = await decide(sb, 'approve', 90000001, 'Отменяем');
    expect([approved.status, approved.body]).toEqual([200, {}]);
    const after = (await cancellations(sb, { with: { counter: true } })).result[0];
    expect(after).toMatchObject({
      approve_comment: 'Отменяем',
      approve_date: iso(clock.now()),
      state: { id: 2, name: 'Подтверждена', state: 'APPROVED' },
    });
    expect(sb.afterSale().cancellations[0]).toMatchObject({ resolution: 'approved', state: 'APPROVED' });
    const posting = await get(sb, pn);
    expect(posting.status).toBe('cancelled');
    expect(posting.cancellation).toMatchObject({
      cancel_reason_id: 505,
      cancel_reason: 'Слишком долго ждать',
      cancellation_type: 'client',
      cancellation_initiator: 'Клиент',
    });
    expect(sb.stockOf(RFBS_WH, 'MUG-350-WHT')).toEqual({ present: 5, reserved: 0, free: 5 });
    await waitFor(() => rx.got.some((g) => g.message_type === 'TYPE_POSTING_CANCELLED'));
    expect(rx.got.find((g) => g.message_type === 'TYPE_POSTING_CANCELLED')).toMatchObject({
      posting_number: pn,
      reason: { id: 505, message: 'Слишком долго ждать' },
    });
    // Ozon pushes nothing for the request itself
    expect(rx.got.map((g) => g.message_type)).toEqual(['TYPE_NEW_POSTING', 'TYPE_POSTING_CANCELLED']);

    // only ON_APPROVAL can be decided; unknown ids; a body without the id
    expect((await decide(sb, 'approve', 90000001)).body).toEqual(err('CANCELLATION_NOT_ON_APPROVAL'));
    expect((await decide(sb, 'reject', 90000001, 'нет')).body).toEqual(err('CANCELLATION_NOT_ON_APPROVAL'));
    const unknown = await decide(sb, 'approve', 1);
    expect([unknown.status, unknown.body]).toEqual([404, { code: 5, message: 'CANCELLATION_NOT_FOUND', details: [] }]);
    const noId = await call(sb, '/v2/conditional-cancellation/approve', { comment: 'x' });
    expect(noId.status).toBe(400);
    expect(noId.body.message).toMatch(/^invalid request payload: cancellation_id: /);
  });

  it('reject needs a comment and keeps the posting going; last_id pages through the requests', async () => {
    const { sb, clock } = await start();
    const a = sb.createPosting({ schema: 'rfbs', cancellationRequestAfterMs: HOUR }).posting_number;
    const b = sb.createPosting({ schema: 'rfbs', cancellationRequestAfterMs: 2 * HOUR }).posting_number;
    clock.advance(2 * HOUR);
    const page1 = await cancellations(sb, { limit: 1 });
    expect(page1.result.map((c: Json) => c.posting_number)).toEqual([a]);
    const page2 = await cancellations(sb, { limit: 1, last_id: page1.last_id });
    expect(page2.result.map((c: Json) => c.posting_number)).toEqual([b]);
    expect(await cancellations(sb, { limit: 1, last_id: page2.last_id })).toEqual({
      result: [],
      last_id: page2.last_id,
    });
    const [ca, cb] = [page1.result[0].cancellation_id, page2.result[0].cancellation_id];

    expect((await decide(sb, 'reject', ca)).body).toEqual(
      err('invalid request payload: comment: describe the reason to reject the request'),
    );
    expect((await decide(sb, 'reject', ca, '  ')).status).toBe(400);
    expect((await decide(sb, 'reject', ca, 'Заказ уже собран, доставим в срок')).status).toBe(200);
    const rejected = (await cancellations(sb, { filters: { state: 'REJECTED' } })).result;
    expect(rejected).toEqual([
      expect.objectContaining({
        cancellation_id: ca,
        approve_comment: 'Заказ уже собран, доставим в срок',
        approve_date: iso(clock.now()),
        state: { id: 3, name: 'Отклонена', state: 'REJECTED' },
      }),
    ]);
    // the posting goes on: it is shipped as usual, and the deadline no longer approves anything
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(await get(sb, a)))).status).toBe(200);
    clock.advance(3 * DAY);
    expect((await get(sb, a)).status).toBe('awaiting_deliver');
    expect(sb.afterSale().cancellations.map((c) => c.resolution)).toEqual(['rejected', 'autoApproved']);
    expect((await get(sb, b)).status).toBe('cancelled');
    expect(cb).toBe(ca + 1);
  });

  it('unanswered at auto_approve_date the sandbox approves it; a posting that ends first closes it unanswered', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const auto = sb.createPosting({ schema: 'rfbs', cancellationRequestAfterMs: HOUR }).posting_number;
    const sellerCancels = sb.createPosting({ schema: 'rfbs', cancellationRequestAfterMs: HOUR }).posting_number;
    const gone = sb.createPosting({
      schema: 'rfbs',
      cancellationRequestAfterMs: 3 * HOUR,
      cancelByBuyerAfterMs: 2 * HOUR,
    }).posting_number;
    clock.advance(HOUR);
    const cancel = await call(sb, '/v2/posting/fbs/cancel', { posting_number: sellerCancels, cancel_reason_id: 352 });
    expect(cancel.status).toBe(200);
    const closed = (await cancellations(sb, { filters: { posting_number: [sellerCancels] } })).result[0];
    // swagger's v1 example of a request closed without an answer: {5, "Автоматически отменена", REJECTED}, no date
    expect(closed).toMatchObject({
      approve_date: null,
      approve_comment: '',
      state: { id: 5, name: 'Автоматически отменена', state: 'REJECTED' },
    });
    expect((await decide(sb, 'approve', closed.cancellation_id)).body).toEqual(err('CANCELLATION_NOT_ON_APPROVAL'));

    clock.advance(48 * HOUR - 1);
    expect((await get(sb, auto)).status).toBe('awaiting_packaging');
    clock.advance(1);
    const approved = (await cancellations(sb, { filters: { posting_number: [auto] } })).result[0];
    expect(approved).toMatchObject({
      approve_date: iso(T0 + 49 * HOUR),
      auto_approve_date: iso(T0 + 49 * HOUR),
      state: { id: 4, name: 'Подтверждена автоматически', state: 'APPROVED' },
    });
    expect((await get(sb, auto)).cancellation.cancel_reason_id).toBe(507); // the default reason
    await waitFor(() => rx.got.some((g) => g.message_type === 'TYPE_POSTING_CANCELLED' && g.posting_number === auto));
    // the buyer cancelled `gone` before asking: no request was ever made
    expect((await cancellations(sb, { filters: { posting_number: [gone] } })).result).toEqual([]);
    expect(sb.afterSale().cancellations.map((c) => [c.posting_number, c.resolution])).toEqual([
      [auto, 'autoApproved'],
      [sellerCancels, 'autoClosed'],
    ]);
  });

  it('misuse of the spec options throws before anything is created', async () => {
    const { sb } = await start();
    expect(() => sb.createPosting({ cancellationRequestAfterMs: HOUR })).toThrow(/rFBS/);
    expect(() => sb.createPosting({ schema: 'rfbs', cancellationRequestAfterMs: -1 })).toThrow(/>= 0/);
    expect(() =>
      sb.createPosting({ schema: 'rfbs', cancellationRequestAfterMs: 1, cancellationRequestReasonId: 1 }),
    ).toThrow(/unknown cancellationRequestReasonId/);
    expect(() => sb.createPosting({ schema: 'rfbs', cancellationRequestReasonId: 505 })).toThrow(/need/);
    expect(() => sb.createPosting({ schema: 'rfbs', startAt: 'delivered', cancellationRequestAfterMs: 1 })).toThrow(
      /not ended/,
    );
    expect(() => sb.createPosting({ returnReasonId: 1 })).toThrow(/need returnAfterDeliveryMs/);
    expect(() => sb.createPosting({ returnAfterDeliveryMs: 0, returnReasonId: 42 })).toThrow(/unknown returnReasonId/);
    expect(() => sb.createPosting({ returnAfterDeliveryMs: 0, returnComment: 'x' })).toThrow(/rFBS/);
    expect(() => sb.createPosting({ schema: 'rfbs', returnAfterDeliveryMs: 0, returnOfferId: 'MUG-350-WHT' })).toThrow(
      /lines/,
    );
    expect(() => sb.createPosting({ startAt: 'cancelled', returnAfterDeliveryMs: 0 })).toThrow(/delivered/);
    expect(sb.calls).toEqual([]);
    expect(sb.afterSale()).toEqual({ plans: [], cancellations: [], rfbsReturns: [], fbsReturns: [] });
  });
});

describe('rFBS return requests', () => {
  it('after delivery: list, get, approve -> parcel -> receive -> refund; the refund reverses the accruals', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    // an aggregator posting on its way: the carrier delivers it after timing.transit (24 h)
    const pn = sb.createPosting({
      schema: 'rfbs',
      tpl: 'aggregator',
      startAt: 'delivering',
      lines: [
        { offer_id: 'MUG-350-WHT', quantity: 1 },
        { offer_id: 'KETTLE-17L', quantity: 1 },
      ],
      returnAfterDeliveryMs: 12 * HOUR,
      returnOfferId: 'KETTLE-17L',
      returnReasonId: 3,
      returnComment: 'Не включается',
      returnPhotos: 2,
    }).posting_number;
    const posting = await get(sb, pn);
    clock.advance(DAY);
    expect((await get(sb, pn)).status).toBe('delivered');
    clock.advance(12 * HOUR - 1);
    expect(await rfbsList(sb)).toEqual([]);
    clock.advance(1);
    const created = T0 + 36 * HOUR;

    const listed = await rfbsList(sb);
    expect(listed).toEqual([
      {
        client_name: 'Иван Покупатель',
        created_at: iso(created),
        order_number: posting.order_number,
        posting_number: pn,
        product: {
          currency_code: 'RUB',
          name: 'Чайник электрический 1,7 л',
          offer_id: 'KETTLE-17L',
          price: 2990,
          sku: 1473290080,
        },
        return_id: 800000001,
        return_number: 'RET-2026-00001',
        state: { group_state: 'New', money_return_state_name: '', state: 'ON_APPROVAL', state_name: 'На проверке' },
      },
    ]);
    const id = listed[0]?.return_id as number;
    const got = await rfbsGet(sb, id);
    expect(got).toEqual({
      available_actions: [
        { action: { id: 1010, name: 'Одобрить заявку и получить товар на проверку' } },
        { action: { id: 1030, name: 'Вернуть деньги покупателю' } },
        { action: { id: 1020, name: 'Вернуть часть стоимости товара' } },
        { action: { id: -1, name: 'Отклонить заявку' } },
      ],
      client_name: 'Иван Покупатель',
      client_photo: [`${sb.url}/sandbox/files/returns/${id}/1.png`, `${sb.url}/sandbox/files/returns/${id}/2.png`],
      client_return_method_type: { id: 1, name: 'Почта России' },
      comment: 'Не включается',
      created_at: iso(created),
      order_number: posting.order_number,
      posting_number: pn,
      product: listed[0]?.product,
      rejection_comment: '',
      rejection_reason: expect.arrayContaining([
        { hint: expect.any(String), id: 1, is_comment_required: true, name: 'Товар без недостатков' },
        { hint: expect.any(String), id: 2, is_comment_required: false, name: 'Истёк срок возврата' },
      ]),
      return_method_description: '',
      return_number: 'RET-2026-00001',
      return_reason: { id: 3, is_defect: true, name: 'Товар с браком' },
      ru_post_tracking_number: '',
      state: { state: 'ON_APPROVAL', state_name: 'На проверке' },
      warehouse_id: RFBS_WH,
    });
    expect(got.rejection_reason).toHaveLength(4);
    // the photos are served without API headers
    const photo = await fetch(got.client_photo[1]);
    expect([photo.status, photo.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect((await fetch(`${sb.url}/sandbox/files/returns/${id}/3.png`)).status).toBe(404);

    // the list's filters
    const n = async (filter: Json) => (await rfbsList(sb, filter)).length;
    expect(await n({ group_state: ['New'] })).toBe(1);
    expect(await n({ group_state: ['All'] })).toBe(1);
    expect(await n({ group_state: ['Approved', 'Rejected'] })).toBe(0);
    expect(await n({ posting_number: pn, offer_id: 'KETTLE-17L' })).toBe(1);
    expect(await n({ offer_id: 'MUG-350-WHT' })).toBe(0);
    expect(await n({ created_at: { from: iso(created), to: iso(created + HOUR) } })).toBe(1);
    expect(await n({ created_at: { from: iso(created + 1) } })).toBe(0);
    expect((await rfbsList(sb, {}, { last_id: id })).length).toBe(0);
    expect((await call(sb, '/v2/returns/rfbs/list', { filter: { group_state: ['Nope'] }, limit: 1 })).status).toBe(400);
    expect((await call(sb, '/v2/returns/rfbs/list', { filter: {} })).status).toBe(400); // limit

    // an action not available now
    expect((await action(sb, id, { id: 1040 })).body).toEqual(err('RETURN_ACTION_NOT_AVAILABLE'));
    // approve: the buyer posts the parcel
    expect((await action(sb, id, { id: 1010 })).body).toEqual({});
    let r = await rfbsGet(sb, id);
    expect(r.state).toEqual({ state: 'MOVING_TO_SELLER', state_name: 'Возврат на пути к продавцу' });
    expect(actionIds(r)).toEqual([]);
    expect(r.ru_post_tracking_number).toMatch(/^\d{14}$/);
    expect((await rfbsList(sb, { group_state: ['Delivering'] })).length).toBe(1);
    clock.advance(48 * HOUR);
    r = await rfbsGet(sb, id);
    expect([r.state.state, actionIds(r)]).toEqual(['ARRIVED_AT_RETURN_PLACE', [1040]]);
    expect((await action(sb, id, { id: 1040 })).status).toBe(200);
    r = await rfbsGet(sb, id);
    expect([r.state.state, actionIds(r)]).toEqual(['RECEIVED_BY_SELLER', [1030, -10]]);
    expect((await rfbsList(sb, { group_state: ['Checkout'] })).length).toBe(1);

    // the sale was settled long ago; the refund reverses the kettle's revenue and commission, and the back way
    const sale = await accruals(sb, pn);
    expect(total(sale)).toBe(2958); // 3480 - 15 %
    expect((await action(sb, id, { id: 1030, return_for_back_way: 300 })).status).toBe(200);
    const refundedAt = clock.now();
    r = await rfbsGet(sb, id);
    expect([r.state.state, actionIds(r)]).toEqual(['MONEY_RETURNED', []]);
    expect((await rfbsList(sb))[0]?.state).toEqual({
      group_state: 'Approved',
      money_return_state_name: 'Деньги возвращены покупателю',
      state: 'MONEY_RETURNED',
      state_name: 'Покупателю вернули всю сумму',
    });
    const all = await accruals(sb, pn);
    expect(all.slice(0, sale.length)).toEqual(sale);
    expect(all.slice(sale.length)).toEqual([
      {
        accrual_date: iso(refundedAt),
        type_id: 5,
        sku: 1473290080,
        quantity: 1,
        accrued: { amount: '-2990.00', currency: 'RUB' },
        seller_price: { amount: '2990.00', currency: 'RUB' },
      },
      {
        accrual_date: iso(refundedAt),
        type_id: 2,
        sku: 1473290080,
        quantity: 1,
        accrued: { amount: '448.50', currency: 'RUB' },
        seller_price: { amount: '2990.00', currency: 'RUB' },
      },
      {
        accrual_date: iso(refundedAt),
        type_id: 6,
        sku: 0,
        quantity: 0,
        accrued: { amount: '-300.00', currency: 'RUB' },
        seller_price: { amount: '0.00', currency: 'RUB' },
      },
    ]);
    expect(total(all)).toBe(116.5);
    const types = (await call(sb, '/v1/finance/accrual/types', {})).body.accrual_types as Json[];
    expect(types.filter((t) => t.id >= 5).map((t) => t.name)).toEqual([
      'ClientReturnAgentOperation',
      'MarketplaceSellerReexposureDeliveryReturnOperation',
    ]);
    // no push for returns: only the posting's own state changes
    await waitFor(() => rx.got.length > 0);
    expect(new Set(rx.got.map((g) => g.message_type))).toEqual(new Set(['TYPE_STATE_CHANGED']));
    expect(sb.afterSale().rfbsReturns[0]).toMatchObject({ autoApproved: false, state: 'MONEY_RETURNED' });
    const roles = (await call(sb, '/v1/roles', {})).body.roles as Json[];
    expect(roles.find((x) => x.name === 'Posting FBS')?.methods).toEqual(
      expect.arrayContaining(['/v1/returns/rfbs/action/set', '/v1/returns/list', '/v2/conditional-cancellation/list']),
    );
  });

  it('rejection needs a reason and a comment; partial compensation; errors; unanswered -> approved at the deadline', async () => {
    const { sb, clock } = await start();
    const mk = () =>
      sb.createPosting({
        schema: 'rfbs',
        startAt: 'delivered',
        lines: [{ offer_id: 'KETTLE-17L', quantity: 1 }],
        returnAfterDeliveryMs: 0,
      }).posting_number;
    const [a, b, c] = [mk(), mk(), mk()];
    clock.advance(0);
    const ids = (await rfbsList(sb)).map((r) => r.return_id as number);
    expect(ids).toHaveLength(3);
    const [ra, rb, rc] = ids as [number, number, number];

    // -1: rejection_reason_id and comment are required; the reason must be one of get's
    expect((await action(sb, ra, { id: -1, comment: 'нет' })).body).toEqual(
      err('invalid request payload: rejection_reason_id: required for id -1 and -10'),
    );
    expect((await action(sb, ra, { id: -1, rejection_reason_id: 2 })).body).toEqual(
      err('invalid request payload: comment: required for id -1 and -10'),
    );
    expect((await action(sb, ra, { id: -1, rejection_reason_id: 99, comment: 'x' })).body).toEqual(
      err('REJECTION_REASON_NOT_FOUND'),
    );
    expect((await action(sb, ra, { id: -10, rejection_reason_id: 1, comment: 'x' })).body).toEqual(
      err('RETURN_ACTION_NOT_AVAILABLE'),
    );
    expect((await action(sb, ra, { id: -1, rejection_reason_id: 1, comment: 'Товар исправен' })).status).toBe(200);
    const rejected = await rfbsGet(sb, ra);
    expect(rejected).toMatchObject({
      available_actions: [],
      rejection_comment: 'Товар исправен',
      rejection_reason: [{ id: 1, name: 'Товар без недостатков', is_comment_required: true, hint: expect.any(String) }],
      state: { state: 'REJECTED', state_name: 'Заявка отклонена' },
    });
    expect((await rfbsList(sb, { group_state: ['Rejected'] })).map((r) => r.posting_number)).toEqual([a]);

    // 1020: a partial compensation, more than 0 and less than the price
    const tooMuch = await action(sb, rb, { id: 1020, compensation_amount: 2990 });
    expect(tooMuch.body.message).toMatch(/^invalid request payload: compensation_amount:/);
    expect((await action(sb, rb, { id: 1020 })).status).toBe(400);
    expect((await action(sb, rb, { id: 1020, compensation_amount: 0 })).status).toBe(400);
    expect((await action(sb, rb, { id: 1020, compensation_amount: 500.5 })).status).toBe(200);
    expect((await rfbsGet(sb, rb)).state.state).toBe('PARTIAL_COMPENSATION_RETURNED');
    expect((await rfbsList(sb, { posting_number: b }))[0]?.state.money_return_state_name).toBe(
      'Частичная компенсация возвращена покупателю',
    );
    clock.advance(6 * HOUR); // the sale is settled: the compensation shows after it
    const comp = (await accruals(sb, b)).filter((x) => x.type_id === 5);
    expect(comp).toEqual([
      {
        accrual_date: iso(T0 + 6 * HOUR),
        type_id: 5,
        sku: 1473290080,
        quantity: 0,
        accrued: { amount: '-500.50', currency: 'RUB' },
        seller_price: { amount: '2990.00', currency: 'RUB' },
      },
    ]);

    // unknown return; a bad body
    for (const path of ['/v2/returns/rfbs/get', '/v1/returns/rfbs/action/set']) {
      const r = await call(sb, path, { return_id: 1, id: 1010 });
      expect([r.status, r.body]).toEqual([404, { code: 5, message: 'RETURN_NOT_FOUND', details: [] }]);
    }
    expect((await call(sb, '/v1/returns/rfbs/action/set', { return_id: rc })).status).toBe(400); // no id

    // c is never answered: approved by the sandbox 72 h after it was made
    clock.advance(72 * HOUR - 6 * HOUR - 1);
    expect((await rfbsGet(sb, rc)).state.state).toBe('ON_APPROVAL');
    clock.advance(1);
    expect((await rfbsGet(sb, rc)).state.state).toBe('MOVING_TO_SELLER');
    expect(sb.afterSale().rfbsReturns.map((r) => [r.posting_number, r.state, r.autoApproved])).toEqual([
      [a, 'REJECTED', false],
      [b, 'PARTIAL_COMPENSATION_RETURNED', false],
      [c, 'MOVING_TO_SELLER', true],
    ]);
    clock.advance(48 * HOUR);
    expect((await rfbsGet(sb, rc)).state.state).toBe('ARRIVED_AT_RETURN_PLACE');
  });

  it('the older /v2/returns/rfbs methods drive the same requests', async () => {
    const { sb, clock } = await start();
    const mk = () =>
      sb.createPosting({
        schema: 'rfbs',
        startAt: 'delivered',
        lines: [{ offer_id: 'KETTLE-17L', quantity: 1 }],
        returnAfterDeliveryMs: HOUR,
      }).posting_number;
    const [a, b, c] = [mk(), mk(), mk()];
    clock.advance(HOUR);
    const idOf = async (pn: string) => (await rfbsList(sb, { posting_number: pn }))[0]?.return_id as number;
    const [ra, rb, rc] = [await idOf(a), await idOf(b), await idOf(c)];

    const verify = await call(sb, '/v2/returns/rfbs/verify', { return_id: ra, return_method_description: 'Почтой' });
    expect([verify.status, verify.body]).toEqual([200, {}]);
    expect((await rfbsGet(sb, ra)).return_method_description).toBe('Почтой');
    expect((await call(sb, '/v2/returns/rfbs/receive-return', { return_id: ra })).body).toEqual(
      err('RETURN_ACTION_NOT_AVAILABLE'),
    );
    clock.advance(48 * HOUR);
    expect((await call(sb, '/v2/returns/rfbs/receive-return', { return_id: ra })).status).toBe(200);
    // reject after the check (-10); reason 2 needs no comment in the older method
    expect((await call(sb, '/v2/returns/rfbs/reject', { return_id: ra })).status).toBe(400); // reason required
    expect((await call(sb, '/v2/returns/rfbs/reject', { return_id: ra, rejection_reason_id: 1 })).body).toEqual(
      err('invalid request payload: comment: required for this rejection_reason (is_comment_required)'),
    );
    expect((await call(sb, '/v2/returns/rfbs/reject', { return_id: ra, rejection_reason_id: 2 })).status).toBe(200);
    expect((await rfbsGet(sb, ra)).state.state).toBe('REJECTED');

    expect((await call(sb, '/v2/returns/rfbs/return-money', { return_id: rb, return_for_back_way: -5 })).status).toBe(
      200,
    );
    expect(sb.afterSale().rfbsReturns[1]?.refund).toMatchObject({ amount: 2990, backWay: 0, full: true });
    expect((await call(sb, '/v2/returns/rfbs/compensate', { return_id: rc, compensation_amount: 'abc' })).status).toBe(
      400,
    );
    expect(
      (await call(sb, '/v2/returns/rfbs/compensate', { return_id: rc, compensation_amount: '199.90' })).status,
    ).toBe(200);
    expect((await rfbsGet(sb, rc)).state.state).toBe('PARTIAL_COMPENSATION_RETURNED');
  });
});

describe('FBS returns', () => {
  it('/v1/returns/list: moving, at the drop-off point with storage dates, collected or utilized; the refund reverses the sale', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const mk = () =>
      sb.createPosting({
        startAt: 'delivered',
        lines: [{ offer_id: 'BOTTLE-750-STL', quantity: 2 }],
        returnAfterDeliveryMs: HOUR,
        returnReasonId: 2,
      }).posting_number;
    const [a, b] = [mk(), mk()];
    const pa = await get(sb, a);
    expect(await fbsList(sb)).toEqual({ returns: [], has_next: false });
    clock.advance(HOUR);
    const moving = await fbsList(sb);
    expect(moving.returns).toHaveLength(2);
    const ra = moving.returns[0] as Json;
    expect(ra).toEqual({
      exemplars: [{ id: pa.order_id * 10_000 + 1 }],
      id: 1000000001,
      company_id: 123456,
      return_reason_name: 'Не подошёл размер',
      type: 'ClientReturn',
      schema: 'Fbs',
      order_id: pa.order_id,
      order_number: pa.order_number,
      place: expect.objectContaining({ name: 'СЦ_Львовский_Возвраты' }),
      target_place: { id: 1020002075314000, name: 'Пункт приёма FBS', address: 'Россия, Москва, ул. Складская, 1' },
      storage: {
        sum: { currency_code: 'RUB', price: 0 },
        tariffication_first_date: null,
        tariffication_start_date: null,
        arrived_moment: null,
        days: 0,
        utilization_sum: { currency_code: 'RUB', price: 50 },
        utilization_forecast_date: null,
      },
      product: {
        sku: 1473290059,
        offer_id: 'BOTTLE-750-STL',
        name: 'Бутылка для воды стальная 750 мл',
        price: { currency_code: 'RUB', price: 1490 },
        price_without_commission: { currency_code: 'RUB', price: 1266.5 },
        commission_percent: 15,
        commission: { currency_code: 'RUB', price: 223.5 },
        quantity: 1,
      },
      logistic: {
        technical_return_moment: null,
        final_moment: null,
        cancelled_with_compensation_moment: null,
        return_date: iso(T0 + HOUR),
        barcode: 'ii1000000001',
      },
      visual: {
        status: { id: 2, display_name: 'Возврат на пути к продавцу', sys_name: 'MovingToSeller' },
        change_moment: iso(T0 + HOUR),
      },
      additional_info: { is_opened: false, is_super_econom: false },
      source_id: 1000000001,
      posting_number: a,
      clearing_id: pa.order_id * 100 + 1,
      return_clearing_id: null,
      compensation_status: null,
    });

    clock.advance(48 * HOUR);
    const arrivedAt = T0 + 49 * HOUR;
    const at = (await fbsList(sb)).returns as Json[];
    expect(at.map((x) => x.visual.status.sys_name)).toEqual(['ArrivedAtReturnPlace', 'ArrivedAtReturnPlace']);
    expect(at[0]?.visual.status).toEqual({ id: 3, display_name: 'В пункте выдачи', sys_name: 'ArrivedAtReturnPlace' });
    expect(at[0]?.place.id).toBe(1020002075314000);
    expect(at[0]?.storage).toEqual({
      sum: { currency_code: 'RUB', price: 0 },
      tariffication_first_date: iso(arrivedAt + 8 * DAY),
      tariffication_start_date: iso(arrivedAt + 7 * DAY),
      arrived_moment: iso(arrivedAt),
      days: 0,
      utilization_sum: { currency_code: 'RUB', price: 50 },
      utilization_forecast_date: iso(arrivedAt + 30 * DAY),
    });

    // filters: one period at most; posting numbers, status, barcode, schema, paging
    const ids = async (filter: Json, more: Json = {}) =>
      ((await fbsList(sb, filter, more)).returns as Json[]).map((x) => x.posting_number);
    expect(await ids({ posting_numbers: [b] })).toEqual([b]);
    expect(await ids({ visual_status_name: 'MovingToSeller' })).toEqual([]);
    expect(await ids({ barcode: 'ii1000000002' })).toEqual([b]);
    expect(await ids({ return_schema: 'FBO' })).toEqual([]);
    expect(await ids({ offer_id: 'BOTTLE-750-STL', product_name: 'бутылка', warehouse_id: FBS_WH })).toEqual([a, b]);
    expect(await ids({ order_id: pa.order_id })).toEqual([a]);
    expect(
      await ids({
        storage_tariffication_start_date: { time_from: iso(arrivedAt + 7 * DAY), time_to: iso(arrivedAt + 7 * DAY) },
      }),
    ).toEqual([a, b]);
    expect(await ids({ logistic_return_date: { time_from: iso(T0 + 2 * HOUR) } })).toEqual([]);
    const page = await fbsList(sb, {}, { limit: 1 });
    expect([page.returns.length, page.has_next]).toEqual([1, true]);
    expect(await ids({}, { last_id: page.returns[0].id })).toEqual([b]);
    const two = await call(sb, '/v1/returns/list', {
      filter: { logistic_return_date: {}, visual_status_change_moment: {} },
      limit: 1,
    });
    expect(two.body).toEqual(
      err(
        'invalid request payload: filter: use only one of logistic_return_date, storage_tariffication_start_date, visual_status_change_moment',
      ),
    );
    expect((await call(sb, '/v1/returns/list', { limit: 501 })).status).toBe(400);

    // the seller collects a at the drop-off point; b waits and is charged, then utilized
    clock.advance(HOUR);
    sb.collectReturn(1000000001);
    const collectedAt = clock.now();
    expect(() => sb.collectReturn(1000000001)).toThrow(/ReceivedBySeller/);
    expect(() => sb.collectReturn(42)).toThrow(/unknown FBS return 42/);
    clock.advance(10 * DAY - HOUR);
    const later = (await fbsList(sb)).returns as Json[];
    expect(later[0]).toMatchObject({
      visual: { status: { id: 4, sys_name: 'ReceivedBySeller' }, change_moment: iso(collectedAt) },
      logistic: { final_moment: iso(collectedAt) },
      storage: { days: 0, sum: { price: 0 } },
    });
    expect(later[1]?.storage).toMatchObject({ days: 10, sum: { currency_code: 'RUB', price: 45 } });
    clock.advance(20 * DAY);
    const utilized = ((await fbsList(sb)).returns as Json[])[1];
    expect(utilized?.visual).toEqual({
      status: { id: 5, display_name: 'Утилизирован', sys_name: 'Utilized' },
      change_moment: iso(arrivedAt + 30 * DAY),
    });
    expect(() => sb.collectReturn(1000000002)).toThrow(/Utilized/);
    expect(sb.afterSale().fbsReturns.map((f) => f.status)).toEqual(['ReceivedBySeller', 'Utilized']);

    // Ozon refunded the buyer when the unit was handed back: one unit's revenue and commission reversed, dated at
    // the settlement (which came later)
    const acc = await accruals(sb, a);
    expect(acc.slice(2)).toEqual([
      expect.objectContaining({ type_id: 5, quantity: 1, accrued: { amount: '-1490.00', currency: 'RUB' } }),
      expect.objectContaining({ type_id: 2, quantity: 1, accrued: { amount: '223.50', currency: 'RUB' } }),
    ]);
    expect(acc[2]?.accrual_date).toBe(iso(T0 + 6 * HOUR));
    expect(total(acc)).toBe(2533 - 1266.5);
    expect(rx.got).toEqual([]); // adopted postings and their returns: nothing pushed
  });
});

describe('state file', () => {
  function tempDir() {
    const dir = mkdtempSync(join(tmpdir(), 'ozon-sandbox-aftersale-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }
  const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;

  it('requests, returns and their pending deadlines survive a kill -9; older files restore with defaults', async () => {
    const dir = tempDir();
    const file = join(dir, 'state.json');
    const { sb: a, clock: clockA } = await start({ stateFile: file });
    const asking = a.createPosting({ schema: 'rfbs', cancellationRequestAfterMs: HOUR }).posting_number;
    const approved = a.createPosting({ schema: 'rfbs', startAt: 'delivered', returnAfterDeliveryMs: 0 }).posting_number;
    const fbs = a.createPosting({ startAt: 'delivered', returnAfterDeliveryMs: 0 }).posting_number;
    const later = a.createPosting({
      schema: 'rfbs',
      startAt: 'delivered',
      returnAfterDeliveryMs: 5 * HOUR,
    }).posting_number;
    clockA.advance(HOUR);
    const returnId = (await rfbsList(a, { posting_number: approved }))[0]?.return_id as number;
    expect((await action(a, returnId, { id: 1010 })).status).toBe(200);
    await Promise.resolve();

    const killed = join(dir, 'killed.json');
    copyFileSync(file, killed);
    const before = readJson(killed);
    expect(before).toEqual(a.snapshot());
    const s = before.afterSale as Json;
    expect(s.nextId).toBe(4);
    expect(s.plans.map((p: Json) => [p.posting_number, p.pending])).toEqual([
      [asking, []],
      [approved, []],
      [fbs, []],
      [later, [{ kind: 'return', due: T0 + 5 * HOUR }]],
    ]);
    expect(s.cancellations).toEqual([
      expect.objectContaining({ posting_number: asking, pending: [{ kind: 'autoApprove', due: T0 + 49 * HOUR }] }),
    ]);
    expect(s.rfbsReturns).toEqual([
      expect.objectContaining({ state: 'MOVING_TO_SELLER', pending: [{ kind: 'arrived', due: T0 + 49 * HOUR }] }),
    ]);
    expect(s.fbsReturns).toEqual([
      expect.objectContaining({ status: 'MovingToSeller', pending: [{ kind: 'arrived', due: T0 + 48 * HOUR }] }),
    ]);

    const clockB = manualClock(before.savedAt + MINUTE);
    const { sb: b } = await start({ stateFile: killed, clock: clockB });
    expect((b.snapshot() as Json).afterSale).toEqual(before.afterSale);
    expect((await cancellations(b)).result.map((c: Json) => c.state.state)).toEqual(['ON_APPROVAL']);
    // the restored deadlines and arrivals run on the new clock
    clockB.advance(T0 + 49 * HOUR - clockB.now());
    expect((await get(b, asking)).status).toBe('cancelled');
    expect((await cancellations(b)).result[0].state).toEqual({
      id: 4,
      name: 'Подтверждена автоматически',
      state: 'APPROVED',
    });
    expect((await rfbsGet(b, returnId)).state.state).toBe('ARRIVED_AT_RETURN_PLACE');
    expect(((await fbsList(b)).returns as Json[])[0]?.visual.status.sys_name).toBe('ArrivedAtReturnPlace');
    const opened = await rfbsList(b, { posting_number: later });
    expect(opened).toEqual([expect.objectContaining({ created_at: iso(T0 + 5 * HOUR), return_id: 800000004 })]);
    // ids go on from the saved sequence
    b.createPosting({ schema: 'rfbs', cancellationRequestAfterMs: 0 });
    clockB.advance(0);
    expect((await cancellations(b)).result.map((c: Json) => c.cancellation_id)).toEqual([90000003, 90000005]);
    await Promise.resolve();
    expect(readJson(killed)).toEqual(b.snapshot());

    // a file written before after-sale records existed still restores
    const old = readJson(file);
    delete old.afterSale;
    const oldFile = join(dir, 'old.json');
    writeFileSync(oldFile, JSON.stringify(old));
    const { sb: c } = await start({ stateFile: oldFile, clock: manualClock(old.savedAt) });
    expect((c.snapshot() as Json).afterSale).toEqual({
      nextId: 1,
      plans: [],
      cancellations: [],
      rfbsReturns: [],
      fbsReturns: [],
    });
  });
});
