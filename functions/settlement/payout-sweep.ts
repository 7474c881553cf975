/**
 * The payout sweep, run by the poller: Ozon has no push for finance, so every delivered posting waiting for its
 * payout is asked about at once — `/v1/finance/accrual/postings` takes 200 posting numbers a call. A posting
 * whose accruals add up to the expected payout is settled here (recorded, out of the sweep) and its AwaitPayout
 * ends; one paid short or long keeps waiting for later accruals until the settlement window ends, when
 * SettlePayout judges it and alerts.
 */
import { nowIso } from '#shared/clock';
import { payoutTolerance } from '#shared/config';
import type { Order } from '#shared/order';
import { ordersOf, postingsInGroup, updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { emitMetric } from '#shared/powertools';
import { sendTaskOutcome } from '#waits/deliver-to-wait';
import { accrualsOf, accruedTotal, payoutRecord, settle } from './rules';

/** Ozon's limit for one accruals request. */
const ACCRUALS_PER_CALL = 200;

export interface PayoutReport {
  payoutsChecked: number;
  payoutsDelivered: number;
}

export async function sweepPayouts(): Promise<PayoutReport> {
  const report: PayoutReport = { payoutsChecked: 0, payoutsDelivered: 0 };
  const settling = await postingsInGroup('payout');
  for (let i = 0; i < settling.length; i += ACCRUALS_PER_CALL) {
    const batch = settling.slice(i, i + ACCRUALS_PER_CALL);
    const { posting_accruals } = await ozon().call('accruals', { posting_numbers: batch });
    report.payoutsChecked += batch.length;
    // Only a posting Ozon has accrued something for is read: most of a sweep's postings have nothing new yet.
    const accrued = batch.filter((pn) => accrualsOf(posting_accruals, pn).length > 0);
    for (const order of await ordersOf(accrued)) {
      if (order.phase !== 'settling') continue;
      const accruals = accrualsOf(posting_accruals, order.postingNumber);
      const result = settle(order.expectedPayout, accruals, payoutTolerance());
      if (result.verdict === 'settled') {
        if (await settleNow(order, result)) report.payoutsDelivered++;
      } else if (accruedTotal(accruals) !== order.accrued) {
        // Not (yet) what was promised: kept for the judgement at the end of the settlement window.
        await updateOrder(order.postingNumber, { accrued: result.actual });
      }
    }
  }
  return report;
}

/**
 * Records the settlement and ends the wait, in that order: the order is completed whether or not the execution
 * still waits (its wait may have just timed out into SettlePayout, which then finds the payout recorded).
 */
async function settleNow(order: Order, result: ReturnType<typeof settle>): Promise<boolean> {
  const settled = await updateOrder(
    order.postingNumber,
    { phase: 'completed', accrued: result.actual, payout: payoutRecord(result, nowIso()) },
    { expression: 'phase = :settling', values: { ':settling': 'settling' } },
  ).catch((e: Error) => {
    // Settled by another sweep run, or SettlePayout at the end of the window: nothing left to do.
    if (e.name === 'ConditionalCheckFailedException') return undefined;
    throw e;
  });
  if (!settled || !order.wait || order.wait.on !== 'payout') return false;
  const sent = await sendTaskOutcome(order.wait.token, { outcome: 'success' }, settled);
  if (sent) emitMetric('WaitsEnded', 1, { wait: 'payout', outcome: 'event' });
  return sent;
}
