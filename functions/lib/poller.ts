/**
 * The catch-up poller: what pushes do not cover. New postings whose push was late or lost get their execution;
 * postings waiting for their payout get their accruals summed (Ozon has no push for finance).
 */
import { now } from './clock';
import { round2 } from './domain/order';
import { ozon } from './ozon/client';
import { getOrder, ordersInPhase, updateOrder } from './store/orders';
import { deliverToWait } from './tasks';
import { startPostingExecution } from './webhook';

const LOOKBACK_MS = 7 * 24 * 3600 * 1000;

export interface PollReport {
  unfulfilledSeen: number;
  executionsStarted: number;
  payoutsChecked: number;
  payoutsDelivered: number;
}

export async function pollOnce(): Promise<PollReport> {
  const report: PollReport = { unfulfilledSeen: 0, executionsStarted: 0, payoutsChecked: 0, payoutsDelivered: 0 };
  let cursor: string | undefined;
  do {
    const page = await ozon().call('listUnfulfilled', {
      cursor,
      limit: 100,
      sort_dir: 'ASC',
      filter: {
        cutoff_from: new Date(now() - LOOKBACK_MS).toISOString(),
        cutoff_to: new Date(now() + LOOKBACK_MS * 4).toISOString(),
      },
    });
    for (const posting of page.postings) {
      report.unfulfilledSeen++;
      if (!(await getOrder(posting.posting_number))) {
        if ((await startPostingExecution(posting.posting_number)) === 'started') report.executionsStarted++;
      }
    }
    cursor = page.has_next ? (page.cursor ?? undefined) : undefined;
  } while (cursor);

  const settling = await ordersInPhase('settling');
  for (let i = 0; i < settling.length; i += 200) {
    const batch = settling.slice(i, i + 200);
    const { posting_accruals } = await ozon().call('accruals', { posting_numbers: batch.map((o) => o.postingNumber) });
    for (const order of batch) {
      report.payoutsChecked++;
      const accruals = posting_accruals.find((p) => p.posting_number === order.postingNumber)?.accruals ?? [];
      if (accruals.length === 0) continue;
      const accrued = round2(accruals.reduce((sum, a) => sum + Number(a.accrued.amount), 0));
      if (accrued === order.accrued) continue;
      const updated = await updateOrder(order.postingNumber, { accrued });
      if ((await deliverToWait(updated)) !== 'none') report.payoutsDelivered++;
    }
  }
  return report;
}
