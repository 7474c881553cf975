/**
 * Which lines of a posting the warehouse checks before shipping, and the step that asks for the check. The
 * deployment's QUALITY_CHECK and the seller's check list (the packing data's `check`, one small item kept in memory
 * by packing-store.ts) decide: a posting that needs no check costs no read.
 */
import { packingData } from '#fulfilment/packing-store';
import { sendAlert } from '#shared/alerts';
import { env } from '#shared/config';
import { QualityCheckPending } from '#shared/errors';
import type { Order, OrderLine } from '#shared/order';
import { getOrder, updateOrder } from '#shared/order-store';
import { linesToCheck, parseQualityPolicy, type QualityPolicy } from './rules';

/** The deployment's policy, parsed once per value of QUALITY_CHECK: ConfirmPosting asks for every posting. */
let parsed: { json: string; policy: QualityPolicy } | undefined;
function qualityPolicy(): QualityPolicy {
  const json = env('policy').QUALITY_CHECK;
  if (parsed?.json !== json) parsed = { json, policy: parseQualityPolicy(json) };
  return parsed.policy;
}

export async function checkedLines(lines: OrderLine[]): Promise<OrderLine[]> {
  return linesToCheck(lines, qualityPolicy(), (await packingData()).check);
}

/**
 * ConfirmPosting's question: may Ozon be asked to assemble as far as quality goes? Throws QualityCheckPending (the
 * posting then waits in AwaitQualityCheck) until the warehouse's check of these units passed; the warehouse is told
 * which units, by when, and how to answer. `order` may be an eventually consistent read: a posting that seems not
 * to have passed is read again strongly before it is sent to wait.
 */
export async function requireQualityCheck(order: Order): Promise<void> {
  if (order.qualityCheck?.result === 'passed') return;
  const checked = await checkedLines(order.lines);
  if (checked.length === 0) return;
  const current = (await getOrder(order.postingNumber)) ?? order;
  if (current.qualityCheck?.result === 'passed') return;
  const check = current.qualityCheck ?? { result: 'pending' as const, failures: 0 };
  const waiting =
    current.phase === 'awaiting_check' && current.qualityCheck
      ? current
      : await updateOrder(order.postingNumber, { phase: 'awaiting_check', qualityCheck: check });
  await sendAlert(
    waiting,
    {
      kind: 'quality_check',
      lines: checked.map((l) => ({ offerId: l.offerId, missing: l.qty })),
      failures: check.failures,
      deadline: order.shipmentDate,
      callbackPath: '/qualityCheck',
    },
    // Each unit's check is asked for once (the first, and the next unit after a failure).
    { occurrence: String(check.failures) },
  );
  throw new QualityCheckPending(`${order.postingNumber} waits for the warehouse's quality check`);
}
