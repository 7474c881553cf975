/**
 * The seller's stock. A reservation takes every line of a posting or none (one transaction), never lets
 * `available` go below zero (a condition per line), and happens once per posting (a condition on the order).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config';
import { db, keys } from '#shared/db';
import { AwsUnavailable } from '#shared/errors';
import type { Order } from '#shared/order';
import { type Handling, reservationLines, type Shortage, StockItem, shortages } from './rules';

const table = () => config().TABLE_NAME;

export async function getStock(warehouseId: number, offerIds: string[]): Promise<Map<string, StockItem>> {
  const result = new Map<string, StockItem>();
  const unique = [...new Set(offerIds)];
  for (let i = 0; i < unique.length; i += 100) {
    const { Responses } = await db().send(
      new BatchGetCommand({
        RequestItems: {
          [table()]: { Keys: unique.slice(i, i + 100).map((o) => keys.stock(warehouseId, o)), ConsistentRead: true },
        },
      }),
    );
    for (const item of Responses?.[table()] ?? []) {
      const stock = StockItem.parse(item);
      result.set(stock.offerId, stock);
    }
  }
  return result;
}

export type ReserveResult = { reserved: true; already: boolean } | { reserved: false; shortages: Shortage[] };

export async function reserve(order: Order, at: string): Promise<ReserveResult> {
  const lines = reservationLines(order.lines);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          ...lines.map(({ offerId, qty }) => ({
            Update: {
              TableName: table(),
              Key: keys.stock(order.warehouseId, offerId),
              UpdateExpression: 'SET available = available - :q, reserved = reserved + :q',
              ConditionExpression: 'available >= :q',
              ExpressionAttributeValues: { ':q': qty },
            },
          })),
          {
            Update: {
              TableName: table(),
              Key: keys.order(order.postingNumber),
              UpdateExpression: 'SET reservedAt = :at, phase = :phase, gsi1pk = :gsi',
              ConditionExpression: 'attribute_exists(phase) AND attribute_not_exists(reservedAt)',
              ExpressionAttributeValues: { ':at': at, ':phase': 'reserved', ':gsi': keys.phaseIndex('reserved') },
            },
          },
        ],
      }),
    );
    return { reserved: true, already: false };
  } catch (e) {
    if (!(e instanceof TransactionCanceledException)) throw e;
    const reasons = e.CancellationReasons ?? [];
    if (reasons.at(-1)?.Code === 'ConditionalCheckFailed') return { reserved: true, already: true };
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

/** Gives reserved units back. Once per posting: a second release (retry) finds `reservedAt` gone. */
export async function release(order: Order, at: string): Promise<boolean> {
  if (!order.reservedAt) return false;
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          ...reservationLines(order.lines).map(({ offerId, qty }) => ({
            Update: {
              TableName: table(),
              Key: keys.stock(order.warehouseId, offerId),
              UpdateExpression: 'SET available = available + :q, reserved = reserved - :q',
              ExpressionAttributeValues: { ':q': qty },
            },
          })),
          {
            Update: {
              TableName: table(),
              Key: keys.order(order.postingNumber),
              UpdateExpression: 'REMOVE reservedAt SET releasedAt = :at',
              ConditionExpression: 'attribute_exists(reservedAt)',
              ExpressionAttributeValues: { ':at': at },
            },
          },
        ],
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof TransactionCanceledException) return false;
    throw e;
  }
}

/** Adds units on hand (a delivery from the supplier, or the seller's correction). */
export async function addStock(
  warehouseId: number,
  offerId: string,
  qty: number,
  details: { name?: string; handling?: Handling[] } = {},
): Promise<StockItem> {
  const { Attributes } = await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.stock(warehouseId, offerId),
      UpdateExpression:
        'SET warehouseId = :w, offerId = :o, #name = if_not_exists(#name, :n), handling = if_not_exists(handling, :h), ' +
        'onHand = if_not_exists(onHand, :zero) + :q, available = if_not_exists(available, :zero) + :q, ' +
        'reserved = if_not_exists(reserved, :zero)',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: {
        ':w': warehouseId,
        ':o': offerId,
        ':n': details.name ?? '',
        ':h': details.handling ?? [],
        ':q': qty,
        ':zero': 0,
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return StockItem.parse(Attributes);
}

/** The parcel left the warehouse: reserved units leave the shelf. Once per posting. */
export async function consume(
  order: Order,
  at: string,
  packed: { packingList: string[]; labelKey?: string },
): Promise<boolean> {
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          ...reservationLines(order.lines).map(({ offerId, qty }) => ({
            Update: {
              TableName: table(),
              Key: keys.stock(order.warehouseId, offerId),
              UpdateExpression: 'SET onHand = onHand - :q, reserved = reserved - :q',
              ExpressionAttributeValues: { ':q': qty },
            },
          })),
          {
            Update: {
              TableName: table(),
              Key: keys.order(order.postingNumber),
              // The packing result rides in the same write: the order item is billed per write.
              UpdateExpression:
                'REMOVE reservedAt SET shippedFromStockAt = :at, phase = :phase, gsi1pk = :gsi, packingList = :list' +
                (packed.labelKey ? ', labelKey = :label' : ''),
              ConditionExpression: 'attribute_exists(reservedAt)',
              ExpressionAttributeValues: {
                ':at': at,
                ':phase': 'packing',
                ':gsi': keys.phaseIndex('packing'),
                ':list': packed.packingList,
                ...(packed.labelKey ? { ':label': packed.labelKey } : {}),
              },
            },
          },
        ],
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof TransactionCanceledException) return false;
    throw e;
  }
}
