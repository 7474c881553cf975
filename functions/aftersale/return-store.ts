/**
 * Returns the product follows: one small item per return (`RETURN#<id>`) with Ozon's facts as first read, the
 * seller's answers (through the seller API), what was decided and done; the seller's return rules; and the defect
 * count per offer that flags it for a quality check.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { db, keys, setExpression } from '#shared/db';
import { table } from '#shared/order-store';
import { Condition, parsePolicy, RequestAnswer, ReturnPolicy } from './return-rules';

export const SellerAnswer = z.object({
  answer: RequestAnswer,
  amount: z.optional(z.number()),
  comment: z.optional(z.string()),
  rejectionReasonId: z.optional(z.int()),
  at: z.string(),
});
export const SellerCheck = z.object({
  condition: Condition,
  refund: z.boolean(),
  comment: z.optional(z.string()),
  rejectionReasonId: z.optional(z.int()),
  at: z.string(),
});

export const ReturnRecord = z.object({
  returnId: z.number(),
  schema: z.enum(['rfbs', 'fbs']),
  postingNumber: z.string(),
  offerId: z.string(),
  sku: z.optional(z.number()),
  price: z.number(),
  currency: z.string(),
  reason: z.string(),
  reasonId: z.optional(z.number()),
  isDefect: z.boolean(),
  /** The warehouse a resellable unit goes back to (the posting's), when the product follows the posting. */
  warehouseId: z.optional(z.number()),
  createdAt: z.string(),
  executionArn: z.optional(z.string()),
  /** rFBS: until when the seller is asked, and when Ozon approves the request itself. */
  answerBy: z.optional(z.string()),
  deadline: z.optional(z.string()),
  seller: z.optional(SellerAnswer),
  check: z.optional(SellerCheck),
  /** How the request was answered (rFBS), by whom, when. */
  decision: z.optional(z.object({ answer: z.string(), by: z.string(), at: z.string() })),
  /**
   * What happened to the unit: back on the shelf, written off, utilized by Ozon, or sent back to the buyer (an rFBS
   * return rejected after the check).
   */
  unit: z.optional(z.enum(['restocked', 'written_off', 'utilized', 'back_to_buyer'])),
  /** The posting's net payout before and after the refund, once reconciled. */
  refund: z.optional(z.object({ before: z.number(), after: z.number(), at: z.string() })),
  outcome: z.optional(z.string()),
});
export type ReturnRecord = z.infer<typeof ReturnRecord>;
type NewReturn = Omit<ReturnRecord, 'seller' | 'check' | 'decision' | 'unit' | 'refund' | 'outcome'>;

export async function getReturn(returnId: number): Promise<ReturnRecord | undefined> {
  const { Item } = await db().send(
    new GetCommand({ TableName: table(), Key: keys.return(returnId), ConsistentRead: true }),
  );
  // An item with only an alert's claim (a return that gave up before Ozon listed it) is no record.
  const parsed = Item ? ReturnRecord.safeParse(Item) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

/** The record as first read from Ozon; a second call (a retried step) finds the first and keeps it. */
export async function createReturn(record: NewReturn): Promise<ReturnRecord> {
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: { ...keys.return(record.returnId), ...record },
        ConditionExpression: 'attribute_not_exists(returnId)',
      }),
    );
    return ReturnRecord.parse(record);
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
    return (await getReturn(record.returnId)) as ReturnRecord;
  }
}

export async function updateReturn(
  returnId: number,
  patch: Partial<Omit<ReturnRecord, 'returnId' | 'schema' | 'postingNumber'>>,
): Promise<ReturnRecord> {
  const { expression, names, values } = setExpression(patch);
  const { Attributes } = await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.return(returnId),
      UpdateExpression: expression,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return ReturnRecord.parse(Attributes);
}

/**
 * The seller's answer or check, kept only while there is none (the first counts); undefined when the return is
 * not followed here or was answered already.
 */
export async function recordSellerInput(
  returnId: number,
  field: 'seller' | 'check',
  value: z.infer<typeof SellerAnswer> | z.infer<typeof SellerCheck>,
): Promise<ReturnRecord | undefined> {
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.return(returnId),
        UpdateExpression: 'SET #f = :v',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#f)',
        ExpressionAttributeNames: { '#f': field },
        ExpressionAttributeValues: { ':v': value },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return ReturnRecord.parse(Attributes);
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return undefined;
    throw e;
  }
}

/** Records what happened to the unit once: a retried step finds it done and does not restock twice. */
export async function claimUnit(returnId: number, unit: NonNullable<ReturnRecord['unit']>): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.return(returnId),
        UpdateExpression: 'SET #u = :u',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#u)',
        ExpressionAttributeNames: { '#u': 'unit' },
        ExpressionAttributeValues: { ':u': unit },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/** The seller's rules set through the seller API, else the deployment's RETURN_POLICY. */
export async function returnPolicy(): Promise<ReturnPolicy> {
  const { Item } = await db().send(new GetCommand({ TableName: table(), Key: keys.returnPolicy() }));
  if (Item?.policy) return ReturnPolicy.parse(Item.policy);
  return parsePolicy(env('policy').RETURN_POLICY);
}

export async function setReturnPolicy(policy: ReturnPolicy): Promise<void> {
  await db().send(new PutCommand({ TableName: table(), Item: { ...keys.returnPolicy(), policy, at: nowIso() } }));
}

/**
 * Counts a defect return of an offer once per return (the return id is kept in a set: a retried step counts it
 * once): the offer's count with it, or undefined when this return was counted already.
 */
export async function countDefect(offerId: string, returnId: number): Promise<number | undefined> {
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.quality(offerId),
        UpdateExpression: 'SET offerId = :o ADD defects :one, returnIds :id',
        ConditionExpression: 'attribute_not_exists(returnIds) OR NOT contains(returnIds, :rid)',
        ExpressionAttributeValues: { ':o': offerId, ':one': 1, ':id': new Set([returnId]), ':rid': returnId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Number(Attributes?.defects ?? 0);
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return undefined;
    throw e;
  }
}
