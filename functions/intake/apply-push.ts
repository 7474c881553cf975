/**
 * What an Ozon push changes, after the webhook acknowledged it (pushes.ts): new postings start their execution;
 * status changes and cancellations are recorded on the order and handed to the waiting execution. A duplicate push
 * changes nothing.
 */
import { forwardBuyerMessage } from '#buyers/buyer-messages';
import { noteMovedCutoff } from '#handover/moved-cutoffs';
import { nowIso } from '#shared/clock';
import { waitSettings } from '#shared/config';
import { restockDeadline } from '#shared/deadlines';
import { PostingNotFound } from '#shared/errors';
import { recordEvent } from '#shared/event-store';
import { logger } from '#shared/handler';
import { putWait, SWEEP_GROUP, updateOrder, waitOf } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import type { WorkPush } from '#shared/ozon/push';
import { isCancelled, statusFromPushState as statusOf } from '#shared/status';
import { recordOzonStatus, recordStatus } from './record-status';
import { startPostingExecution } from './start-execution';

/** The work after the acknowledgement. Throws on a downstream failure so the queue redelivers the push. */
export async function applyPush(push: WorkPush): Promise<void> {
  switch (push.message_type) {
    case 'TYPE_NEW_POSTING':
      await startPostingExecution(push.posting_number, push.posting_number, 'push');
      break;
    case 'TYPE_STATE_CHANGED':
      if (isCancelled(statusOf(push.new_state))) {
        await confirmWithOzon(push.posting_number);
        break;
      }
      await recordStatus(
        push.posting_number,
        statusOf(push.new_state),
        push.new_state,
        push.changed_state_date,
        'push',
      );
      break;
    case 'TYPE_POSTING_CANCELLED':
      // A push that ends a posting is confirmed with Ozon first: anyone who learns the push URL could send one.
      await confirmWithOzon(push.posting_number);
      break;
    case 'TYPE_CUTOFF_DATE_CHANGED':
      // Ozon sends it in test mode with an empty date, and sometimes after assembly: only a real date counts.
      if (push.new_cutoff_date) {
        const { order } = await recordEvent(
          push.posting_number,
          `cutoff#${push.new_cutoff_date}`,
          { type: 'cutoff_changed', at: nowIso(), source: 'push' },
          { shipmentDate: new Date(push.new_cutoff_date).toISOString() },
        );
        // An FBS parcel moved to another day's carriage: the poll plans that day's carriages (carriage-plan.ts).
        if (order?.schema === 'fbs') await noteMovedCutoff(Date.parse(push.new_cutoff_date));
        if (order && SWEEP_GROUP[order.phase]) {
          // The deadline sweep finds postings by shipment date: the index's sort key follows the moved date.
          await updateOrder(order.postingNumber, { phase: order.phase });
        }
        // A restock wait in flight gets the moved decision deadline; the poller's sweep enforces it.
        const wait = order && (await waitOf(order));
        if (order && wait?.on === 'restock') {
          await putWait(order.postingNumber, { ...wait, deadlineAt: restockDeadline(order, waitSettings()) });
        }
      }
      break;
    case 'TYPE_NEW_MESSAGE':
      // A buyer's message reaches the seller; other chats (support, notifications) are acknowledged and left.
      await forwardBuyerMessage(push);
      break;
    case 'TYPE_DELIVERY_DATE_CHANGED':
      if (push.new_delivery_date_end) {
        await recordEvent(
          push.posting_number,
          `delivery_date#${push.new_delivery_date_end}`,
          { type: 'delivery_date_changed', at: nowIso(), source: 'push' },
          { deliveryDateEnd: new Date(push.new_delivery_date_end).toISOString() },
        );
      }
      break;
  }
}

/** One `get`: what Ozon says the posting is now, recorded as Ozon's own word (a refused or unknown posting: nothing). */
async function confirmWithOzon(postingNumber: string): Promise<void> {
  try {
    const { result: posting } = await ozon().call('getPosting', { posting_number: postingNumber });
    await recordOzonStatus(posting);
  } catch (e) {
    if (!(e instanceof PostingNotFound)) throw e;
    logger.warn('A push named a posting Ozon does not know; ignored', { postingNumber });
  }
}
