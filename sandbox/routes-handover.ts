/**
 * The FBS handover day's methods (docs/20-deliveryfbs.md, docs/14-fbs.md, swagger): the delivery list, acts
 * (carriages) and their documents, label tasks. The model is in handover.ts.
 */
import { z } from 'zod';
import { carriageBarcode, dateOf, type Handover, LABELS_PER_TASK, labelFilePath } from './handover.js';
import { int64, json, offsetPage, parse } from './http.js';
import { ApiError } from './model.js';
import { documentPdf, labelPdf } from './pdf.js';
import { barcodePng } from './png.js';
import type { Handler } from './routes.js';
import { iso } from './util.js';

/** 'YYYY-MM-DD' or an RFC 3339 date-time (the docs type departure_date both ways) -> 'YYYY-MM-DD' (UTC) */
const date = z.string().transform((s, ctx) => {
  const d = dateOf(s);
  if (d === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a date (YYYY-MM-DD) or an RFC 3339 date-time' });
    return z.NEVER;
  }
  return d;
});
/** act/list bounds: a bare date is the whole day (date_to inclusive), a date-time is exact */
const bound = (end: boolean) =>
  z.string().transform((s, ctx) => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(s) && dateOf(s) !== undefined)
      return Date.parse(`${s}T00:00:00Z`) + (end ? 24 * 3_600_000 - 1 : 0);
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be a date (YYYY-MM-DD) or an RFC 3339 date-time' });
      return z.NEVER;
    }
    return ms;
  });

const S = {
  // docs/20-deliveryfbs.md /v2/carriage/delivery/list: limit required, <= 1000
  deliveryList: z.object({
    cursor: z.string().optional(),
    filter: z.object({ delivery_method_id: int64.optional(), departure_date: date.optional() }).optional(),
    limit: z.number().int().min(1).max(1000),
  }),
  // swagger postingPostingFBSActCreateRequest: delivery_method_id required
  actCreate: z.object({
    delivery_method_id: int64,
    departure_date: date.optional(),
    containers_count: z.number().int().min(0).optional(),
  }),
  id: z.object({ id: int64 }),
  // swagger v2PostingFBSActListRequest: limit required (docs: <= 50); filter.date_from / date_to required in filter
  actList: z.object({
    filter: z
      .object({
        date_from: bound(false),
        date_to: bound(true),
        integration_type: z.string().optional(),
        status: z.array(z.string()).optional(),
      })
      .optional(),
    limit: z.number().int().min(1).max(50),
  }),
  labelCreate: z.object({ posting_number: z.array(z.string().min(1)).min(1).max(LABELS_PER_TASK) }),
  labelGet: z.object({ task_id: int64 }),
};

const file = (body: Uint8Array, contentType: string) =>
  new Response(body, { status: 200, headers: { 'Content-Type': contentType } });

/** methods that change nothing: no state-file write after them */
export const HANDOVER_READ_ONLY = [
  '/v2/carriage/delivery/list',
  '/v2/posting/fbs/act/check-status',
  '/v2/posting/fbs/act/get-postings',
  '/v2/posting/fbs/act/get-pdf',
  '/v2/posting/fbs/act/get-barcode',
  '/v2/posting/fbs/act/get-barcode/text',
  '/v2/posting/fbs/act/list',
  '/v1/posting/fbs/package-label/get',
];

export const HANDOVER_ROUTES: Record<string, Handler> = {
  '/v2/carriage/delivery/list': (body, ctx) => {
    const b = parse(S.deliveryList, body);
    const pg = offsetPage(ctx.handover.deliveryList(b.filter ?? {}), b.cursor, b.limit);
    return json(200, { cursor: pg.cursor, has_next: pg.hasNext, methods: pg.items });
  },

  '/v2/posting/fbs/act/create': (body, ctx) => {
    const b = parse(S.actCreate, body);
    const c = ctx.handover.createAct(b.delivery_method_id, b.departure_date, b.containers_count ?? 0);
    // swagger: result.id, "Номер задания на формирование штрихкода и документов"
    return json(200, { result: { id: c.id } });
  },

  '/v2/posting/fbs/act/check-status': (body, ctx) => {
    const c = ctx.handover.get(parse(S.id, body).id);
    return json(200, { result: ctx.handover.checkStatus(c) });
  },

  '/v2/posting/fbs/act/get-postings': (body, ctx) => {
    const c = ctx.handover.get(parse(S.id, body).id);
    return json(200, { result: ctx.handover.actPostings(c) });
  },

  // swagger: 200 content application/pdf; the changelog: "методы возвращают результат в бинарном виде"
  '/v2/posting/fbs/act/get-pdf': (body, ctx) => {
    const c = ctx.handover.get(parse(S.id, body).id);
    ctx.handover.requireFormed(c);
    return file(documentPdf('OZON SANDBOX SHIPPING LIST', ctx.handover.shippingList(c)), 'application/pdf');
  },

  // swagger: 200 content image/png
  '/v2/posting/fbs/act/get-barcode': (body, ctx) => {
    const c = ctx.handover.get(parse(S.id, body).id);
    ctx.handover.requireFormed(c);
    return file(barcodePng(carriageBarcode(c)), 'image/png');
  },

  '/v2/posting/fbs/act/get-barcode/text': (body, ctx) => {
    const c = ctx.handover.get(parse(S.id, body).id);
    ctx.handover.requireFormed(c);
    return json(200, { result: carriageBarcode(c) });
  },

  '/v2/posting/fbs/act/list': (body, ctx) => {
    const b = parse(S.actList, body);
    const f = b.filter;
    if (f && f.date_to < f.date_from)
      throw new ApiError(400, 3, 'invalid request payload: filter.date_to must not be before filter.date_from');
    const result = ctx.handover.list(
      { from: f?.date_from, to: f?.date_to, integrationType: f?.integration_type, statuses: f?.status },
      b.limit,
    );
    return json(200, { result });
  },

  '/v2/posting/fbs/package-label/create': (body, ctx) => {
    const b = parse(S.labelCreate, body);
    const tasks = ctx.handover.createLabelTasks(b.posting_number);
    // swagger v2CreateLabelBatchResponse: result.tasks[]{task_id, task_type}
    return json(200, { result: { tasks: tasks.map((t) => ({ task_id: t.task_id, task_type: t.task_type })) } });
  },

  '/v1/posting/fbs/package-label/get': (body, ctx) => {
    const t = ctx.handover.labelTask(parse(S.labelGet, body).task_id);
    return json(200, { result: ctx.handover.labelTaskView(t, ctx.baseUrl) });
  },
};

/**
 * GET `file_url` of a completed label task: the labels' PDF. Served without Client-Id / Api-Key (sandbox choice: a
 * download link, like Ozon's file links, carries no API headers); not logged in `calls`. null: not such a file.
 */
export function labelFile(path: string, handover: Handover): Response | null {
  if (!/^\/sandbox\/files\/package-label\/\d+\.pdf$/.test(path)) return null;
  const t = handover.labelTasks.find((x) => labelFilePath(x.task_id) === path);
  if (!t || handover.labelStatus(t) !== 'completed') return new Response('not found', { status: 404 });
  return file(labelPdf(t.printed, iso(t.readyAt)), 'application/pdf');
}
