/**
 * What the ReturnLifecycle steps share: their input, reading a return from Ozon (rFBS: `/v2/returns/rfbs/get`; FBS:
 * `/v1/returns/list` by posting number), its record created from the first read, and what happens to a unit that
 * came back once the seller checked it.
 */
import * as z from 'zod/mini';
import { setPacking } from '#fulfilment/packing-store';
import { sendAccountAlert, sendReturnAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { getOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import type { FbsReturn, RfbsReturn } from '#shared/ozon/schemas';
import { flagQualityCheck, restockReturned } from '#stock/stock-store';
import { qualityFlagged, requestDeadlines } from './return-rules';
import { claimUnit, countDefect, createReturn, getReturn, type ReturnRecord } from './return-store';

export const ReturnInput = z.object({
  returnId: z.number().check(z.int(), z.positive()),
  schema: z.enum(['rfbs', 'fbs']),
  postingNumber: z.string().check(z.minLength(1), z.maxLength(64)),
  /** `$$.Execution.Id`: the seller's alerts link to the return's execution. */
  executionArn: z.optional(z.string()),
});
export type ReturnInput = z.infer<typeof ReturnInput>;
/** Where the execution goes after a step: follow the parcel back, reconcile the refund, or end. */
export type Next = 'parcel' | 'refund' | 'closed';
export const out = (input: ReturnInput, next: Next) => ({
  returnId: input.returnId,
  schema: input.schema,
  postingNumber: input.postingNumber,
  next,
});

export const SELLER_RETURN_CALLBACK = 'POST <seller API>/returnRequest';
export const SELLER_CHECK_CALLBACK = 'POST <seller API>/returnCheck';

export async function readRfbs(returnId: number): Promise<RfbsReturn> {
  return (await ozon().call('rfbsReturn', { return_id: returnId })).returns;
}

/** An FBS return as Ozon lists it now; undefined while Ozon does not list it (yet). */
export async function readFbs(postingNumber: string, returnId: number): Promise<FbsReturn | undefined> {
  const { returns } = await ozon().call('fbsReturns', {
    filter: { posting_numbers: [postingNumber], return_schema: 'FBS' },
    limit: 50,
  });
  return returns.find((r) => r.id === returnId);
}

/** The ids of the actions Ozon offers for an rFBS return now (docs' {action{id}} or swagger's {id}). */
export const offered = (r: RfbsReturn): Set<number> =>
  new Set(r.available_actions.map((a) => a.action?.id ?? a.id).filter((id): id is number => typeof id === 'number'));

/** The record, created from Ozon's facts on the first read. */
export async function recordOf(input: ReturnInput, f: Facts): Promise<ReturnRecord> {
  const existing = await getReturn(input.returnId);
  if (existing) return existing;
  const order = await getOrder(input.postingNumber, { consistent: false });
  const given = f.createdAt ? Date.parse(f.createdAt) : Number.NaN;
  const createdMs = Number.isNaN(given) ? now() : given;
  const policy = env('policy');
  const { deadline, answerBy } = requestDeadlines(createdMs, policy.RETURN_DECISION_HOURS, policy.RETURN_MARGIN_HOURS);
  const record = await createReturn({
    returnId: input.returnId,
    schema: input.schema,
    postingNumber: input.postingNumber,
    offerId: f.offerId,
    ...(f.sku ? { sku: f.sku } : {}),
    price: f.price,
    currency: f.currency || order?.currency || 'RUB',
    reason: f.reason || 'no reason given',
    ...(f.reasonId !== undefined ? { reasonId: f.reasonId } : {}),
    isDefect: f.isDefect,
    ...(order ? { warehouseId: order.warehouseId } : {}),
    createdAt: new Date(createdMs).toISOString(),
    ...(input.executionArn ? { executionArn: input.executionArn } : {}),
    ...(input.schema === 'rfbs'
      ? { answerBy: new Date(answerBy).toISOString(), deadline: new Date(deadline).toISOString() }
      : {}),
  });
  // The buyer's claim of a defect counts towards the offer's quality flag however the request is answered.
  if (record.isDefect) await countDefectOf(record);
  return record;
}

export interface Facts {
  offerId: string;
  sku?: number;
  price: number;
  currency?: string;
  reason?: string;
  reasonId?: number;
  isDefect: boolean;
  createdAt?: string | null;
}

export const rfbsFacts = (r: RfbsReturn): Facts => ({
  offerId: r.product?.offer_id ?? '',
  sku: r.product?.sku ?? undefined,
  price: r.product?.price ?? 0,
  currency: r.product?.currency_code ?? undefined,
  reason: r.return_reason?.name ?? undefined,
  reasonId: r.return_reason?.id ?? undefined,
  isDefect: r.return_reason?.is_defect === true,
  createdAt: r.created_at,
});

export const fbsFacts = (r: FbsReturn): Facts => ({
  offerId: r.product?.offer_id ?? '',
  sku: r.product?.sku ?? undefined,
  price: r.product?.price?.price ?? 0,
  currency: r.product?.price?.currency_code ?? undefined,
  reason: r.return_reason_name ?? undefined,
  // `/v1/returns/list` says no more than the reason's name: only the seller's check tells a defect.
  isDefect: false,
  createdAt: r.logistic?.return_date,
});

/** Counts a defect return once, and flags the offer for a quality check when it reaches the threshold. */
async function countDefectOf(record: ReturnRecord) {
  const threshold = env('policy').QUALITY_DEFECT_THRESHOLD;
  const defects = await countDefect(record.offerId, record.returnId);
  // Flagged by the return that reaches the threshold, once: later ones find the offer flagged already.
  if (defects !== undefined && qualityFlagged(defects, threshold) && !qualityFlagged(defects - 1, threshold)) {
    if (record.warehouseId !== undefined) await flagQualityCheck(record.warehouseId, record.offerId);
    // And on the seller's check list: every posting of the offer waits for the warehouse's check before shipping.
    await setPacking(record.offerId, { qualityCheck: true });
    await sendAccountAlert(
      { kind: 'quality_flag', offerId: record.offerId, defects },
      { once: `quality#${record.offerId}` },
    );
  }
}

/**
 * The unit the seller checked: resellable back on the shelf (and to Ozon's stock through the poller's publishing),
 * defective written off and counted for the quality flag. Once per return, whichever step or retry gets here.
 */
export async function handleUnit(record: ReturnRecord, input: ReturnInput): Promise<void> {
  const check = record.check;
  if (!check || record.unit) return;
  // rFBS rejected after the check: the unit goes back to the buyer, not to the shelf (a defect still counts).
  if (record.schema === 'rfbs' && !check.refund) {
    await claimUnit(record.returnId, 'back_to_buyer');
    if (check.condition === 'defective') await countDefectOf(record);
    return;
  }
  if (check.condition === 'resellable') {
    if (record.warehouseId === undefined || !record.offerId) {
      // A posting from before the product: its warehouse is not known here.
      await sendReturnAlert(
        { ...record, executionArn: input.executionArn },
        {
          kind: 'return_left',
          offerId: record.offerId,
          reason: 'the posting is not followed here, so its warehouse is unknown: put the unit back with POST /stock',
        },
      );
      return;
    }
    if (await restockReturned(record.returnId, record.warehouseId, record.offerId)) {
      await alertDone(record, input, 'restocked');
    }
    return;
  }
  const done = await claimUnit(record.returnId, 'written_off');
  if (check.condition === 'defective') await countDefectOf(record);
  if (done) await alertDone(record, input, 'written_off');
}

export const alertDone = (
  record: ReturnRecord,
  input: ReturnInput,
  outcome: 'restocked' | 'written_off' | 'utilized' | 'rejected' | 'refunded',
) =>
  sendReturnAlert(
    { ...record, executionArn: input.executionArn },
    { kind: 'return_done', offerId: record.offerId, outcome },
    `return_done#${outcome}`,
  );
