/**
 * Order records: created from the posting, updated field by field, the current wait beside them, found by sweep.
 *
 * Two items per posting, both under `POSTING#<n>`: the order (`ORDER`, kept under 1 KB so an update is one write
 * unit) and the execution's current wait (`ORDER#WAIT`, holding the task token, which alone is ~1 KB in AWS). One
 * query with `begins_with(sk, 'ORDER')` reads both. A wait is never cleared: the next wait replaces it, a token
 * that was used already is refused by Step Functions harmlessly, and the item expires a week after its timeout.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { env } from './config';
import { db, getAll, keys, queryAll, setExpression } from './db';
import { OrderNotFound } from './errors';
import { Order, type Phase, Wait } from './order';
import { PHASE_INDEX } from './sweep-index';

/** When an alert of each kind was last sent for the posting: the atomic repeat check (see claimAlert). */
export const ALERT_PREFIX = 'alert#';
/** One-off effects outside the product (a buyer message): claimed once per posting (see claimOnce). */
export const ONCE_PREFIX = 'once#';
const RESERVED = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'expiresAt']);
/** A used wait is kept this long after its timeout (for ops reading a stuck posting), then DynamoDB drops it. */
const WAIT_TTL_AFTER_TIMEOUT_S = 7 * 24 * 3600;

/**
 * Which sweep looks at a posting in each phase; a posting in any other phase is in no sweep and out of the index.
 * The index is sparse and keys-only, so an update that does not move a posting between sweeps writes nothing to
 * it: on the happy path only entering and leaving `payout` does (2 of the posting's write units).
 * - `due`: not assembled and waiting on someone — the deadline sweep warns before `shipment_date` (sort key).
 * - `short`: waiting for a restock — the deadline sweep too, and the restock wake-up.
 * - `payout`: delivered — the payout sweep asks Ozon's finance API for all of them at once.
 */
export const SWEEP_GROUP: Partial<Record<Phase, 'due' | 'short' | 'payout'>> = {
  awaiting_packed: 'due',
  awaiting_check: 'due',
  awaiting_marks: 'due',
  needs_attention: 'due',
  awaiting_stock: 'short',
  settling: 'payout',
};
/** Sort key of a posting without a shipment date: after every real date, so a `dueBy` query never finds it. */
const NO_DATE = '9999';

export function fromItem(item: Record<string, unknown>): Order {
  const alerts: { kind: string; at: string }[] = [];
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k.startsWith(ALERT_PREFIX)) alerts.push({ kind: k.slice(ALERT_PREFIX.length), at: String(v) });
    else if (!RESERVED.has(k) && !k.startsWith(ONCE_PREFIX)) rest[k] = v;
  }
  return Order.parse({ ...rest, alerts });
}

/**
 * The order with its wait as read together. The key `wait` is present (maybe undefined) only on an order read with
 * its wait; an order returned by an update carries no `wait` key, and `waitOf` reads the wait for it.
 */
function withWait(order: Order, waitItem: Record<string, unknown> | undefined): Order {
  const parsed = waitItem ? Wait.safeParse(waitItem) : undefined;
  return { ...order, wait: parsed?.success ? parsed.data : undefined };
}

/**
 * The index keys that follow a phase change, as clauses of the same update: the sort key is the order's own
 * shipment date (copied in the expression, so a caller need not know it).
 */
export function indexClauses(phase: Phase): { sets: string[]; removes: string[]; values: Record<string, unknown> } {
  const group = SWEEP_GROUP[phase];
  if (!group) return { sets: [], removes: ['gsi1pk', 'gsi1sk'], values: {} };
  return {
    sets: ['gsi1pk = :gsiGroup', 'gsi1sk = if_not_exists(shipmentDate, :gsiNoDate)'],
    removes: [],
    values: { ':gsiGroup': keys.sweepGroup(group), ':gsiNoDate': NO_DATE },
  };
}

export const table = () => env('table').TABLE_NAME;

/**
 * The order and its current wait. Strongly consistent unless `consistent: false`: a step deciding on the order
 * right after another wrote it must see that write; a sweep or a read for display need not.
 */
export async function getOrder(
  postingNumber: string,
  options: { consistent?: boolean } = {},
): Promise<Order | undefined> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.order(postingNumber).pk, ':prefix': keys.orderPrefix },
    ConsistentRead: options.consistent ?? true,
  });
  const order = items.find((i) => i.sk === keys.order(postingNumber).sk);
  if (!order || !('phase' in order)) return undefined;
  return withWait(
    fromItem(order),
    items.find((i) => i.sk === keys.wait(postingNumber).sk),
  );
}

export async function requireOrder(postingNumber: string, options: { consistent?: boolean } = {}): Promise<Order> {
  const order = await getOrder(postingNumber, options);
  if (!order) throw new OrderNotFound(`No order record for posting ${postingNumber}`);
  return order;
}

/** The posting's current wait, read strongly: a deliverer that just wrote an event must see a wait stored before. */
export async function getWait(postingNumber: string): Promise<Wait | undefined> {
  const { Item } = await db().send(
    new GetCommand({ TableName: table(), Key: keys.wait(postingNumber), ConsistentRead: true }),
  );
  const parsed = Item ? Wait.safeParse(Item) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

/** The wait of an order: the one read with it, or (for an order returned by an update) read now. */
export async function waitOf(order: Order): Promise<Wait | undefined> {
  return 'wait' in order ? order.wait : getWait(order.postingNumber);
}

/**
 * Writes the order from Ozon's posting. A status recorded before the record existed (a push that came first) stays;
 * a second call (a retried step) finds the order created and returns it unchanged.
 */
export async function createOrder(order: Order): Promise<{ order: Order; created: boolean }> {
  try {
    const { Attributes } = await db().send(new UpdateCommand({ ...orderCreation(order), ReturnValues: 'ALL_NEW' }));
    return { order: fromItem(Attributes ?? {}), created: true };
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException)
      return { order: await requireOrder(order.postingNumber), created: false };
    throw e;
  }
}

/**
 * The update that creates the order item (over a bare status item a push may have left), refused once the order
 * exists: createOrder's, and the reservation's at receipt (stock-store `createReserved`), which writes it in the
 * same transaction as the stock.
 */
export function orderCreation(order: Order) {
  const { alerts: _alerts, wait: _wait, ...fields } = order;
  // The new item has no shipment date to copy yet: the sort key is written from the order itself.
  const group = SWEEP_GROUP[order.phase];
  const index = group ? { gsi1pk: keys.sweepGroup(group), gsi1sk: order.shipmentDate ?? NO_DATE } : {};
  const { expression, names, values } = setExpression({ ...fields, ...index });
  return {
    TableName: table(),
    Key: keys.order(order.postingNumber),
    UpdateExpression: expression,
    ConditionExpression: 'attribute_not_exists(phase)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export interface OrderPatch extends Partial<Omit<Order, 'postingNumber' | 'alerts' | 'wait'>> {}

/** Updates fields; the sweep index follows the phase. Returns the order item as stored afterwards (no wait). */
export async function updateOrder(
  postingNumber: string,
  patch: OrderPatch,
  condition?: { expression: string; values?: Record<string, unknown>; names?: Record<string, string> },
): Promise<Order> {
  const index = patch.phase ? indexClauses(patch.phase) : { sets: [], removes: [], values: {} };
  const { expression, names, values } = setExpression(patch, index);
  const allValues = { ...values, ...index.values, ...condition?.values };
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

/** Stores the wait (replacing the previous one) without touching the order item. */
export async function putWait(postingNumber: string, wait: Wait): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...keys.wait(postingNumber),
        ...wait,
        expiresAt: Math.floor(Date.parse(wait.timeoutAt) / 1000) + WAIT_TTL_AFTER_TIMEOUT_S,
      },
    }),
  );
}

/**
 * Stores the wait, then reads the order strongly: an event recorded before the wait was stored is seen here, one
 * recorded after sees the wait (deliverToWait) — whichever writes second sees both. The phase is written only when
 * it changes: most waits keep the phase the step before them set, and an unneeded write is a write unit.
 */
export async function setWait(postingNumber: string, wait: Wait, phase: Phase | undefined): Promise<Order> {
  await putWait(postingNumber, wait);
  const order = await requireOrder(postingNumber);
  if (!phase || order.phase === phase) return { ...order, wait };
  return { ...(await updateOrder(postingNumber, { phase })), wait };
}

/** A posting as the sweep index has it: its number and the attributes projected there (SWEEP_PROJECTION). */
export interface SweepRef {
  postingNumber: string;
  expectedPayout?: number;
  accrued?: number;
}

/**
 * The postings a sweep looks at: the group's index partition (`dueBy` keeps only shipment dates up to then), with
 * the projected payout figures — over a hundred postings per read unit.
 */
export async function postingsInGroup(group: 'due' | 'short' | 'payout', dueBy?: string): Promise<SweepRef[]> {
  const refs = await queryAll({
    TableName: table(),
    IndexName: PHASE_INDEX,
    KeyConditionExpression: dueBy ? 'gsi1pk = :g AND gsi1sk <= :due' : 'gsi1pk = :g',
    ExpressionAttributeValues: { ':g': keys.sweepGroup(group), ...(dueBy ? { ':due': dueBy } : {}) },
  });
  return refs.map((r) => ({
    postingNumber: String(r.pk).slice('POSTING#'.length),
    expectedPayout: typeof r.expectedPayout === 'number' ? r.expectedPayout : undefined,
    accrued: typeof r.accrued === 'number' ? r.accrued : undefined,
  }));
}

/**
 * The waits of some postings, in batches, eventually consistent: for a sweep that ends waits stored long before
 * (a wait stored a moment ago reads the order itself right after, see setWait).
 */
export async function waitsOf(postingNumbers: string[]): Promise<Map<string, Wait>> {
  const waits = new Map<string, Wait>();
  for (const item of await getAll(table(), postingNumbers.map(keys.wait))) {
    const wait = Wait.safeParse(item);
    if (wait.success) waits.set(String(item.pk).slice('POSTING#'.length), wait.data);
  }
  return waits;
}

/**
 * Orders with their waits (unless `waits: false`), read in batches, eventually consistent — a sweep acts through conditional writes and
 * task tokens, which tolerate a read a moment old. Postings without an order are left out.
 */
export async function ordersOf(postingNumbers: string[], options: { waits?: boolean } = {}): Promise<Order[]> {
  const withWaits = options.waits ?? true;
  const items = await getAll(
    table(),
    postingNumbers.flatMap((pn) => (withWaits ? [keys.order(pn), keys.wait(pn)] : [keys.order(pn)])),
  );
  const find = (key: { pk: string; sk: string }) => items.find((it) => it.pk === key.pk && it.sk === key.sk);
  return postingNumbers.flatMap((pn) => {
    const order = find(keys.order(pn));
    return order && 'phase' in order ? [withWait(fromItem(order), find(keys.wait(pn)))] : [];
  });
}

/** The orders a sweep looks at (postingsInGroup), read (ordersOf). */
export async function ordersInGroup(group: 'due' | 'short' | 'payout', dueBy?: string): Promise<Order[]> {
  return ordersOf((await postingsInGroup(group, dueBy)).map((r) => r.postingNumber));
}

/** Every order in a phase that a sweep covers (SWEEP_GROUP), paged to the end. */
export async function ordersInPhase(phase: Phase): Promise<Order[]> {
  const group = SWEEP_GROUP[phase];
  if (!group) throw new Error(`No sweep looks at postings in phase ${phase}`);
  return (await ordersInGroup(group)).filter((o) => o.phase === phase);
}
