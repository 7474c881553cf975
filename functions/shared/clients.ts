/**
 * The AWS SDK clients, each created once per container and wrapped by the tracer so every call shows in X-Ray.
 * The SDK reads `AWS_ENDPOINT_URL_<SERVICE>`, which is how the local runtime points them at local services; it
 * moves those endpoints between runs, so `resetClients()` forgets every cached client and configuration.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from './powertools';

const resets = new Set<() => void>();

/** Registers a module-level cache (a client, the parsed configuration) that a local run must forget. */
export function onReset(reset: () => void): void {
  resets.add(reset);
}

/** Forgets every cached client and configuration: the local runtime calls it after changing the environment. */
export function resetClients(): void {
  for (const reset of resets) reset();
}

function lazy<T extends { destroy(): void }>(make: () => T): () => T {
  let client: T | undefined;
  onReset(() => {
    client?.destroy();
    client = undefined;
  });
  return () => {
    client ??= tracer.captureAWSv3Client(make());
    return client;
  };
}

export const dynamoClient = lazy(() => new DynamoDBClient({}));
export const sfnClient = lazy(() => new SFNClient({}));
export const snsClient = lazy(() => new SNSClient({}));
export const sqsClient = lazy(() => new SQSClient({}));
// Path style: the local S3 (fauxqs) serves buckets by path, and real S3 accepts it too.
export const s3Client = lazy(() => new S3Client({ forcePathStyle: true }));
