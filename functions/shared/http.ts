/** Lambda Function URL plumbing shared by the webhook and the carrier API. */
import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export const MAX_BODY_BYTES = 64 * 1024;

export function json(status: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; reason: 'too_large' | 'not_json' };

export function readJsonBody(event: APIGatewayProxyEventV2): BodyResult {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) return { ok: false, reason: 'too_large' };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, reason: 'not_json' };
  }
}

/** Constant-time comparison of the secret path token, so timing does not leak it. */
export function tokenMatches(path: string, token: string | undefined): boolean {
  if (!token) return false;
  const given = Buffer.from(path.replace(/^\/+|\/+$/g, '').split('/')[0] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
