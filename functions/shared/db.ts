import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws/dynamodb';
import { onReset } from './clients';

/**
 * One table: orders, their events and the seller's stock. Keys are built only here.
 * The SDK reads AWS_ENDPOINT_URL_DYNAMODB, which is how the local runtime points it at DynamoDB Local.
 */
export const keys = {
  order: (postingNumber: string) => ({ pk: `POSTING#${postingNumber}`, sk: 'ORDER' }),
  /**
   * The execution's current wait (its task token, ~1 KB in AWS) beside the order, so the order item stays under
   * 1 KB and every update of it one write unit. Its sort key starts like the order's: one query reads both.
   */
  wait: (postingNumber: string) => ({ pk: `POSTING#${postingNumber}`, sk: 'ORDER#WAIT' }),
  orderPrefix: 'ORDER',
  /**
   * What the seller sent for the posting's assembly (marking codes, box count): its own item, not the order's, so
   * the codes (~100 bytes each) never make every update of the order cost more than one write unit.
   */
  assembly: (postingNumber: string) => ({ pk: `POSTING#${postingNumber}`, sk: 'ASSEMBLY' }),
  /** Each push, poll finding or seller report about a posting, once: the sort key is the deduplication. */
  event: (postingNumber: string, key: string) => ({ pk: `POSTING#${postingNumber}`, sk: `EVENT#${key}` }),
  eventPrefix: 'EVENT#',
  /** One second of the account's Ozon rate budget (functions/shared/ozon/rate-budget.ts). */
  rateSlot: (clientId: string, second: number) => ({ pk: `RATE#${clientId}`, sk: `SECOND#${second}` }),
  stock: (warehouseId: number, offerId: string) => ({ pk: `STOCK#${warehouseId}#${offerId}`, sk: 'STOCK' }),
  /** A partition of the sweep index (order-store.ts `SWEEP_GROUP`): the postings one sweep looks at. */
  sweepGroup: (group: string) => `SWEEP#${group}`,
  /** The seller's packing data for every offer (fulfilment/packing-store.ts). */
  packing: () => ({ pk: 'PACKING', sk: 'PACKING' }),
  /** A return the product follows (aftersale/return-store.ts): its facts, the answers, the alerts sent. */
  return: (returnId: number) => ({ pk: `RETURN#${returnId}`, sk: 'RETURN' }),
  /** The seller's return rules set through the seller API (aftersale/return-policy.ts). */
  returnPolicy: () => ({ pk: 'POLICY', sk: 'RETURNS' }),
  /** Defect returns of one offer, and whether it is flagged for a quality check at packing. */
  quality: (offerId: string) => ({ pk: `QUALITY#${offerId}`, sk: 'QUALITY' }),
  /** A posting's incident of one day (performance/incidents.ts): Ozon's rating counts these against the seller. */
  incident: (day: string, key: string) => ({ pk: `INCIDENT#${day}`, sk: key }),
  /** Which posting a buyer chat is about (buyers/chats.ts): a push names only the chat. */
  chat: (chatId: string) => ({ pk: `CHAT#${chatId}`, sk: 'CHAT' }),
  /** A buyer's message not answered yet, one per chat, all in one small partition the poller reads. */
  buyerWaiting: (chatId: string) => ({ pk: 'BUYER_WAITING', sk: chatId }),
  /** The weekly digest's last period and the seller's analytics plan as Ozon showed it (performance/digest.ts). */
  digest: () => ({ pk: 'DIGEST', sk: 'STATE' }),
  /** The rating indicators' statuses at the last look (performance/rating.ts). */
  rating: () => ({ pk: 'RATING', sk: 'STATUS' }),
  cursor: (name: string) => ({ pk: `CURSOR#${name}`, sk: 'CURSOR' }),
  /** Account-level alerts (no posting) and when each kind was last sent, for the repeat window. */
  accountAlert: (kind: string) => ({ pk: 'ACCOUNT', sk: `ALERT#${kind}` }),
};

/** Every item a query finds, paged to the end: "which postings wait for stock?" must not stop at a page size. */
export async function queryAll(
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db().send(new QueryCommand({ ...input, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * Every item for these keys, 100 a BatchGetItem, asking again for what DynamoDB left unprocessed (throttling) until
 * nothing is: a key left out would read as "no such item". Keys without an item are simply absent from the answer.
 */
export async function getAll(
  TableName: string,
  itemKeys: Record<string, unknown>[],
  options: { consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < itemKeys.length; i += 100) {
    let request: BatchGetCommandInput['RequestItems'] = {
      [TableName]: { Keys: itemKeys.slice(i, i + 100), ConsistentRead: options.consistent ?? false },
    };
    while (request && Object.keys(request).length) {
      const page: BatchGetCommandOutput = await db().send(new BatchGetCommand({ RequestItems: request }));
      items.push(...(page.Responses?.[TableName] ?? []));
      request = page.UnprocessedKeys;
    }
  }
  return items;
}

/** Builds `SET #a = :a, ...` for a flat patch; undefined values are removed instead. */
export function setExpression(patch: Record<string, unknown>, extra: { sets?: string[]; removes?: string[] } = {}) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [...(extra.sets ?? [])];
  const removes: string[] = [...(extra.removes ?? [])];
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

/**
 * Sets a number attribute (and `also`, in the same write) only if it moves forward: two writers with different
 * clock readings cannot move it back. `deleteFromSets` takes these values out of set attributes in the same write
 * (others added meanwhile stay). False when a later value was already there.
 */
export async function setIfLater(
  TableName: string,
  Key: Record<string, unknown>,
  attribute: string,
  value: number,
  also: Record<string, unknown> = {},
  deleteFromSets: Record<string, Set<string | number>> = {},
): Promise<boolean> {
  // The attribute comes first in the patch, so its placeholders are setExpression's first: #f0 and :f0.
  const { expression, names, values } = setExpression({ [attribute]: value, ...also });
  const deletes = Object.entries(deleteFromSets).filter(([, set]) => set.size > 0);
  deletes.forEach(([name, set], i) => {
    names[`#d${i}`] = name;
    values[`:d${i}`] = set;
  });
  const deleting = deletes.length ? ` DELETE ${deletes.map((_, i) => `#d${i} :d${i}`).join(', ')}` : '';
  try {
    await db().send(
      new UpdateCommand({
        TableName,
        Key,
        UpdateExpression: expression + deleting,
        ConditionExpression: 'attribute_not_exists(#f0) OR #f0 < :f0',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (e) {
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    return false;
  }
}

let client: DynamoDBDocumentClient | undefined;
export function db(): DynamoDBDocumentClient {
  client ??= withCapacityHook(
    DynamoDBDocumentClient.from(dynamoClient(), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
  return client;
}
onReset(() => {
  client = undefined;
});

/**
 * What one request consumed. `conditionFailed` marks a write refused by its condition (or a cancelled transaction):
 * DynamoDB bills those too but returns no figure, so `items` says how many items it touched.
 */
export type CapacityObserver = (units: {
  command: string;
  read: number;
  write: number;
  conditionFailed?: boolean;
  items?: number;
}) => void;

const capacityObservers = new Set<CapacityObserver>();
/**
 * Lets the benchmark count read and write units as DynamoDB reports them. Only while someone observes does every
 * request carry `ReturnConsumedCapacity: TOTAL` (table and indexes together), so production requests are unchanged.
 */
export function observeDynamoCapacity(observer: CapacityObserver): () => void {
  capacityObservers.add(observer);
  return () => capacityObservers.delete(observer);
}

type Consumed = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
const READS = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'TransactGetItemsCommand',
]);

function withCapacityHook(documentClient: DynamoDBDocumentClient): DynamoDBDocumentClient {
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      if (capacityObservers.size === 0) return next(args);
      const command = String(context.commandName ?? '');
      const notify = (units: Parameters<CapacityObserver>[0]) => {
        for (const observe of capacityObservers) observe(units);
      };
      try {
        const result = await next({ ...args, input: { ...(args.input as object), ReturnConsumedCapacity: 'TOTAL' } });
        const consumed = (result.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
        let read = 0;
        let write = 0;
        for (const c of [consumed ?? []].flat()) {
          const total = c.CapacityUnits ?? 0;
          read += c.ReadCapacityUnits ?? (READS.has(command) ? total : 0);
          write += c.WriteCapacityUnits ?? (READS.has(command) ? 0 : total);
        }
        // DynamoDB Local reports a transaction of small items as 2 units however many items it writes; DynamoDB
        // bills 2 per item (per KB of each; the product's items are under 1 KB). Counted the way AWS bills.
        const items = (args.input as { TransactItems?: unknown[] }).TransactItems?.length;
        if (command === 'TransactWriteItemsCommand' && items) write = Math.max(write, 2 * items);
        notify({ command, read, write });
        return result;
      } catch (e) {
        const name = (e as Error).name;
        if (name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException') {
          const items = (args.input as { TransactItems?: unknown[] }).TransactItems?.length ?? 1;
          notify({ command, read: 0, write: 0, conditionFailed: true, items });
        }
        throw e;
      }
    },
    { step: 'initialize', name: 'observeDynamoCapacity' },
  );
  return documentClient;
}
