/**
 * The wrapper every Lambda uses: a middy handler that validates its input with the step's zod schema and logs with
 * the posting number as a key. Failures keep their class name, which is what the state machine's Catch matches.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';

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
    return step(input);
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
