/** Lambda Function URL plumbing shared by the webhook and the seller API. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { jsonDepth, MAX_DEPTH } from './safe-input';

export const MAX_BODY_BYTES = 64 * 1024;

export function json(status: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; reason: 'too_large' | 'too_deep' | 'not_json' };

export function readJsonBody(event: APIGatewayProxyEventV2): BodyResult {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) return { ok: false, reason: 'too_large' };
  // Checked before parsing: a deeply nested body would overflow the stack of whoever serializes it next.
  if (jsonDepth(raw) > MAX_DEPTH) return { ok: false, reason: 'too_deep' };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, reason: 'not_json' };
  }
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether the first path segment is the secret token, given the token's SHA-256 (hex): hashes are compared in
 * constant time, so neither timing nor the function's environment gives the token away.
 */
export function tokenMatches(path: string, tokenSha256: string | undefined): boolean {
  if (!tokenSha256) return false;
  const given = sha256(path.replace(/^\/+|\/+$/g, '').split('/')[0] ?? '');
  const expected = Buffer.from(tokenSha256, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
