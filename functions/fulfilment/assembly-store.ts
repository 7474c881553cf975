/** The seller's data for a posting's assembly (seller API `marks`), an item beside the order. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { env } from '#shared/config';
import { db, keys } from '#shared/db';
import { AssemblyData } from './rules';

const table = () => env('table').TABLE_NAME;

/** The seller's latest data replaces the earlier one: a corrected code is sent with the rest, as Ozon takes it. */
export async function saveAssemblyData(postingNumber: string, data: AssemblyData): Promise<void> {
  await db().send(new PutCommand({ TableName: table(), Item: { ...keys.assembly(postingNumber), ...data } }));
}

export async function getAssemblyData(postingNumber: string): Promise<AssemblyData | undefined> {
  const { Item } = await db().send(
    new GetCommand({ TableName: table(), Key: keys.assembly(postingNumber), ConsistentRead: true }),
  );
  return Item ? AssemblyData.parse(Item) : undefined;
}
