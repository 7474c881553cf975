/**
 * The payout sweep, run by the poller: Ozon has no push for finance, so every delivered posting waiting for its
 * payout is asked about at once — `/v1/finance/accrual/postings` takes 200 posting numbers a call. A posting
 * whose accruals add up to the expected payout is settled here (recorded, out of the sweep) and its AwaitPayout
 * ends; one paid short or long keeps waiting for later accruals until the settlement window ends, when
 * SettlePayout judges it and alerts.
 */
import { nowIso } from '#shared/clock';
import { payoutTolerance } from '#shared/config';
import type { Wait } from '#shared/order';
import { ordersOf, postingsInGroup, type SweepRef, updateOrder, waitOf, waitsOf } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { emitMetric } from '#shared/powertools';
import { sendTaskOutcome } from '#waits/deliver-to-wait';
import { refreshExpectedPayout, saleAccrualTypes } from './expected-payout';
import { accrualsOf, payoutRecord, settle } from './rules';
import { emitSettlementLag } from './settlement-lag';

/** Ozon's limit for one accruals request. */
const ACCRUALS_PER_CALL = 200;

export interface PayoutReport {
  payoutsChecked: number;
  payoutsDelivered: number;
}

export async function sweepPayouts(): Promise<PayoutReport> {
  const report: PayoutReport = { payoutsChecked: 0, payoutsDelivered: 0 };
  // Judged from the index alone (the expected payout and what was accrued are projected there): no order is read.
  const settling = await postingsInGroup('payout');
  for (let i = 0; i < settling.length; i += ACCRUALS_PER_CALL) {
    const batch = settling.slice(i, i + ACCRUALS_PER_CALL);
    const { posting_accruals } = await ozon().call('accruals', {
      posting_numbers: batch.map((r) => r.postingNumber),
    });
    report.payoutsChecked += batch.length;
    const accrued = await withFigures(batch.filter((r) => accrualsOf(posting_accruals, r.postingNumber).length > 0));
    const paid: { ref: SweepRef; result: ReturnType<typeof settle> }[] = [];
    for (const ref of accrued) {
      const accruals = accrualsOf(posting_accruals, ref.postingNumber);
      const saleTypes = ref.expectedPayout === undefined ? await saleAccrualTypes() : undefined;
      const result = settle(ref.expectedPayout, accruals, payoutTolerance(), saleTypes);
      if (result.verdict === 'settled') paid.push({ ref, result });
      else if (result.actual !== ref.accrued) await recordAccrued(ref.postingNumber, result.actual);
    }
    const waits = await waitsOf(paid.map((p) => p.ref.postingNumber));
    for (const { ref, result } of paid) {
      if (await settleNow(ref.postingNumber, result, waits.get(ref.postingNumber))) report.payoutsDelivered++;
    }
  }
  return report;
}

/**
 * The expected payout for postings Ozon accrued something for, where the index has none: an index built before
 * the figure was projected there (a local data dir from an older version, an index AWS is still rebuilding) has
 * it on the order; a posting whose figure Ozon did not know at receipt is asked again (refreshExpectedPayout).
 */
async function withFigures(refs: SweepRef[]): Promise<SweepRef[]> {
  const bare = refs.filter((r) => r.expectedPayout === undefined).map((r) => r.postingNumber);
  if (bare.length === 0) return refs;
  const orders = new Map((await ordersOf(bare)).map((o) => [o.postingNumber, o]));
  const completed: SweepRef[] = [];
  for (const ref of refs) {
    if (ref.expectedPayout !== undefined) completed.push(ref);
    else {
      const order = orders.get(ref.postingNumber);
      const expectedPayout = order?.expectedPayout ?? (await refreshExpectedPayout(ref.postingNumber));
      completed.push({ ...ref, expectedPayout, accrued: ref.accrued ?? order?.accrued });
    }
  }
  return completed;
}

/** Not (yet) what was promised: kept for the judgement at the end of the settlement window (SettlePayout). */
async function recordAccrued(postingNumber: string, accrued: number) {
  await updateOrder(postingNumber, { accrued }, SETTLING).catch(ignoreRefusal);
}

const SETTLING = { expression: 'phase = :settling', values: { ':settling': 'settling' } };
// Settled by another sweep run, or SettlePayout at the end of the window: nothing left to do.
const ignoreRefusal = (e: Error) => {
  if (e.name === 'ConditionalCheckFailedException') return undefined;
  throw e;
};

/**
 * Records the settlement and ends the wait, in that order: the order is completed whether or not the execution
 * still waits (its wait may have just timed out into SettlePayout, which then finds the payout recorded).
 */
async function settleNow(
  postingNumber: string,
  result: ReturnType<typeof settle>,
  wait: Wait | undefined,
): Promise<boolean> {
  const settled = await updateOrder(
    postingNumber,
    { phase: 'completed', accrued: result.actual, payout: payoutRecord(result, nowIso()) },
    SETTLING,
  ).catch(ignoreRefusal);
  if (!settled) return false;
  emitSettlementLag(settled);
  // The batch's read of the waits may predate this posting's: AwaitPayout stores its token, then reads the order;
  // this wrote the order, then reads the wait — one of the two sees the other (both strongly consistent). Read again
  // only when the batch found no payout wait, which is rare.
  const current = wait?.on === 'payout' ? wait : await waitOf(settled);
  if (current?.on !== 'payout') return false;
  const sent = await sendTaskOutcome(current.token, { outcome: 'success' }, settled);
  if (sent) emitMetric('WaitsEnded', 1, { wait: 'payout', outcome: 'event' });
  return sent;
}
