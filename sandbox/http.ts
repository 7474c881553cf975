/**
 * What every group of handlers shares: JSON and rpcStatus answers, zod parsing into Ozon's 400, int64 fields and
 * opaque cursors. Split from routes.ts so that the handler groups (routes-stock.ts, routes-assembly.ts) can use it
 * without importing routes.ts, which gathers them.
 */
import { z } from 'zod';
import { ApiError } from './model.js';

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

export const rpcError = (status: number, code: number, message: string) => json(status, { code, message, details: [] });

/** int64 fields may arrive as JSON numbers or numeric strings (proto3 JSON) */
export const int64 = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

export function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    throw new ApiError(400, 3, `invalid request payload: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

export const encodeCursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function decodeCursor<T>(s: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (!s) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    /* fall through */
  }
  throw new ApiError(400, 3, 'invalid cursor');
}

const isOffset = (v: unknown): v is { o: number } =>
  typeof (v as { o?: unknown })?.o === 'number' &&
  Number.isInteger((v as { o: number }).o) &&
  (v as { o: number }).o >= 0;

/** One page of `all` from an offset cursor: `cursor` is '' when there is nothing after the page. */
export function offsetPage<T>(all: T[], cursor: string | undefined, limit: number) {
  const off = decodeCursor(cursor, isOffset)?.o ?? 0;
  const items = all.slice(off, off + limit);
  const hasNext = off + items.length < all.length;
  return { items, hasNext, cursor: hasNext ? encodeCursor({ o: off + items.length }) : '' };
}
