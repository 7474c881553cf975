import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { z } from 'zod';
import { config } from '#shared/config';
import { ConfigError } from '#shared/errors';

export const OzonCredentials = z.object({
  clientId: z.string().min(1),
  apiKey: z.string().min(1),
  /** The secret path segment of the webhook URL: requests without it are not Ozon's. */
  webhookToken: z.string().min(16).optional(),
});
export type OzonCredentials = z.infer<typeof OzonCredentials>;

/**
 * Environment first (local mode and `doctor`), then the Secrets Manager secret named by OZON_SECRET_ARN.
 * Powertools caches the secret for five minutes, so a rotated key is picked up without a redeploy.
 */
export async function ozonCredentials(): Promise<OzonCredentials> {
  const { OZON_CLIENT_ID, OZON_API_KEY, OZON_WEBHOOK_TOKEN } = process.env;
  if (OZON_CLIENT_ID && OZON_API_KEY) {
    return OzonCredentials.parse({ clientId: OZON_CLIENT_ID, apiKey: OZON_API_KEY, webhookToken: OZON_WEBHOOK_TOKEN });
  }
  const arn = config().OZON_SECRET_ARN;
  if (!arn) throw new ConfigError('No Ozon credentials: set OZON_CLIENT_ID and OZON_API_KEY, or OZON_SECRET_ARN');
  const secret = await getSecret(arn, { transform: 'json', maxAge: 300 });
  const parsed = OzonCredentials.safeParse(secret);
  if (!parsed.success) {
    throw new ConfigError(`Secret ${arn} must be JSON {"clientId","apiKey","webhookToken"}: ${parsed.error.message}`);
  }
  return parsed.data;
}
