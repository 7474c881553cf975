/**
 * After-sale methods (docs/26-cancellationapi.md, docs/24-rfbsreturnsapi.md, docs/23-returnsapi.md, swagger): rFBS
 * cancellation requests, rFBS return requests, FBS returns. The model is in aftersale.ts.
 */
import { z } from 'zod';
import { type AfterSale, RETURN_ACTIONS, RFBS_GROUP_STATES, returnPhotoPath } from './aftersale.js';
import { int64, json, parse } from './http.js';
import { ApiError } from './model.js';
import { barcodePng } from './png.js';
import type { Handler } from './routes.js';

const dateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an RFC 3339 date-time');
const ms = (s: string | undefined) => (s === undefined ? undefined : Date.parse(s));
/** /v1/returns/list periods: {time_from, time_to} */
const range = z.object({ time_from: dateTime.optional(), time_to: dateTime.optional() }).optional();
const rangeMs = (r: { time_from?: string; time_to?: string } | undefined) =>
  r && { from: ms(r.time_from), to: ms(r.time_to) };
const returnId = z.object({ return_id: int64 });

const S = {
  // swagger v2GetConditionalCancellationListV2Request: limit required, <= 500
  cancellationList: z.object({
    filters: z
      .object({
        cancellation_initiator: z.array(z.enum(['OZON', 'SELLER', 'CLIENT', 'SYSTEM', 'DELIVERY'])).optional(),
        posting_number: z.array(z.string()).optional(),
        state: z.enum(['ALL', 'ON_APPROVAL', 'APPROVED', 'REJECTED']).optional(),
      })
      .optional(),
    last_id: int64.optional(),
    limit: z.number().int().min(1).max(500),
    with: z.object({ counter: z.boolean().optional() }).optional(),
  }),
  // swagger v2ConditionalCancellationMoveV2Request: cancellation_id required
  cancellationMove: z.object({ cancellation_id: int64, comment: z.string().optional() }),
  // swagger v2ReturnsRfbsListRequest: limit required (no maximum documented: the docs' example's 1000)
  rfbsList: z.object({
    filter: z
      .object({
        offer_id: z.string().optional(),
        posting_number: z.string().optional(),
        group_state: z.array(z.enum(RFBS_GROUP_STATES)).optional(),
        created_at: z.object({ from: dateTime.optional(), to: dateTime.optional() }).optional(),
      })
      .optional(),
    last_id: int64.optional(),
    limit: z.number().int().min(1).max(1000),
  }),
  // swagger v1ReturnsRfbsActionSetRequest (docs: return_id required; `id` is what the call is for)
  actionSet: z.object({
    return_id: int64,
    id: z.number().int(),
    comment: z.string().optional(),
    compensation_amount: z.number().finite().optional(),
    rejection_reason_id: z.number().int().optional(),
    return_for_back_way: z.number().finite().optional(),
  }),
  reject: z.object({ return_id: int64, comment: z.string().optional(), rejection_reason_id: int64 }),
  // swagger: compensation_amount is a string here
  compensate: z.object({
    return_id: int64,
    compensation_amount: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a decimal number')
      .transform(Number)
      .optional(),
  }),
  verify: z.object({ return_id: int64, return_method_description: z.string().optional() }),
  returnMoney: z.object({ return_id: int64, return_for_back_way: int64.optional() }),
  // swagger v1GetReturnsListRequest: limit required, <= 500; posting_numbers <= 50
  fbsList: z.object({
    filter: z
      .object({
        logistic_return_date: range,
        storage_tariffication_start_date: range,
        visual_status_change_moment: range,
        order_id: int64.optional(),
        posting_numbers: z.array(z.string()).max(50).optional(),
        product_name: z.string().optional(),
        offer_id: z.string().optional(),
        visual_status_name: z.string().optional(),
        warehouse_id: int64.optional(),
        barcode: z.string().optional(),
        return_schema: z.string().optional(),
      })
      .optional(),
    limit: z.number().int().min(1).max(500),
    last_id: int64.optional(),
  }),
};

/** methods that change nothing: no state-file write after them */
export const AFTERSALE_READ_ONLY = [
  '/v2/conditional-cancellation/list',
  '/v2/returns/rfbs/list',
  '/v2/returns/rfbs/get',
  '/v1/returns/list',
];

/** swagger: the v2 decisions document no body (the v1 ones and the older return methods: v1Empty `{}`) */
const done = () => json(200, {});

export const AFTERSALE_ROUTES: Record<string, Handler> = {
  '/v2/conditional-cancellation/list': (body, ctx) => {
    const b = parse(S.cancellationList, body);
    const f = b.filters ?? {};
    const all = ctx.afterSale.cancellationList(
      { initiators: f.cancellation_initiator, postingNumbers: f.posting_number, state: f.state },
      b.last_id ?? 0,
    );
    const page = all.slice(0, b.limit);
    const res: Record<string, unknown> = {
      result: page.map((c) => ctx.afterSale.renderCancellation(c)),
      // "Идентификатор последнего значения на странице": the next request passes it back (unchanged on an empty page)
      last_id: page[page.length - 1]?.cancellation_id ?? b.last_id ?? 0,
    };
    if (b.with?.counter) res.counter = ctx.afterSale.onApprovalCount();
    return json(200, res);
  },

  '/v2/conditional-cancellation/approve': (body, ctx) => {
    const b = parse(S.cancellationMove, body);
    ctx.afterSale.approveCancellation(b.cancellation_id, b.comment ?? '');
    return done();
  },

  '/v2/conditional-cancellation/reject': (body, ctx) => {
    const b = parse(S.cancellationMove, body);
    // "В параметре comment опишите причину" (docs/26): the sandbox requires it (swagger requires only the id)
    if (!b.comment?.trim())
      throw new ApiError(400, 3, 'invalid request payload: comment: describe the reason to reject the request');
    ctx.afterSale.rejectCancellation(b.cancellation_id, b.comment);
    return done();
  },

  '/v2/returns/rfbs/list': (body, ctx) => {
    const b = parse(S.rfbsList, body);
    const f = b.filter ?? {};
    const all = ctx.afterSale.rfbsReturnList(
      {
        posting_number: f.posting_number,
        offer_id: f.offer_id,
        group_state: f.group_state,
        from: ms(f.created_at?.from),
        to: ms(f.created_at?.to),
      },
      b.last_id ?? 0,
    );
    // the docs' example: `returns` is an array (swagger types it as one object)
    return json(200, { returns: all.slice(0, b.limit).map((r) => ctx.afterSale.renderRfbsListItem(r)) });
  },

  '/v2/returns/rfbs/get': (body, ctx) => {
    const r = ctx.afterSale.rfbsReturn(parse(returnId, body).return_id);
    return json(200, { returns: ctx.afterSale.renderRfbsReturn(r, ctx.baseUrl) });
  },

  '/v1/returns/rfbs/action/set': (body, ctx) => {
    const b = parse(S.actionSet, body);
    ctx.afterSale.returnAction(b.return_id, b);
    return done();
  },

  // the older methods ("В будущем метод будет отключён"): the same state machine, one action each
  '/v2/returns/rfbs/reject': (body, ctx) => {
    const b = parse(S.reject, body);
    const id = ctx.afterSale.rejectionActionOf(b.return_id);
    ctx.afterSale.returnAction(
      b.return_id,
      { id, comment: b.comment, rejection_reason_id: b.rejection_reason_id },
      'reason',
    );
    return done();
  },

  '/v2/returns/rfbs/compensate': (body, ctx) => {
    const b = parse(S.compensate, body);
    ctx.afterSale.returnAction(b.return_id, {
      id: RETURN_ACTIONS.compensate.id,
      compensation_amount: b.compensation_amount,
    });
    return done();
  },

  '/v2/returns/rfbs/verify': (body, ctx) => {
    const b = parse(S.verify, body);
    ctx.afterSale.returnAction(b.return_id, {
      id: RETURN_ACTIONS.approve.id,
      return_method_description: b.return_method_description,
    });
    return done();
  },

  '/v2/returns/rfbs/receive-return': (body, ctx) => {
    ctx.afterSale.returnAction(parse(returnId, body).return_id, { id: RETURN_ACTIONS.receive.id });
    return done();
  },

  '/v2/returns/rfbs/return-money': (body, ctx) => {
    const b = parse(S.returnMoney, body);
    ctx.afterSale.returnAction(b.return_id, {
      id: RETURN_ACTIONS.returnMoney.id,
      return_for_back_way: b.return_for_back_way,
    });
    return done();
  },

  '/v1/returns/list': (body, ctx) => {
    const b = parse(S.fbsList, body);
    const f = b.filter ?? {};
    const periods = [f.logistic_return_date, f.storage_tariffication_start_date, f.visual_status_change_moment];
    // "Используйте только один фильтр в запросе: …, иначе вернётся ошибка" (docs/23)
    if (periods.filter((x) => x !== undefined).length > 1)
      throw new ApiError(
        400,
        3,
        'invalid request payload: filter: use only one of logistic_return_date, storage_tariffication_start_date, visual_status_change_moment',
      );
    const all = ctx.afterSale.fbsReturnList(
      {
        ...f,
        logistic_return_date: rangeMs(f.logistic_return_date),
        storage_tariffication_start_date: rangeMs(f.storage_tariffication_start_date),
        visual_status_change_moment: rangeMs(f.visual_status_change_moment),
      },
      b.last_id ?? 0,
    );
    const page = all.slice(0, b.limit);
    return json(200, {
      returns: page.map((x) => ctx.afterSale.renderFbsReturn(x, ctx.sellerId)),
      has_next: all.length > page.length,
    });
  },
};

/**
 * GET `client_photo` of an rFBS return: a small PNG (the bars of the return id and photo number: a stand-in picture).
 * Served without Client-Id / Api-Key, like the label files; not logged in `calls`. null: not such a path.
 */
export function returnPhotoFile(path: string, afterSale: AfterSale): Response | null {
  const m = /^\/sandbox\/files\/returns\/(\d+)\/(\d+)\.png$/.exec(path);
  if (!m) return null;
  const r = afterSale.rfbsReturns.find((x) => x.return_id === Number(m[1]));
  const n = Number(m[2]);
  if (!r || n < 1 || n > r.photos || returnPhotoPath(r.return_id, n) !== path)
    return new Response('not found', { status: 404 });
  return new Response(barcodePng(`${r.return_id}-${n}`), { status: 200, headers: { 'Content-Type': 'image/png' } });
}
