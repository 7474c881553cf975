/**
 * The seller's stock. A reservation takes every line of a posting or none (one transaction), never lets
 * `available` go below zero (a condition per line), and happens once per posting (a condition on the order). Every
 * movement of a posting's units is one transaction of the same shape: the lines' stock items and the order's mark.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { db, getAll, keys, queryAll } from '#shared/db';
import { AwsUnavailable } from '#shared/errors';
import type { Order } from '#shared/order';
import { orderCreation } from '#shared/order-store';
import { PHASE_INDEX } from '#shared/sweep-index';
import { type Handling, MAX_ON_HAND, reservationLines, type Shortage, StockItem, shortages } from './rules';

const table = () => env('table').TABLE_NAME;

/**
 * The stock items of some offers, strongly consistent unless `consistent: false`: a decision on the counts must see
 * the last movement; a read of what rarely changes (an offer's handling notes, for a packing list) need not.
 */
export async function getStock(
  warehouseId: number,
  offerIds: string[],
  options: { consistent?: boolean } = {},
): Promise<Map<string, StockItem>> {
  const items = await getAll(
    table(),
    [...new Set(offerIds)].map((o) => keys.stock(warehouseId, o)),
    { consistent: options.consistent ?? true },
  );
  return new Map(items.map((item) => StockItem.parse(item)).map((stock) => [stock.offerId, stock]));
}

/** A line's reservation on its stock item, never below zero: at receipt (createReserved) or later (reserve). */
const RESERVE_LINE = {
  update: 'SET available = available - :q, reserved = reserved + :q',
  condition: 'available >= :q',
};

interface Movement {
  /** What happens to each line's stock item, with `:q` the line's quantity. */
  line: { update: string; condition?: string };
  /** The order's side: the mark that makes the movement happen once. */
  order: { update: string; condition: string; values: Record<string, unknown> };
}

/** One transaction: every line of the posting and its order, all or nothing. Throws TransactionCanceledException. */
async function move(order: Order, m: Movement): Promise<void> {
  await db().send(
    new TransactWriteCommand({
      TransactItems: [
        ...reservationLines(order.lines).map(({ offerId, qty }) => ({
          Update: {
            TableName: table(),
            Key: keys.stock(order.warehouseId, offerId),
            UpdateExpression: m.line.update,
            ConditionExpression: m.line.condition,
            ExpressionAttributeValues: { ':q': qty },
          },
        })),
        {
          Update: {
            TableName: table(),
            Key: keys.order(order.postingNumber),
            UpdateExpression: m.order.update,
            ConditionExpression: m.order.condition,
            // DynamoDB refuses an empty map of values.
            ExpressionAttributeValues: Object.keys(m.order.values).length ? m.order.values : undefined,
          },
        },
      ],
    }),
  );
}

/** A movement whose condition failed (it already happened, or the stock is not there) is false, not an error. */
async function moveOnce(order: Order, m: Movement): Promise<boolean> {
  try {
    await move(order, m);
    return true;
  } catch (e) {
    if (e instanceof TransactionCanceledException) return false;
    throw e;
  }
}

/** A movement that already happened (the order's mark says so) is no error: a retried step lands here. */
const orderRefused = (e: TransactionCanceledException) =>
  e.CancellationReasons?.at(-1)?.Code === 'ConditionalCheckFailed';

export type ReserveResult = { reserved: true } | { reserved: false; shortages: Shortage[] };

export async function reserve(order: Order, at: string): Promise<ReserveResult> {
  try {
    await move(order, {
      line: RESERVE_LINE,
      order: {
        // Reserved is in no sweep: a posting that waited for stock leaves the index in the same write.
        update: 'SET reservedAt = :at, phase = :phase REMOVE gsi1pk, gsi1sk',
        condition:
          'attribute_exists(phase) AND attribute_not_exists(reservedAt) AND attribute_not_exists(shippedFromStockAt)',
        values: { ':at': at, ':phase': 'reserved' },
      },
    });
    return { reserved: true };
  } catch (e) {
    if (!(e instanceof TransactionCanceledException)) throw e;
    if (orderRefused(e)) return { reserved: true };
    const lines = reservationLines(order.lines);
    const stock = await getStock(
      order.warehouseId,
      lines.map((l) => l.offerId),
    );
    const short = shortages(lines, stock);
    if (short.length === 0) {
      // Another posting's transaction touched the same stock at the same moment: a conflict, not a shortage.
      throw new AwsUnavailable('The reservation conflicted with a concurrent one', { cause: e });
    }
    return { reserved: false, shortages: short };
  }
}

/**
 * A new posting's order written together with its reservation, in one transaction: the order item once, not
 * created and then marked (a write unit less per posting). `exists`: the order was there already (a retried step,
 * a resume) and nothing was written; `short`: some line is short and nothing was written — the caller creates the
 * order alone and ReserveStock takes the short-stock path.
 */
export async function createReserved(order: Order, at: string): Promise<'reserved' | 'exists' | 'short'> {
  const lines = reservationLines(order.lines);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          ...lines.map(({ offerId, qty }) => ({
            Update: {
              TableName: table(),
              Key: keys.stock(order.warehouseId, offerId),
              UpdateExpression: RESERVE_LINE.update,
              ConditionExpression: RESERVE_LINE.condition,
              ExpressionAttributeValues: { ':q': qty },
            },
          })),
          { Update: orderCreation({ ...order, phase: 'reserved', reservedAt: at }) },
        ],
      }),
    );
    return 'reserved';
  } catch (e) {
    if (!(e instanceof TransactionCanceledException)) throw e;
    if (orderRefused(e)) return 'exists';
    if (e.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) return 'short';
    // Another posting's transaction touched the same stock at the same moment: a conflict, retried by the step.
    throw new AwsUnavailable('The reservation at receipt conflicted with a concurrent one', { cause: e });
  }
}

/**
 * A posting that came out of a split (`parentPostingNumber`) takes over its share of the parent's reservation: the
 * units stay reserved on the stock items (nothing moves there), the new order is written reserved, and the parent
 * records the adoption — once per new posting, in one transaction. `not_reserved`: the parent holds no reservation
 * to hand over (it was never reserved, or this posting took its share already), and the caller reserves afresh.
 */
export async function adoptReservation(child: Order, at: string): Promise<'adopted' | 'exists' | 'not_reserved'> {
  const parent = child.parentPostingNumber;
  if (!parent) return 'not_reserved';
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: orderCreation({ ...child, phase: 'reserved', reservedAt: at }) },
          {
            Update: {
              TableName: table(),
              Key: keys.order(parent),
              UpdateExpression: 'ADD adoptedBy :children',
              ConditionExpression: 'attribute_exists(reservedAt) AND NOT contains(adoptedBy, :child)',
              ExpressionAttributeValues: { ':children': new Set([child.postingNumber]), ':child': child.postingNumber },
            },
          },
        ],
      }),
    );
    return 'adopted';
  } catch (e) {
    if (!(e instanceof TransactionCanceledException)) throw e;
    if (e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'exists';
    if (e.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed') return 'not_reserved';
    throw new AwsUnavailable('Taking over the reservation of a split posting conflicted', { cause: e });
  }
}

/**
 * Gives a cancelled posting's units back, once: reserved units become available again, and units already packed
 * but not yet handed over (`parcelStillHere`) go back on the shelf. A parcel that left is the returns' business.
 */
export async function release(order: Order, parcelStillHere: boolean): Promise<boolean> {
  const packed = !order.reservedAt && order.shippedFromStockAt !== undefined;
  if (!order.reservedAt && !(packed && parcelStillHere)) return false;
  return moveOnce(order, {
    line: packed
      ? { update: 'SET onHand = onHand + :q, available = available + :q' }
      : { update: 'SET available = available + :q, reserved = reserved - :q' },
    order: packed
      ? { update: 'REMOVE shippedFromStockAt', condition: 'attribute_exists(shippedFromStockAt)', values: {} }
      : { update: 'REMOVE reservedAt', condition: 'attribute_exists(reservedAt)', values: {} },
  });
}

/**
 * A unit that failed the warehouse's quality check (quality/): written off the shelf, and the posting's
 * reservation freed so ReserveStock takes it again (another unit if there is one) — the stock items and the order's
 * next check in one transaction, once (the order must still hold the failed check and its reservation). The
 * written-off offer is marked for publishing: Ozon must not sell the unit that is gone.
 */
export async function writeOffCheckedUnit(
  order: Order,
  offerId: string,
  units: number,
  nextCheck: NonNullable<Order['qualityCheck']>,
): Promise<boolean> {
  const lines = reservationLines(order.lines);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          ...lines.map(({ offerId: line, qty }) => ({
            Update: {
              TableName: table(),
              Key: keys.stock(order.warehouseId, line),
              UpdateExpression:
                line === offerId
                  ? `SET available = available + :back, reserved = reserved - :q, onHand = onHand - :u, ${TO_PUBLISH}`
                  : 'SET available = available + :q, reserved = reserved - :q',
              ExpressionAttributeValues:
                line === offerId
                  ? {
                      ':q': qty,
                      ':u': Math.min(units, qty),
                      // One operator per SET action in DynamoDB: the reserved units less the written-off ones.
                      ':back': qty - Math.min(units, qty),
                      ...toPublishValues(order.warehouseId, line),
                    }
                  : { ':q': qty },
            },
          })),
          {
            Update: {
              TableName: table(),
              Key: keys.order(order.postingNumber),
              // Received again: in no sweep until ReserveStock decides (reserved, or short and waiting).
              UpdateExpression: 'SET qualityCheck = :next, phase = :phase REMOVE reservedAt, gsi1pk, gsi1sk',
              ConditionExpression: 'attribute_exists(reservedAt) AND qualityCheck.#result = :failed',
              ExpressionAttributeNames: { '#result': 'result' },
              ExpressionAttributeValues: { ':next': nextCheck, ':phase': 'received', ':failed': 'failed' },
            },
          },
        ],
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof TransactionCanceledException && orderRefused(e)) return false;
    throw e;
  }
}

/** An order taken off the shelf without a reservation: it has none, and was not taken off before. */
const UNRESERVED_NOT_PACKED =
  'attribute_exists(phase) AND attribute_not_exists(reservedAt) AND attribute_not_exists(shippedFromStockAt)';

/**
 * The parcel left the warehouse: its units leave the shelf, once per posting. A posting the product adopted after
 * it was assembled has no reservation: its units are taken from what is available, if the seller's stock still
 * counts them (if not, the seller already took them off).
 */
export async function consume(order: Order, at: string): Promise<boolean> {
  const reserved = order.reservedAt !== undefined;
  return moveOnce(order, {
    line: reserved
      ? { update: 'SET onHand = onHand - :q, reserved = reserved - :q' }
      : { update: 'SET onHand = onHand - :q, available = available - :q', condition: 'available >= :q' },
    order: {
      // The phase rides in the same write (the order item is billed per write); packing is in no sweep.
      update: 'REMOVE reservedAt, gsi1pk, gsi1sk SET shippedFromStockAt = :at, phase = :phase',
      condition: reserved ? 'attribute_exists(reservedAt)' : UNRESERVED_NOT_PACKED,
      values: { ':at': at, ':phase': 'packing' },
    },
  });
}

/**
 * A label batch leaves the warehouse: every posting's units come off the shelf in one transaction — one update per
 * product for the whole batch (a transaction bills each item twice, so a product shared by the batch's postings is
 * paid once) and each order's mark with what the batch wrote for it. All or nothing: when any posting's mark or
 * any product's count refuses (a retry, a posting adopted after assembly whose units are gone), the caller moves
 * them one by one with `consume`. At most 100 items: 20 postings and up to 80 products. `patchOf` gives each
 * order's fields, its phase among them.
 */
export async function consumeBatch(
  orders: Order[],
  at: string,
  patchOf: (order: Order) => Record<string, string | boolean>,
): Promise<boolean> {
  const byProduct = new Map<string, { reserved: number; unreserved: number }>();
  for (const order of orders) {
    for (const { offerId, qty } of reservationLines(order.lines)) {
      const p = byProduct.get(offerId) ?? { reserved: 0, unreserved: 0 };
      if (order.reservedAt) p.reserved += qty;
      else p.unreserved += qty;
      byProduct.set(offerId, p);
    }
  }
  const warehouseId = orders[0]?.warehouseId;
  if (warehouseId === undefined || orders.some((o) => o.warehouseId !== warehouseId)) return false;
  if (orders.length + byProduct.size > 100) return false;
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          ...[...byProduct].map(([offerId, q]) => ({
            Update: {
              TableName: table(),
              Key: keys.stock(warehouseId, offerId),
              UpdateExpression:
                'SET onHand = onHand - :all, reserved = reserved - :reserved, available = available - :unreserved',
              ConditionExpression: 'available >= :unreserved',
              ExpressionAttributeValues: {
                ':all': q.reserved + q.unreserved,
                ':reserved': q.reserved,
                ':unreserved': q.unreserved,
              },
            },
          })),
          ...orders.map((order) => {
            const patch = patchOf(order);
            const names = Object.fromEntries(Object.keys(patch).map((k, i) => [`#p${i}`, k]));
            const values = Object.fromEntries(Object.values(patch).map((v, i) => [`:p${i}`, v]));
            const sets = Object.keys(patch).map((_, i) => `#p${i} = :p${i}`);
            return {
              Update: {
                TableName: table(),
                Key: keys.order(order.postingNumber),
                UpdateExpression: `REMOVE reservedAt, gsi1pk, gsi1sk SET shippedFromStockAt = :at${sets.map((x) => `, ${x}`).join('')}`,
                // Each order's mark checks the snapshot's word on its reservation: a snapshot a moment old that
                // missed it refuses the batch, and the one-by-one fallback reads the order afresh.
                ConditionExpression: order.reservedAt ? 'attribute_exists(reservedAt)' : UNRESERVED_NOT_PACKED,
                ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
                ExpressionAttributeValues: { ':at': at, ...values },
              },
            };
          }),
        ],
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof TransactionCanceledException) return false;
    throw e;
  }
}

/**
 * Stock Ozon must hear about: an item is marked (it joins the sweep index's `stock` partition) by a change Ozon
 * cannot know of itself — the seller's units (addStock), a shortage (Ozon sold what is not there) — and unmarked once
 * its figure is published (markPublished). Reservations, packing and cancellations are not marked: Ozon books
 * each of them itself, on its own posting, at the same moment.
 */
const TO_PUBLISH = 'gsi1pk = :publishGroup, gsi1sk = :publishKey, markedAt = :markedAt';
const toPublishValues = (warehouseId: number, offerId: string) => ({
  ':publishGroup': keys.sweepGroup('stock'),
  ':publishKey': `${warehouseId}#${offerId}`,
  ':markedAt': now(),
});

/** Marks offers at a warehouse for publishing (a shortage: Ozon's figure is too high). */
export async function markToPublish(warehouseId: number, offerIds: string[]): Promise<void> {
  for (const offerId of new Set(offerIds)) {
    await db()
      .send(
        new UpdateCommand({
          TableName: table(),
          Key: keys.stock(warehouseId, offerId),
          UpdateExpression: `SET ${TO_PUBLISH}`,
          ConditionExpression: 'attribute_exists(onHand)',
          ExpressionAttributeValues: toPublishValues(warehouseId, offerId),
        }),
      )
      .catch((e: Error) => {
        // No stock item at all: nothing the seller counts, nothing to publish.
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      });
  }
}

/** The stock items marked for publishing, read eventually (markPublished checks they did not change since). */
export async function stockToPublish(): Promise<StockItem[]> {
  const refs = await queryAll({
    TableName: table(),
    IndexName: PHASE_INDEX,
    KeyConditionExpression: 'gsi1pk = :g',
    ExpressionAttributeValues: { ':g': keys.sweepGroup('stock') },
  });
  return (
    await getAll(
      table(),
      refs.map((r) => ({ pk: r.pk, sk: r.sk })),
    )
  ).map((item) => StockItem.parse(item));
}

/**
 * Unmarks an item whose figure Ozon has now, unless it changed since it was read (then it is published again on
 * the next run). False when it changed.
 */
export async function markPublished(item: StockItem): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.stock(item.warehouseId, item.offerId),
        UpdateExpression: 'REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'available = :a AND reserved = :r',
        ExpressionAttributeValues: { ':a': item.available, ':r': item.reserved },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/**
 * Adds units on hand (a delivery from the supplier, or the seller's correction), never past MAX_ON_HAND.
 * Undefined when the bound refused it.
 */
export async function addStock(
  warehouseId: number,
  offerId: string,
  qty: number,
  details: { name?: string; handling?: Handling[] } = {},
): Promise<StockItem | undefined> {
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.stock(warehouseId, offerId),
        UpdateExpression:
          'SET warehouseId = :w, offerId = :o, #name = if_not_exists(#name, :n), handling = if_not_exists(handling, :h), ' +
          'onHand = if_not_exists(onHand, :zero) + :q, available = if_not_exists(available, :zero) + :q, ' +
          `reserved = if_not_exists(reserved, :zero), ${TO_PUBLISH}`,
        ConditionExpression: 'attribute_not_exists(onHand) OR onHand <= :room',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: {
          ':w': warehouseId,
          ':o': offerId,
          ':n': details.name ?? '',
          ':h': details.handling ?? [],
          ':q': qty,
          ':zero': 0,
          ':room': MAX_ON_HAND - qty,
          ...toPublishValues(warehouseId, offerId),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return StockItem.parse(Attributes);
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return undefined;
    throw e;
  }
}

/**
 * A returned unit back on the shelf, once: the stock item and the return's record in one transaction, so a retried
 * step never restocks twice and a crash between the two never loses the unit. Marked for publishing (the poller
 * tells Ozon if the caller does not). False when the return's unit was handled already.
 */
export async function restockReturned(returnId: number, warehouseId: number, offerId: string): Promise<boolean> {
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: keys.return(returnId),
              UpdateExpression: 'SET #u = :restocked',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#u)',
              ExpressionAttributeNames: { '#u': 'unit' },
              ExpressionAttributeValues: { ':restocked': 'restocked' },
            },
          },
          {
            Update: {
              TableName: table(),
              Key: keys.stock(warehouseId, offerId),
              UpdateExpression:
                'SET warehouseId = :w, offerId = :o, #name = if_not_exists(#name, :n), handling = if_not_exists(handling, :h), ' +
                'onHand = if_not_exists(onHand, :zero) + :one, available = if_not_exists(available, :zero) + :one, ' +
                `reserved = if_not_exists(reserved, :zero), ${TO_PUBLISH}`,
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: {
                ':w': warehouseId,
                ':o': offerId,
                ':n': '',
                ':h': [],
                ':one': 1,
                ':zero': 0,
                ...toPublishValues(warehouseId, offerId),
              },
            },
          },
        ],
      }),
    );
    return true;
  } catch (e) {
    if ((e as Error).name === 'TransactionCanceledException') {
      const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
    }
    throw e;
  }
}

/**
 * Flags an offer at a warehouse for a quality check at packing (its defect returns reached the threshold): a
 * `quality_check` handling note, which every packing list of the offer prints from the stock read it makes anyway.
 */
export async function flagQualityCheck(warehouseId: number, offerId: string): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.stock(warehouseId, offerId),
        UpdateExpression: 'SET handling = list_append(if_not_exists(handling, :none), :qc)',
        ConditionExpression: 'attribute_exists(pk) AND NOT contains(handling, :flag)',
        ExpressionAttributeValues: { ':none': [], ':qc': ['quality_check'], ':flag': 'quality_check' },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}
