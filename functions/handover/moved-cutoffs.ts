/**
 * A carriage day the poll's plan must look at that its status pass may not show (handover/carriage-plan.ts): an FBS
 * parcel moved to a later carriage — Ozon's TYPE_CUTOFF_DATE_CHANGED push, or the parcels Ozon left out of an act.
 * Added to a number set on the poller's item, which the poll reads on every run and takes the dates it read out of;
 * adding a date twice is one entry, and the write is rare (a moved parcel), never one per posting.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { env } from '#shared/config';
import { db } from '#shared/db';
import { POLLER_MARK } from '#shared/poller-notes';

export async function noteMovedCutoff(cutoffMs: number): Promise<void> {
  if (Number.isNaN(cutoffMs)) return;
  await db().send(
    new UpdateCommand({
      TableName: env('table').TABLE_NAME,
      Key: POLLER_MARK,
      UpdateExpression: 'ADD movedCutoffs :c',
      ExpressionAttributeValues: { ':c': new Set([cutoffMs]) },
    }),
  );
}
