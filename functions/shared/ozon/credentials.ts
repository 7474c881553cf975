/**
 * Ozon's API key: from the environment locally, from its Secrets Manager secret in AWS (Powertools caches it for
 * five minutes, so a rotation needs no redeploy). Only the functions that call Ozon can read it.
 */
import * as z from 'zod/mini';
import { env } from '../config';
import { ConfigError } from '../errors';

export const OzonCredentials = z.object({
  clientId: z.string().check(z.minLength(1)),
  apiKey: z.string().check(z.minLength(1)),
});
export type OzonCredentials = z.infer<typeof OzonCredentials>;

async function secretJson<T extends z.ZodMiniType>(arn: string, shape: T, describe: string): Promise<z.infer<T>> {
  // The Secrets Manager client is loaded at the first read, not at module init: the push processor reaches Ozon
  // only to confirm a cancellation, so most of its cold starts never need it.
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const parsed = shape.safeParse(await getSecret(arn, { transform: 'json', maxAge: 300 }));
  if (!parsed.success) throw new ConfigError(`Secret ${arn} must be JSON ${describe}: ${parsed.error.message}`);
  return parsed.data;
}

export async function ozonCredentials(): Promise<OzonCredentials> {
  const c = env('ozon');
  if (c.OZON_CLIENT_ID && c.OZON_API_KEY) return { clientId: c.OZON_CLIENT_ID, apiKey: c.OZON_API_KEY };
  if (!c.OZON_SECRET_ARN)
    throw new ConfigError('No Ozon credentials: set OZON_CLIENT_ID and OZON_API_KEY, or OZON_SECRET_ARN');
  return secretJson(c.OZON_SECRET_ARN, OzonCredentials, '{"clientId","apiKey"}');
}
