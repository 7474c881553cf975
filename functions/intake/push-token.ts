/** The push URL's token check: against the token's SHA-256 in AWS, against the token itself in local runs. */
import { env } from '#shared/config';
import { ConfigError } from '#shared/errors';
import { sha256, tokenMatches } from '#shared/http';

export function pushTokenMatches(rawPath: string): boolean {
  const c = env('pushes');
  const expected = c.PUSH_TOKEN_SHA256 ?? (c.OZON_WEBHOOK_TOKEN && sha256(c.OZON_WEBHOOK_TOKEN).toString('hex'));
  if (!expected) throw new ConfigError('No push token: set PUSH_TOKEN_SHA256 (AWS) or OZON_WEBHOOK_TOKEN (local)');
  return tokenMatches(rawPath, expected);
}
