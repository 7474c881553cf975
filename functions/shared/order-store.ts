/** Order records: created from the posting, updated field by field, waits stored and cleared, found by phase. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { env } from './config';
import { db, keys, PHASE_INDEX, queryAll } from './db';
import { OrderNotFound } from './errors';
import { Order, type Wait } from './order';

/** When an alert of each kind was last sent for the posting: the atomic repeat check (see claimAlert). */
export const ALERT_PREFIX = 'alert#';
/** One-off effects outside the product (a buyer message): claimed once per posting (see claimOnce). */
export const ONCE_PREFIX = 'once#';
const RESERVED = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'expiresAt']);

export function fromItem(item: Record<string, unknown>): Order {
  const alerts: { kind: string; at: string }[] = [];
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k.startsWith(ALERT_PREFIX)) alerts.push({ kind: k.slice(ALERT_PREFIX.length), at: String(v) });
    else if (!RESERVED.has(k) && !k.startsWith(ONCE_PREFIX)) rest[k] = v;
  }
  return Order.parse({ ...rest, alerts });
}

/** Builds `SET #a = :a, ...` for a flat patch; undefined values are removed instead. */
export function setExpression(patch: Record<string, unknown>) {
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

export const table = () => env('table').TABLE_NAME;

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

/** Only postings in progress are in the phase index: a finished posting leaves it (DESIGN §3, sparse index). */
const FINISHED_PHASES = new Set<string>(['completed', 'cancelled']);
const indexKeys = (phase: string, shipmentDate: string | undefined, postingNumber: string) =>
  FINISHED_PHASES.has(phase)
    ? { gsi1pk: undefined, gsi1sk: undefined }
    : { gsi1pk: keys.phaseIndex(phase), gsi1sk: `${shipmentDate ?? ''}#${postingNumber}` };

/**
 * Writes the order from Ozon's posting. A status recorded before the record existed (a push that came first) stays;
 * a second call (a retried step) finds the order created and returns it unchanged.
 */
export async function createOrder(order: Order): Promise<{ order: Order; created: boolean }> {
  const { alerts: _alerts, ...fields } = order;
  const { expression, names, values } = setExpression({
    ...fields,
    ...indexKeys(order.phase, order.shipmentDate, order.postingNumber),
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

export interface OrderPatch extends Partial<Omit<Order, 'postingNumber' | 'alerts'>> {}

/** Updates fields; the phase index follows the phase. Returns the order as stored afterwards. */
export async function updateOrder(
  postingNumber: string,
  patch: OrderPatch,
  condition?: { expression: string; values?: Record<string, unknown>; names?: Record<string, string> },
): Promise<Order> {
  const withIndex: Record<string, unknown> = { ...patch };
  if (patch.phase) {
    const index = indexKeys(patch.phase, undefined, postingNumber);
    withIndex.gsi1pk = index.gsi1pk;
    // The sort key keeps the shipment date it was created with; only leaving the index removes it.
    if (index.gsi1sk === undefined) withIndex.gsi1sk = undefined;
  }
  const { expression, names, values } = setExpression(withIndex);
  const allValues = { ...values, ...condition?.values };
  const { Attributes } = await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.order(postingNumber),
      UpdateExpression: expression,
      ConditionExpression: ['attribute_exists(phase)', condition?.expression].filter(Boolean).join(' AND '),
      ExpressionAttributeNames: { ...names, ...condition?.names },
      ExpressionAttributeValues: Object.keys(allValues).length ? allValues : undefined,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return fromItem(Attributes ?? {});
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

/** Every order in a phase, paged to the end. */
export async function ordersInPhase(phase: Order['phase']): Promise<Order[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: PHASE_INDEX,
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': keys.phaseIndex(phase) },
  });
  return items.map(fromItem);
}
