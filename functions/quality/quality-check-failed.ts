/**
 * QualityCheckFailed: the warehouse found a unit unfit to ship. The seller hears what failed and what happens
 * next; the unit is written off and the reservation freed in one transaction, and ReserveStock takes the posting
 * again: another unit if the shelf has one, else the short-stock path (the seller's restock, the buyer told). After
 * MAX_QUALITY_FAILURES the seller looks at the batch first (NeedsAttention; resuming checks the next unit).
 */
import { sendAlert } from '#shared/alerts';
import { nowIso } from '#shared/clock';
import { QualityKeepsFailing } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { updateOrder } from '#shared/order-store';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { getStock, writeOffCheckedUnit } from '#stock/stock-store';
import { MAX_QUALITY_FAILURES } from './rules';

export async function qualityCheckFailed(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const check = order.qualityCheck;
  // Written off already (a retried step): ReserveStock goes on from there.
  if (check?.result !== 'failed' || !check.offerId) return stateOf(order);
  const units = check.units ?? 1;
  const failures = check.failures + 1;
  const next = {
    result: 'pending' as const,
    failures,
    last: { offerId: check.offerId, reason: check.reason ?? '', at: check.at ?? nowIso() },
  };
  // Whether another unit is there: the free units must cover the ones written off (the posting's own stay reserved
  // through the swap). Read before the write-off, so a retry after it tells the same.
  const free = (await getStock(order.warehouseId, [check.offerId])).get(check.offerId)?.available ?? 0;
  const stopped = failures >= MAX_QUALITY_FAILURES;
  await sendAlert(
    order,
    {
      kind: 'quality_failed',
      offerId: check.offerId,
      units,
      reason: check.reason ?? '',
      failures,
      next: stopped ? 'stopped' : free >= units ? 'next_unit' : 'short',
      deadline: order.shipmentDate,
      callbackPath: '/qualityCheck',
    },
    { occurrence: String(failures) },
  );
  if (order.reservedAt) await writeOffCheckedUnit(order, check.offerId, units, next);
  // Nothing reserved (it cannot be, after a check of reserved units): no stock moves, the next check is asked for.
  else await updateOrder(order.postingNumber, { qualityCheck: next, phase: 'received' });
  const updated = { ...order, qualityCheck: next, reservedAt: undefined, phase: 'received' as const };
  if (stopped) {
    throw new QualityKeepsFailing(
      `${order.postingNumber}: ${failures} quality checks failed (last: ${check.offerId}, ${check.reason ?? ''})`,
    );
  }
  return stateOf(updated);
}

export const handler = stepHandler(StepInput, qualityCheckFailed);
