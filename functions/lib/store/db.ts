import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One table: orders, their events and the seller's stock. Keys are built only here.
 * The SDK reads AWS_ENDPOINT_URL_DYNAMODB, which is how the local runtime points it at DynamoDB Local.
 */
export const keys = {
  order: (postingNumber: string) => ({ pk: `POSTING#${postingNumber}`, sk: 'ORDER' }),
  stock: (warehouseId: number, offerId: string) => ({ pk: `STOCK#${warehouseId}#${offerId}`, sk: 'STOCK' }),
  phaseIndex: (phase: string) => `PHASE#${phase}`,
  cursor: (name: string) => ({ pk: `CURSOR#${name}`, sk: 'CURSOR' }),
};
export const PHASE_INDEX = 'byPhase';

let client: DynamoDBDocumentClient | undefined;
export function db(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return client;
}
/** The local runtime moves the endpoint between runs. */
export function resetDb(): void {
  client = undefined;
}

export type CapacityObserver = (units: { read: number; write: number }) => void;
