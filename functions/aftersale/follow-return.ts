/**
 * FollowReturn: the returned unit on its way back and at the seller's, read from Ozon on every attempt.
 * - On its way: `ReturnInTransit`, looked at again every few hours.
 * - rFBS, at the post office: the seller is told to collect and check it; with the seller's check the product
 *   confirms receipt on Ozon and refunds or rejects after the check (each only as Ozon offers it now).
 * - FBS, at the drop-off point: the seller is told on arrival, before paid storage starts and before utilization
 *   (`ReturnNotCollected` until collected); collected, the seller's check decides the unit.
 * Then the unit: resellable back on the shelf (and Ozon's stock), defective written off. Utilized by Ozon: ended.
 */
import { sendReturnAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { ReturnAwaitingCheck, ReturnInTransit, ReturnNotCollected } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { ozon } from '#shared/ozon/client';
import type { FbsReturn, RfbsReturn } from '#shared/ozon/schemas';
import { dropoffWarnings, fbsStage, RETURN_ACTION, rfbsStage } from './return-rules';
import {
  alertDone,
  fbsFacts,
  handleUnit,
  offered,
  out,
  ReturnInput,
  readFbs,
  readRfbs,
  recordOf,
  rfbsFacts,
  SELLER_CHECK_CALLBACK,
} from './return-steps';
import { claimUnit, type ReturnRecord } from './return-store';

export async function followReturn(input: ReturnInput) {
  return input.schema === 'rfbs' ? followRfbs(input) : followFbs(input);
}

async function followRfbs(input: ReturnInput) {
  const r = await readRfbs(input.returnId);
  const record = await recordOf(input, rfbsFacts(r));
  const linked = { ...record, executionArn: input.executionArn };
  switch (rfbsStage(r.state?.state)) {
    case 'request':
    case 'in_transit':
    case 'unknown':
      throw new ReturnInTransit(`Return ${record.returnId} is on its way back`);
    case 'rejected':
      await alertDone(record, input, 'rejected');
      return out(input, 'closed');
    case 'refunded':
      // Refunded in the cabinet: the unit as the seller checked it, if they told the product.
      await handleUnit(record, input);
      return out(input, 'refund');
    case 'back': {
      await sendReturnAlert(linked, {
        kind: 'return_arrived',
        offerId: record.offerId,
        where: 'post',
        callbackPath: SELLER_CHECK_CALLBACK,
      });
      if (!record.check) throw new ReturnAwaitingCheck(`The seller checks return ${record.returnId}`);
      const answered = await answerCheck(r, record);
      await handleUnit(record, input);
      if (answered === 'rejected') await alertDone(record, input, 'rejected');
      if (answered === 'left') {
        await sendReturnAlert(linked, {
          kind: 'return_left',
          offerId: record.offerId,
          reason: `Ozon does not offer ${record.check.refund ? 'the refund' : 'a rejection'} after the check to the product now: answer it in the cabinet`,
        });
      }
      return out(input, answered === 'refunded' ? 'refund' : 'closed');
    }
  }
}

/**
 * The seller's check on Ozon: receipt confirmed, then the refund or the rejection after the check. Each action only
 * as Ozon offers it now, read again after the receipt (the offers change with it). `left`: Ozon offers neither to
 * the product now (or read-only mode): the seller answers in the cabinet.
 */
async function answerCheck(r: RfbsReturn, record: ReturnRecord): Promise<'refunded' | 'rejected' | 'left'> {
  const check = record.check;
  if (!check || env('ozon').OZON_READ_ONLY) return 'left';
  let actions = offered(r);
  if (actions.has(RETURN_ACTION.receive)) {
    await ozon().call('rfbsReturnAction', { return_id: record.returnId, id: RETURN_ACTION.receive });
    const again = await readRfbs(record.returnId);
    if (rfbsStage(again.state?.state) === 'refunded') return 'refunded';
    actions = offered(again);
    r = again;
  }
  if (check.refund) {
    if (!actions.has(RETURN_ACTION.refund)) return 'left';
    await ozon().call('rfbsReturnAction', { return_id: record.returnId, id: RETURN_ACTION.refund });
    return 'refunded';
  }
  if (!actions.has(RETURN_ACTION.rejectAfterCheck)) return 'left';
  await ozon().call('rfbsReturnAction', {
    return_id: record.returnId,
    id: RETURN_ACTION.rejectAfterCheck,
    rejection_reason_id: check.rejectionReasonId ?? r.rejection_reason[0]?.id,
    comment: check.comment ?? env('policy').RETURN_REJECT_COMMENT,
  });
  return 'rejected';
}

async function followFbs(input: ReturnInput) {
  const f = await readFbs(input.postingNumber, input.returnId);
  if (!f) throw new ReturnInTransit(`Return ${input.returnId} is not listed by Ozon yet`);
  const record = await recordOf(input, fbsFacts(f));
  const linked = { ...record, executionArn: input.executionArn };
  switch (fbsStage(f.visual?.status?.sys_name)) {
    case 'in_transit':
    case 'unknown':
      throw new ReturnInTransit(`Return ${record.returnId} is on its way to the drop-off point`);
    case 'at_dropoff':
      await warnAtDropoff(f, record, linked);
      throw new ReturnNotCollected(`Return ${record.returnId} waits at the drop-off point`);
    case 'utilized':
      if (await claimUnit(record.returnId, 'utilized')) await alertDone(record, input, 'utilized');
      return out(input, 'closed');
    case 'closed':
      return out(input, 'closed');
    case 'collected':
      if (!record.check) {
        await sendReturnAlert(linked, {
          kind: 'return_arrived',
          offerId: record.offerId,
          where: 'dropoff',
          callbackPath: SELLER_CHECK_CALLBACK,
        });
        throw new ReturnAwaitingCheck(`The seller checks return ${record.returnId}`);
      }
      await handleUnit(record, input);
      // Ozon refunded the buyer when the unit was handed back: the posting's payout is reconciled.
      return out(input, 'refund');
  }
}

/** The arrival, paid storage and utilization warnings due now, each once. */
async function warnAtDropoff(f: FbsReturn, record: ReturnRecord, linked: ReturnRecord & { executionArn?: string }) {
  const at = (s: string | null | undefined) => (s ? Date.parse(s) : Number.NaN);
  const tariffication = at(f.storage?.tariffication_start_date);
  const utilization = at(f.storage?.utilization_forecast_date);
  const due = dropoffWarnings(
    {
      ...(Number.isNaN(tariffication) ? {} : { tarifficationStart: tariffication }),
      ...(Number.isNaN(utilization) ? {} : { utilizationForecast: utilization }),
    },
    now(),
    env('policy').RETURN_STORAGE_WARNING_HOURS,
  );
  for (const warning of due) {
    if (warning === 'arrived') {
      await sendReturnAlert(linked, {
        kind: 'return_arrived',
        offerId: record.offerId,
        where: 'dropoff',
        ...(f.storage?.tariffication_start_date ? { deadline: f.storage.tariffication_start_date } : {}),
        callbackPath: SELLER_CHECK_CALLBACK,
      });
    } else {
      const deadline =
        warning === 'paid_storage' ? f.storage?.tariffication_start_date : f.storage?.utilization_forecast_date;
      await sendReturnAlert(
        linked,
        { kind: 'return_storage', offerId: record.offerId, stage: warning, deadline: deadline ?? '' },
        `return_storage#${warning}`,
      );
    }
  }
}

export const handler = stepHandler(ReturnInput, followReturn);
