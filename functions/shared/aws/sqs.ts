import { SQSClient } from '@aws-sdk/client-sqs';
import { lazyClient } from '../clients';

export const sqsClient = lazyClient(() => new SQSClient({}));
