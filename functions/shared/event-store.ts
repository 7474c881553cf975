/**
 * What happened to a posting, as items of their own beside the order (`POSTING#<n>` / `EVENT#<key>`): each push,
 * poll finding, seller report and alert once, so the order item stays small and bounded however much happens. The
 * put's condition is the deduplication; events expire a while after the posting could still matter.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from './clock';
import { db, keys, queryAll, setExpression } from './db';
import type { Order, OrderEvent } from './order';
import { ALERT_PREFIX, fromItem, getOrder, ONCE_PREFIX, table } from './order-store';

/** A posting lives at most ~120 days until its payout; its history is kept a while after that. */
const EVENT_TTL_SECONDS = 180 * 24 * 3600;

export type Recorded = { fresh: boolean; order: Order | undefined };

/** Stores an event once; false when it was already there (the same key). */
export async function putEvent(postingNumber: string, eventKey: string, event: OrderEvent): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...keys.event(postingNumber, eventKey),
          ...event,
          expiresAt: Math.floor(now() / 1000) + EVENT_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/**
 * Records an event once and applies its patch (tracking number, packed, restock, a moved date...) to the order. A
 * duplicate changes nothing but still returns the order, so a redelivered push can hand it to a waiting execution
 * again (the first delivery may have failed). Works before the order exists. Statuses have their own ordered write
 * (intake/record-status.ts).
 */
export async function recordEvent(
  postingNumber: string,
  eventKey: string,
  event: OrderEvent,
  patch: Record<string, unknown>,
): Promise<Recorded> {
  if (!(await putEvent(postingNumber, eventKey, event))) return { fresh: false, order: await getOrder(postingNumber) };
  const { expression, names, values } = setExpression(patch);
  const { Attributes } = await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.order(postingNumber),
      UpdateExpression: expression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return { fresh: true, order: Attributes && 'phase' in Attributes ? fromItem(Attributes) : undefined };
}

export interface StoredEvent extends OrderEvent {
  key: string;
}

/** A posting's events in key order, paged to the end. */
export async function listEvents(postingNumber: string): Promise<StoredEvent[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.order(postingNumber).pk, ':prefix': keys.eventPrefix },
  });
  return items.map(({ pk: _pk, sk, expiresAt: _ttl, ...event }) => ({
    ...(event as OrderEvent),
    key: String(sk).slice(keys.eventPrefix.length),
  }));
}

/** Sets a claim attribute on the order if `condition` holds; false when another claim got there first. */
async function claim(
  postingNumber: string,
  attribute: string,
  at: string,
  condition: string,
  values: Record<string, unknown> = {},
): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.order(postingNumber),
        UpdateExpression: 'SET #claim = :at',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#claim': attribute },
        ExpressionAttributeValues: { ':at': at, ...values },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/**
 * Claims the right to send an alert of this kind for this posting, atomically: concurrent steps and the poller
 * noticing the same fact send it once. `cutoff` null = once per posting; otherwise a previous alert of the kind
 * must be older than it. The order keeps one timestamp per kind (bounded); the alert itself becomes an event.
 */
export async function claimAlert(
  postingNumber: string,
  alert: { kind: string; severity: string; at: string },
  cutoff: string | null,
  /** The claim's own name when one kind is sent once per occurrence (alerts.ts `occurrence`). */
  claimName: string = alert.kind,
): Promise<boolean> {
  const claimed = await claim(
    postingNumber,
    `${ALERT_PREFIX}${claimName}`,
    alert.at,
    cutoff === null ? 'attribute_not_exists(#claim)' : 'attribute_not_exists(#claim) OR #claim < :cutoff',
    cutoff === null ? {} : { ':cutoff': cutoff },
  );
  if (!claimed) return false;
  // Only the history: nothing on the order changes, and nobody needs it read back.
  await putEvent(postingNumber, `alert#${claimName}#${alert.at}`, {
    type: 'alert',
    at: alert.at,
    source: 'step',
    kind: alert.kind,
    severity: alert.severity,
  });
  return true;
}

/** Gives a claim back when the alert could not be published, so a retry sends it instead of staying silent. */
export async function releaseAlertClaim(postingNumber: string, kind: string): Promise<void> {
  await releaseClaim(postingNumber, `${ALERT_PREFIX}${kind}`);
}

/**
 * Claims a one-off effect outside the product (the buyer's message about a stalled parcel): a retried step finds
 * it claimed and does not repeat it. Give it back with `releaseOnce` when the effect failed.
 */
export const claimOnce = (postingNumber: string, effect: string, at: string) =>
  claim(postingNumber, `${ONCE_PREFIX}${effect}`, at, 'attribute_exists(phase) AND attribute_not_exists(#claim)');

export const releaseOnce = (postingNumber: string, effect: string) =>
  releaseClaim(postingNumber, `${ONCE_PREFIX}${effect}`);

async function releaseClaim(postingNumber: string, attribute: string): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.order(postingNumber),
      UpdateExpression: 'REMOVE #a',
      ExpressionAttributeNames: { '#a': attribute },
    }),
  );
}
