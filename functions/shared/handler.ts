/**
 * The wrapper every Lambda uses: a middy handler that validates its input with the step's zod schema and logs with
 * the posting number as a key. Failures keep their class name, which is what the state machine's Catch matches.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { AwsUnavailable } from './errors';

export const logger = new Logger({ serviceName: 'ozon-autopilot' });

export class InvalidInput extends Error {
  override name = 'InvalidInput';
}

export function stepHandler<S extends z.ZodType, R>(schema: S, step: (input: z.infer<S>) => Promise<R>) {
  return middy(async (event: unknown, _context: Context): Promise<R> => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) throw new InvalidInput(`Step input rejected: ${parsed.error.message}`);
    const input = parsed.data as z.infer<S>;
    if (input && typeof input === 'object' && 'postingNumber' in input) {
      logger.appendKeys({ postingNumber: String(input.postingNumber) });
    }
    try {
      return await step(input);
    } catch (error) {
      throw asTransient(error);
    }
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}

/** AWS SDK errors the SDK itself calls retryable (throttling, 5xx, timeouts, transaction conflicts). */
const TRANSIENT_AWS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
]);

/**
 * An AWS service that is briefly unavailable must not fail a posting's execution: such errors become
 * AwsUnavailable, which the state machine retries with backoff like Ozon's transient errors. Everything else keeps
 * its name for the Catches.
 */
function asTransient(error: unknown): unknown {
  const e = error as Error & { $retryable?: unknown; code?: string };
  const transient =
    TRANSIENT_AWS.has(e?.name) || e?.$retryable !== undefined || e?.code === 'ECONNRESET' || e?.code === 'ECONNREFUSED';
  return transient ? new AwsUnavailable(`${e.name}: ${e.message}`, { cause: e }) : error;
}
