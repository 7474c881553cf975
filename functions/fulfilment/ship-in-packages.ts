/**
 * ShipInPackages: the seller's packing data puts some units in packages of their own, so the posting is shipped
 * as several packages and Ozon makes a posting of each (docs/19-fbsandrfbsmarks.md: `/v4/posting/fbs/ship`
 * "делит заказ на отправления"). Each new posting is followed by an execution of its own, started here (and found
 * by the poller should this fail): it takes over its share of this posting's reservation at receipt
 * (`adoptReservation`), so the units stay reserved throughout. This posting ends `Split` — not cancelled: its
 * reservation is not released.
 */
import { startPostingExecution } from '#intake/start-execution';
import { sendAlert } from '#shared/alerts';
import { OzonRequestRejected, PostingCancelled, ShipRefused } from '#shared/errors';
import { logger, stepHandler } from '#shared/handler';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { packagesOf } from './packing-store';
import { shipRefusal } from './rules';

export async function shipInPackages(input: StepInput) {
  // Strong read: the split is decided on the lines as they are now (a partial cancel may have just changed them).
  const order = await activeOrder(input.postingNumber);
  const pn = order.postingNumber;
  const packages = await packagesOf(order.lines);
  let postings: string[] = [];
  try {
    ({ result: postings } = await ozon().call('ship', {
      posting_number: pn,
      packages,
      with: { additional_data: false },
    }));
  } catch (e) {
    if (!(e instanceof OzonRequestRejected)) throw e;
    const refusal = shipRefusal(e.ozonMessage);
    if (refusal.kind === 'cancelled') throw new PostingCancelled(`Ozon says ${pn} is already cancelled`);
    if (refusal.kind !== 'already_shipped') {
      const reason = refusal.kind === 'refused' ? refusal.reason : 'marking codes missing';
      await sendAlert(order, { kind: 'ship_refused', reason, deadline: order.shipmentDate });
      throw new ShipRefused(e.message, { cause: e });
    }
    // Split by an earlier attempt whose answer was lost: the new postings are found by the poller.
  }
  const children = postings.filter((p) => p !== pn);
  const updated = await updateOrder(pn, { phase: 'split', status: 'cancelled_from_split_pending' });
  for (const child of children) {
    await startPostingExecution(child, child, 'split').catch((error: unknown) =>
      logger.warn('New posting of a split not started now; the poller will', { error, child }),
    );
  }
  if (children.length) await sendAlert(updated, { kind: 'posting_split', postings: children });
  return { ...stateOf(updated), split: true, postings: children };
}

export const handler = stepHandler(StepInput, shipInPackages);
