/**
 * Ozon's push notifications, validated and answered in Ozon's format: what the webhook decides before the push is
 * queued. What a push changes is apply-push.ts, run by the push processor; the webhook does not load it (nor the
 * DynamoDB, Step Functions and Secrets Manager clients it needs).
 */

import { nowIso } from '#shared/clock';
import { logger } from '#shared/handler';
import { AnyPush, isIgnoredPushType, PostingPush, type WorkPush } from '#shared/ozon/push';
import { findUnsafe } from '#shared/safe-input';
import pkg from '../../package.json' with { type: 'json' };

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

const KNOWN = new Set(PostingPush.def.options.flatMap((o) => o.shape.message_type.def.values));
const isKnownType = (type: string) => KNOWN.has(type as never);
