/**
 * Ozon's push notifications, answered in Ozon's format. New postings start their execution; status changes and
 * cancellations are recorded on the order and handed to the waiting execution. A duplicate push changes nothing.
 */
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '#shared/clients';
import { nowIso } from '#shared/clock';
import { config, waitSettings } from '#shared/config';
import { ConfigError } from '#shared/errors';
import { logger } from '#shared/handler';
import { restockDeadline, statusFromPushState as statusOf } from '#shared/order';
import { recordEvent, updateOrder } from '#shared/order-store';
import { AnyPush, isIgnoredPushType, PostingPush, type WorkPush } from '#shared/ozon/push';
import { recordStatus } from './record-status';

export const APP = { name: 'ozon-autopilot', version: '0.1.0' };

export type OzonErrorCode = 'ERROR_UNKNOWN' | 'ERROR_PARAMETER_VALUE_MISSED' | 'ERROR_REQUEST_DUPLICATED';
export interface PushAnswer {
  status: number;
  body: unknown;
}
export const ozonError = (status: number, code: OzonErrorCode, message: string): PushAnswer => ({
  status,
  body: { error: { code, message, details: null } },
});

/** One execution per posting: the name is the posting number and the input is nothing but it. */
export async function startPostingExecution(postingNumber: string): Promise<'started' | 'exists'> {
  const stateMachineArn = config().STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new ConfigError('STATE_MACHINE_ARN is not set');
  try {
    await sfnClient().send(
      new StartExecutionCommand({ stateMachineArn, name: postingNumber, input: JSON.stringify({ postingNumber }) }),
    );
    return 'started';
  } catch (e) {
    if (e instanceof ExecutionAlreadyExists) return 'exists';
    throw e;
  }
}

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
    logger.warn('Unknown push type acknowledged and ignored', { messageType: type });
    return { answer: ACK };
  }
  const parsed = PostingPush.safeParse(body);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return { answer: ozonError(400, 'ERROR_PARAMETER_VALUE_MISSED', `${type}: ${problem}`) };
  }
  if (parsed.data.message_type === 'TYPE_PING') {
    return { answer: { status: 200, body: { version: APP.version, name: APP.name, time: nowIso() } } };
  }
  return { push: parsed.data };
}

/** Validates and applies a push in one go: the push processor's work, and the answer Ozon would get. */
export async function handlePush(body: unknown): Promise<PushAnswer> {
  const verdict = validatePush(body);
  if ('answer' in verdict) return verdict.answer;
  await applyPush(verdict.push);
  return ACK;
}

/** The work after the acknowledgement. Throws on a downstream failure so the queue redelivers the push. */
export async function applyPush(push: WorkPush): Promise<void> {
  switch (push.message_type) {
    case 'TYPE_NEW_POSTING':
      await startPostingExecution(push.posting_number);
      break;
    case 'TYPE_STATE_CHANGED':
      await recordStatus(
        push.posting_number,
        statusOf(push.new_state),
        push.new_state,
        push.changed_state_date,
        'push',
      );
      break;
    case 'TYPE_POSTING_CANCELLED':
      await recordStatus(
        push.posting_number,
        'cancelled',
        push.new_state ?? 'posting_canceled',
        push.changed_state_date,
        'push',
        {
          cancellation: {
            reasonId: push.reason?.id ?? undefined,
            reason: push.reason?.message || 'not given',
            initiator: 'unknown',
            afterShip: ['delivering', 'awaiting_deliver', 'driver_pickup'].includes(statusOf(push.old_state ?? '')),
          },
        },
      );
      break;
    case 'TYPE_CUTOFF_DATE_CHANGED':
      // Ozon sends it in test mode with an empty date, and sometimes after assembly: only a real date counts.
      if (push.new_cutoff_date) {
        const order = await recordEvent(
          push.posting_number,
          `cutoff#${push.new_cutoff_date}`,
          { type: 'cutoff_changed', at: nowIso(), source: 'push' },
          { shipmentDate: new Date(push.new_cutoff_date).toISOString() },
        );
        // A restock wait in flight gets the moved decision deadline; the poller's sweep enforces it.
        if (order && order !== 'recorded-before-order' && order.wait?.on === 'restock') {
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

const KNOWN = new Set(PostingPush.options.map((o) => o.shape.message_type.value));
const isKnownType = (type: string) => KNOWN.has(type as never);
