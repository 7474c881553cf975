/**
 * What a posting may need before /v4/posting/fbs/ship: its exemplars with their marking codes
 * (docs/19-fbsandrfbsmarks.md; the rules are in exemplars.ts) and, for a multi-box product, the box count
 * (/v3/posting/multiboxqty/set, docs/14-fbs.md). Request and response fields follow swagger.
 */
import { z } from 'zod';
import {
  type Exemplar,
  exemplarStatus,
  exemplarsByProduct,
  markFormatErrors,
  renderStatusProducts,
} from './exemplars.js';
import { int64, json, parse } from './http.js';
import { ApiError } from './model.js';
import { multiBoxFields } from './render.js';
import type { Handler } from './routes.js';

const mark = z.object({ mark: z.string(), mark_type: z.string() });

const S = {
  set: z.object({
    posting_number: z.string().min(1),
    multi_box_qty: z.number().int().min(0).optional(),
    products: z
      .array(
        z.object({
          product_id: int64,
          exemplars: z.array(
            z.object({
              exemplar_id: int64,
              gtd: z.string().optional(),
              is_gtd_absent: z.boolean().optional(),
              rnpt: z.string().optional(),
              is_rnpt_absent: z.boolean().optional(),
              marks: z.array(mark).optional(),
            }),
          ),
        }),
      )
      .min(1),
  }),
  posting: z.object({ posting_number: z.string().min(1) }),
  validate: z.object({
    posting_number: z.string().min(1),
    products: z
      .array(
        z.object({
          product_id: int64,
          exemplars: z.array(
            z.object({ gtd: z.string().optional(), marks: z.array(mark).optional(), rnpt: z.string().optional() }),
          ),
        }),
      )
      .min(1),
  }),
  multiBox: z.object({ posting_number: z.string().min(1), multi_box_qty: int64.refine((n) => n >= 1) }),
};

export const ASSEMBLY_ROUTES: Record<string, Handler> = {
  '/v6/fbs/posting/product/exemplar/set': (body, ctx) => {
    const b = parse(S.set, body);
    const p = ctx.model.get(b.posting_number);
    const products = b.products.map((pr) => ({
      product_id: pr.product_id,
      exemplars: pr.exemplars.map(
        (ex): Exemplar => ({
          exemplar_id: ex.exemplar_id,
          gtd: ex.gtd ?? '',
          is_gtd_absent: ex.is_gtd_absent ?? false,
          rnpt: ex.rnpt ?? '',
          is_rnpt_absent: ex.is_rnpt_absent ?? false,
          marks: (ex.marks ?? []).map((mk) => ({ mark: mk.mark, mark_type: mk.mark_type })),
        }),
      ),
    }));
    ctx.model.setExemplars(p, products, b.multi_box_qty);
    // swagger documents the 200 without a body ("Запрос обработан"): the task is created, see exemplar/status
    return json(200, {});
  },

  '/v6/fbs/posting/product/exemplar/create-or-get': (body, ctx) => {
    const b = parse(S.posting, body);
    const p = ctx.model.get(b.posting_number);
    return json(200, {
      multi_box_qty: multiBoxFields(p).multi_box_qty,
      posting_number: p.posting_number,
      products: exemplarsByProduct(p).map((pr) => ({
        product_id: pr.sku,
        quantity: pr.quantity,
        exemplars: pr.exemplars.map((ex) => ({
          exemplar_id: ex.exemplar_id,
          gtd: ex.gtd,
          is_gtd_absent: ex.is_gtd_absent,
          is_rnpt_absent: ex.is_rnpt_absent,
          marks: ex.marks,
          rnpt: ex.rnpt,
        })),
        // the sandbox's postings need "Честный ЗНАК" marks (marksRequired) and nothing else
        is_gtd_needed: false,
        is_jw_uin_needed: false,
        is_mandatory_mark_needed: p.marksRequired,
        is_mandatory_mark_possible: p.marksRequired,
        is_rnpt_needed: false,
      })),
    });
  },

  '/v5/fbs/posting/product/exemplar/status': (body, ctx) => {
    const b = parse(S.posting, body);
    const p = ctx.model.get(b.posting_number);
    // swagger Частые ошибки: set and status need awaiting_packaging
    if (p.status !== 'awaiting_packaging') throw new ApiError(400, 3, "Posting must have 'awaiting_packaging' status");
    const now = ctx.model.now();
    return json(200, {
      posting_number: p.posting_number,
      products: renderStatusProducts(p, now),
      status: exemplarStatus(p, now),
    });
  },

  '/v5/fbs/posting/product/exemplar/validate': (body, ctx) => {
    const b = parse(S.validate, body);
    const p = ctx.model.get(b.posting_number);
    // format only ("по количеству и составу символов"); whether a code is in circulation is for exemplar/set
    const seen = new Map<string, number>();
    for (const pr of b.products)
      for (const ex of pr.exemplars) for (const mk of ex.marks ?? []) seen.set(mk.mark, (seen.get(mk.mark) ?? 0) + 1);
    return json(200, {
      products: b.products.map((pr) => {
        let error = '';
        if (!p.lines.some((l) => l.sku === pr.product_id && l.quantity > 0)) error = 'UNKNOWN_PRODUCT_DEFINED';
        else if (
          !p.marksRequired &&
          pr.exemplars.some((ex) => ex.marks?.some((mk) => mk.mark_type === 'mandatory_mark'))
        )
          error = 'MANDATORY_MARK_REDUNDANT';
        const exemplars = pr.exemplars.map((ex) => {
          const marks = (ex.marks ?? []).map((mk) => {
            const errors = markFormatErrors(mk.mark, mk.mark_type);
            if ((seen.get(mk.mark) ?? 0) > 1) errors.push('MARK_DUPLICATED');
            return { errors, mark: mk.mark, mark_type: mk.mark_type, valid: errors.length === 0 };
          });
          // a unit of a product that needs a mark and has none
          const errors =
            p.marksRequired && !marks.some((mk) => mk.mark_type === 'mandatory_mark')
              ? ['EXEMPLAR_INFO_NOT_FILLED_COMPLETELY']
              : [];
          return {
            errors,
            gtd: ex.gtd ?? '',
            marks,
            rnpt: ex.rnpt ?? '',
            valid: errors.length === 0 && marks.every((mk) => mk.valid),
          };
        });
        return {
          error,
          exemplars,
          product_id: pr.product_id,
          valid: error === '' && exemplars.every((ex) => ex.valid),
        };
      }),
    });
  },

  '/v3/posting/multiboxqty/set': (body, ctx) => {
    const b = parse(S.multiBox, body);
    const p = ctx.model.get(b.posting_number);
    ctx.model.setMultiBoxQty(p, b.multi_box_qty);
    // swagger postingv3PostingMultiBoxQtySetV3Response
    return json(200, { result: { result: true } });
  },
};

/** no state change: no state-file write after them */
export const ASSEMBLY_READ_ONLY = [
  '/v6/fbs/posting/product/exemplar/create-or-get',
  '/v5/fbs/posting/product/exemplar/status',
  '/v5/fbs/posting/product/exemplar/validate',
];
