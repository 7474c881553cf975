/**
 * Ozon's push notifications, answered in Ozon's format. New postings start their execution; status changes and
 * cancellations are recorded on the order and handed to the waiting execution. A duplicate push changes nothing.
 */

import { nowIso } from '#shared/clock';
import { waitSettings } from '#shared/config';
import { restockDeadline } from '#shared/deadlines';
import { PostingNotFound } from '#shared/errors';
import { recordEvent } from '#shared/event-store';
import { logger } from '#shared/handler';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { AnyPush, isIgnoredPushType, PostingPush, type WorkPush } from '#shared/ozon/push';
import { findUnsafe } from '#shared/safe-input';
import { isCancelled, statusFromPushState as statusOf } from '#shared/status';
import pkg from '../../package.json' with { type: 'json' };
import { recordOzonStatus, recordStatus } from './record-status';
import { startPostingExecution } from './start-execution';

/** What TYPE_PING is answered with: the product and the version deployed. */
export const APP = { name: pkg.name, version: pkg.version };

export type OzonErrorCode = 'ERROR_UNKNOWN' | 'ERROR_PARAMETER_VALUE_MISSED' | 'ERROR_REQUEST_DUPLICATED';
export interface PushAnswer {
  status: number;
  body: unknown;
}
export const ozonError = (status: number, code: OzonErrorCode, message: string): PushAnswer => ({
  status,
  body: { error: { code, message, details: null } },
});

const ACK: PushAnswer = { status: 200, body: { result: true } };

/**
 * What the endpoint can decide before any downstream call: a malformed body, TYPE_PING, ignored and unknown types
 * get their answer here; a valid posting push is returned for the work after the acknowledgement.
 */
export type PushVerdict = { answer: PushAnswer } | { push: WorkPush };

export function validatePush(body: unknown): PushVerdict {
  const envelope = AnyPush.safeParse(body);
  if (!envelope.success) return { answer: ozonError(400, 'ERROR_PARAMETER_VALUE_MISSED', 'message_type is required') };
  const type = envelope.data.message_type;
  if (isIgnoredPushType(type)) return { answer: ACK };
  if (!isKnownType(type)) {
    logger.warn('Unknown push type acknowledged and ignored', { messageType: type.slice(0, 64) });
    return { answer: ACK };
  }
  const parsed = PostingPush.safeParse(body);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return { answer: ozonError(400, 'ERROR_PARAMETER_VALUE_MISSED', `${type}: ${problem}`) };
  }
  // Only the fields the product reads are left after parsing; none of them may hold what SQS or DynamoDB refuse.
  const unsafe = findUnsafe(parsed.data);
  if (unsafe)
    return { answer: ozonError(400, 'ERROR_PARAMETER_VALUE_MISSED', `${type}: unusable character at ${unsafe}`) };
  if (parsed.data.message_type === 'TYPE_PING') {
    return { answer: { status: 200, body: { version: APP.version, name: APP.name, time: nowIso() } } };
  }
  return { push: parsed.data };
}

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
        // A restock wait in flight gets the moved decision deadline; the poller's sweep enforces it.
        if (order?.wait?.on === 'restock') {
          await updateOrder(order.postingNumber, {
            wait: { ...order.wait, deadlineAt: restockDeadline(order, waitSettings()) },
          });
        }
      }
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

const KNOWN = new Set(PostingPush.options.map((o) => o.shape.message_type.value));
const isKnownType = (type: string) => KNOWN.has(type as never);
