/**
 * The seller API's own key — never the push URL's token, which Ozon's cabinet shows to anyone with access to it.
 * Locally it comes from the environment; in AWS from its own Secrets Manager secret `{"apiKey"}`, cached by
 * Powertools for five minutes so a rotation needs no redeploy.
 */
import { timingSafeEqual } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod/mini';
import { env } from './config';
import { ConfigError } from './errors';

const SellerSecret = z.object({ apiKey: z.string().check(z.minLength(32)) });

export async function sellerApiKey(): Promise<string> {
  const c = env('sellerApi');
  if (c.SELLER_API_KEY) return c.SELLER_API_KEY;
  if (!c.SELLER_API_SECRET_ARN) throw new ConfigError('No seller API key: set SELLER_API_KEY or SELLER_API_SECRET_ARN');
  const parsed = SellerSecret.safeParse(await getSecret(c.SELLER_API_SECRET_ARN, { transform: 'json', maxAge: 300 }));
  if (!parsed.success) throw new ConfigError(`Secret ${c.SELLER_API_SECRET_ARN} must be JSON {"apiKey"} (32+ chars)`);
  return parsed.data.apiKey;
}

/** `Authorization: Bearer <key>`, compared in constant time so the answer's timing does not leak the key. */
export function bearerMatches(header: string | undefined, key: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header?.trim() ?? '')?.[1] ?? '');
  const expected = Buffer.from(key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
