import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { lazyClient } from '../clients';

export const dynamoClient = lazyClient(() => new DynamoDBClient({}));
