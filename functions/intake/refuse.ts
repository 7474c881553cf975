/** A refusal the seller API answers with its status and a JSON body `{"message"}` (middy's http-error-handler). */
import { createError } from '@middy/util';

export const refuse = (status: number, message: string) =>
  createError(status, JSON.stringify({ message }), { expose: true });
