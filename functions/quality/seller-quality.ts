/**
 * The warehouse's answer to a quality check through the seller API (`POST /qualityCheck`): passed, or failed with
 * the offer, the units and the reason. Kept on the order (one answer per unit checked: the event key names the
 * round) and handed to the posting's wait; QualityCheckFailed acts on a failure.
 */
import * as z from 'zod/mini';
import { refuse } from '#intake/refuse';
import { nowIso } from '#shared/clock';
import { recordEvent } from '#shared/event-store';
import { getOrder } from '#shared/order-store';
import { isCancelled } from '#shared/status';
import { deliverToWait } from '#waits/deliver-to-wait';
import { checkedLines } from './policy';
import { acceptAnswer } from './rules';

export const QUALITY_ACTIONS = {
  qualityCheck: z.strictObject({
    postingNumber: z.string().check(z.regex(/^[0-9]{1,20}(-[0-9]{1,10}){1,3}$/, 'not an Ozon posting number')),
    passed: z.boolean(),
    /** The failed offer (needed when more than one line is checked). */
    offerId: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    /** Failed units of it (1 unless said). */
    units: z.optional(z.int().check(z.positive(), z.maximum(1000))),
    /** Why it failed, in the warehouse's words (kept on the order, told to the seller). */
    reason: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
  }),
};

export async function reportQualityCheck(input: z.infer<(typeof QUALITY_ACTIONS)['qualityCheck']>) {
  const order = await getOrder(input.postingNumber);
  if (!order) throw refuse(404, `No posting ${input.postingNumber} is followed here`);
  if (isCancelled(order.status)) throw refuse(409, `Posting ${input.postingNumber} is cancelled`);
  const verdict = acceptAnswer(order, input, await checkedLines(order.lines));
  if (!verdict.ok) throw refuse(verdict.status, `${input.postingNumber}: ${verdict.why}`);
  const at = nowIso();
  const failures = order.qualityCheck?.failures ?? 0;
  const last = order.qualityCheck?.last;
  const record = input.passed
    ? { result: 'passed' as const, failures, at, ...(last ? { last } : {}) }
    : {
        result: 'failed' as const,
        failures,
        at,
        offerId: verdict.offerId,
        units: verdict.units,
        reason: input.reason,
        ...(last ? { last } : {}),
      };
  const { fresh, order: updated } = await recordEvent(
    order.postingNumber,
    `quality#${failures}`,
    { type: 'quality_check', status: record.result, at, source: 'seller' },
    { qualityCheck: record },
  );
  if (updated) await deliverToWait(updated);
  return { accepted: true, duplicate: !fresh, result: updated?.qualityCheck?.result ?? record.result };
}
