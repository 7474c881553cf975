/**
 * The wrappers every Lambda uses. `stepHandler`: a middy handler for a state of a workflow that validates its input
 * with the step's zod schema (Powertools Parser) and logs with the posting number as a key. Failures keep their
 * class name, which is what the state machine's Catch matches; AWS hiccups become AwsUnavailable, which it retries.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { AwsUnavailable } from './errors';
import { logger } from './powertools';

export { logger };

/**
 * Logging for any function. Metrics need no middleware: each is flushed as its own EMF record when emitted
 * (emitMetric), so nothing is left to publish at the end. Tracing is Lambda's own (active tracing, no SDK: see
 * powertools.ts).
 */
export function withPowertools<E, R>(fn: (event: E, context: Context) => Promise<R>) {
  return middy(fn).use(injectLambdaContext(logger, { resetKeys: true }));
}

export function stepHandler<S extends z.ZodMiniType, R>(schema: S, step: (input: z.infer<S>) => Promise<R>) {
  return withPowertools(async (input: z.infer<S>, _context: Context): Promise<R> => {
    if (input && typeof input === 'object' && 'postingNumber' in input) {
      logger.appendKeys({ postingNumber: String(input.postingNumber) });
    }
    try {
      return await step(input);
    } catch (error) {
      throw asTransient(error);
    }
  }).use(parser({ schema }));
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
  const e = error as Error & { $retryable?: unknown; $fault?: string; code?: string };
  const transient =
    TRANSIENT_AWS.has(e?.name) ||
    e?.$retryable !== undefined ||
    e?.$fault === 'server' ||
    e?.code === 'ECONNRESET' ||
    e?.code === 'ECONNREFUSED';
  return transient ? new AwsUnavailable(`${e.name}: ${e.message}`, { cause: e }) : error;
}
