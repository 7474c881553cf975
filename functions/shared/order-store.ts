/** Order records: created from the posting, events recorded once each, waits stored and cleared. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from './config';
import { db, keys, PHASE_INDEX } from './db';
import { OrderNotFound } from './errors';
import { Order, type OrderEvent, type Wait } from './order';

/**
 * Events are top-level attributes `ev#<key>` rather than a map: a push may arrive before the order exists, and a
 * nested path cannot be set on a missing parent, while a top-level attribute can — with `attribute_not_exists`
 * making the write itself the deduplication.
 */
const EVENT_PREFIX = 'ev#';
/** When an alert of each kind was last sent for the posting: the atomic repeat check (see claimAlert). */
const ALERT_PREFIX = 'alert#';
const RESERVED = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk']);

function fromItem(item: Record<string, unknown>): Order {
  const events: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k.startsWith(EVENT_PREFIX)) events[k.slice(EVENT_PREFIX.length)] = v;
    else if (!RESERVED.has(k) && !k.startsWith(ALERT_PREFIX)) rest[k] = v;
  }
  return Order.parse({ ...rest, events });
}

/** Builds `SET #a = :a, ...` for a flat patch; undefined values are removed instead. */
function setExpression(patch: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(patch).forEach(([k, v], i) => {
    names[`#f${i}`] = k;
    if (v === undefined) removes.push(`#f${i}`);
    else {
      values[`:f${i}`] = v;
      sets.push(`#f${i} = :f${i}`);
    }
  });
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return { expression, names, values };
}

const table = () => config().TABLE_NAME;

export async function getOrder(postingNumber: string): Promise<Order | undefined> {
  const { Item } = await db().send(
    new GetCommand({ TableName: table(), Key: keys.order(postingNumber), ConsistentRead: true }),
  );
  return Item && 'phase' in Item ? fromItem(Item) : undefined;
}

export async function requireOrder(postingNumber: string): Promise<Order> {
  const order = await getOrder(postingNumber);
  if (!order) throw new OrderNotFound(`No order record for posting ${postingNumber}`);
  return order;
}

/**
 * Writes the order from Ozon's posting. Events recorded before the record existed stay; a second call (a retried
 * step) finds the order created and returns it unchanged.
 */
export async function createOrder(order: Order): Promise<{ order: Order; created: boolean }> {
  const { events: _events, alerts, ...fields } = order;
  const { expression, names, values } = setExpression({
    ...fields,
    alerts,
    gsi1pk: keys.phaseIndex(order.phase),
    gsi1sk: `${order.shipmentDate ?? ''}#${order.postingNumber}`,
  });
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.order(order.postingNumber),
        UpdateExpression: expression,
        ConditionExpression: 'attribute_not_exists(phase)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { order: fromItem(Attributes ?? {}), created: true };
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException)
      return { order: await requireOrder(order.postingNumber), created: false };
    throw e;
  }
}

export interface OrderPatch extends Partial<Omit<Order, 'events' | 'postingNumber'>> {}

/** Updates fields; the phase index follows the phase. Returns the order as stored afterwards. */
export async function updateOrder(
  postingNumber: string,
  patch: OrderPatch,
  condition?: { expression: string; values?: Record<string, unknown>; names?: Record<string, string> },
): Promise<Order> {
  const withIndex: Record<string, unknown> = { ...patch };
  if (patch.phase) withIndex.gsi1pk = keys.phaseIndex(patch.phase);
  const { expression, names, values } = setExpression(withIndex);
  const { Attributes } = await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.order(postingNumber),
      UpdateExpression: expression,
      ConditionExpression: ['attribute_exists(phase)', condition?.expression].filter(Boolean).join(' AND '),
      ExpressionAttributeNames: { ...names, ...condition?.names },
      ExpressionAttributeValues: Object.keys({ ...values, ...condition?.values }).length
        ? { ...values, ...condition?.values }
        : undefined,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return fromItem(Attributes ?? {});
}

/**
 * Records an event once: a duplicate (same key) changes nothing and returns undefined. The patch (status,
 * substatus, tracking number...) is applied in the same write. Works before the order record exists.
 */
export async function recordEvent(
  postingNumber: string,
  eventKey: string,
  event: OrderEvent,
  patch: Record<string, unknown> = {},
): Promise<Order | 'recorded-before-order' | undefined> {
  const { expression, names, values } = setExpression({ [`${EVENT_PREFIX}${eventKey}`]: event, ...patch });
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.order(postingNumber),
        UpdateExpression: expression,
        ConditionExpression: 'attribute_not_exists(#f0)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes && 'phase' in Attributes ? fromItem(Attributes) : 'recorded-before-order';
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return undefined;
    throw e;
  }
}

export async function setWait(postingNumber: string, wait: Wait, phase: Order['phase']): Promise<Order> {
  return updateOrder(postingNumber, { wait, phase });
}

/** Clears the wait only if it is still the one that was resolved: a newer wait must not be lost. */
export async function clearWait(postingNumber: string, token: string): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.order(postingNumber),
        UpdateExpression: 'REMOVE #w',
        ConditionExpression: '#w.#t = :t',
        ExpressionAttributeNames: { '#w': 'wait', '#t': 'token' },
        ExpressionAttributeValues: { ':t': token },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/** Orders in a phase, for the poller ("which postings wait for their payout?"). */
export async function ordersInPhase(phase: Order['phase'], limit = 200): Promise<Order[]> {
  const orders: Order[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: table(),
        IndexName: PHASE_INDEX,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': keys.phaseIndex(phase) },
        ExclusiveStartKey,
        Limit: limit,
      }),
    );
    for (const item of page.Items ?? []) orders.push(fromItem(item));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey && orders.length < limit);
  return orders;
}

/**
 * Claims the right to send an alert of this kind for this posting, atomically: concurrent steps and the poller
 * noticing the same fact send it once. `cutoff` null = once per posting; otherwise a previous alert of the kind
 * must be older than it. The alert is appended to the order's history in the same write.
 */
export async function claimAlert(
  postingNumber: string,
  alert: { kind: string; severity: string; at: string },
  cutoff: string | null,
): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.order(postingNumber),
        UpdateExpression: 'SET #last = :at, alerts = list_append(if_not_exists(alerts, :empty), :entry)',
        ConditionExpression:
          cutoff === null ? 'attribute_not_exists(#last)' : 'attribute_not_exists(#last) OR #last < :cutoff',
        ExpressionAttributeNames: { '#last': `${ALERT_PREFIX}${alert.kind}` },
        ExpressionAttributeValues: {
          ':at': alert.at,
          ':empty': [],
          ':entry': [alert],
          ...(cutoff === null ? {} : { ':cutoff': cutoff }),
        },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/** Gives a claim back when the alert could not be published, so a retry sends it instead of staying silent. */
export async function releaseAlertClaim(postingNumber: string, kind: string): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.order(postingNumber),
      UpdateExpression: 'REMOVE #last',
      ExpressionAttributeNames: { '#last': `${ALERT_PREFIX}${kind}` },
    }),
  );
}
