/**
 * Chat methods (docs/27-chatapi.md, docs/52-premium.md, swagger): /v1/chat/start, /v1/chat/send/message,
 * /v2/chat/read, /v3/chat/list, /v3/chat/history. The rules and the records are in chat.ts.
 *
 * Premium: docs/52 put start, send/message and read among the "Premium-методы" ("Доступно для продавцов с подпиской
 * Premium Plus или Premium Pro"); list and history are in docs/27's ChatAPI with no such note (swagger tags history
 * Premium too; the newer docs win). Without Premium Plus (`SandboxOptions.premium`) the three answer HTTP 403 (the
 * methods' documented "Доступ запрещён") code 7, `PREMIUM_PLUS_REQUIRED` (sandbox's token).
 */
import { z } from 'zod';
import { messageIdOf } from './chat.js';
import { json, offsetPage, parse } from './http.js';
import { ApiError } from './model.js';
import type { Handler, RouteCtx } from './routes.js';

/**
 * swagger uint64 (from_message_id, message_ids): a JSON number or a decimal string. A number above 2^53 is taken as
 * the double it parsed to (zod's int() stops at 2^53): message ids are exact doubles (chat.ts).
 */
const uint64 = z
  .union([
    z.number().min(0).refine(Number.isInteger, 'must be a uint64'),
    z.string().regex(/^\d+$/, 'must be a uint64'),
  ])
  .transform((v) => messageIdOf(v));

const S = {
  start: z.object({ posting_number: z.string().min(1) }),
  send: z.object({ chat_id: z.string().min(1), text: z.string() }),
  read: z.object({ chat_id: z.string().min(1), from_message_id: uint64.optional() }),
  // docs/27: limit required, default 30, "Максимальное значение — 100" (swagger: 1000; the newer docs win).
  // chat_status: swagger's All | Opened | Closed; the docs' example writes "OPENED": any case is taken.
  list: z.object({
    filter: z
      .object({
        chat_status: z
          .string()
          .transform((s) => s.toLowerCase())
          .pipe(z.enum(['all', 'opened', 'closed']))
          .optional(),
        unread_only: z.boolean().optional(),
      })
      .optional(),
    limit: z.number().int().min(1).max(100),
    cursor: z.string().optional(),
  }),
  // swagger v3ChatHistoryRequest: chat_id required; direction Forward | Backward (default Backward); limit default
  // 50, at most 1000; from_message_id required with Forward
  history: z.object({
    chat_id: z.string().min(1),
    direction: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(['forward', 'backward']))
      .optional(),
    filter: z.object({ message_ids: z.array(uint64).optional() }).optional(),
    from_message_id: uint64.optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  }),
};

export const PREMIUM_PLUS_REQUIRED = 'PREMIUM_PLUS_REQUIRED';

/** the seller's plan allows the Premium Plus methods and data (SandboxOptions.premium) */
export function needPremiumPlus(ctx: RouteCtx) {
  if (ctx.premium !== 'premium_plus') throw new ApiError(403, 7, PREMIUM_PLUS_REQUIRED);
}

export const CHAT_READ_ONLY = ['/v3/chat/list', '/v3/chat/history'];

export const CHAT_ROUTES: Record<string, Handler> = {
  '/v1/chat/start': (body, ctx) => {
    needPremiumPlus(ctx);
    const b = parse(S.start, body);
    const chat = ctx.chats.start(ctx.model.get(b.posting_number));
    return json(200, { result: { chat_id: chat.chat_id } });
  },

  '/v1/chat/send/message': (body, ctx) => {
    needPremiumPlus(ctx);
    const b = parse(S.send, body);
    ctx.chats.send(b.chat_id, b.text);
    // swagger's example
    return json(200, { result: 'success' });
  },

  '/v2/chat/read': (body, ctx) => {
    needPremiumPlus(ctx);
    const b = parse(S.read, body);
    return json(200, { unread_count: ctx.chats.markRead(b.chat_id, b.from_message_id) });
  },

  '/v3/chat/list': (body, ctx) => {
    const b = parse(S.list, body);
    const status = b.filter?.chat_status ?? 'all';
    // oldest first (the docs give no order; a stable one for the cursor): chats only ever open
    const all = [...ctx.chats.chats.values()].filter(
      (c) => status !== 'closed' && (!b.filter?.unread_only || ctx.chats.unread(c).length > 0),
    );
    const pg = offsetPage(all, b.cursor, b.limit);
    return json(200, {
      chats: pg.items.map((c) => ctx.chats.renderListItem(c)),
      total_unread_count: [...ctx.chats.chats.values()].reduce((n, c) => n + ctx.chats.unread(c).length, 0),
      cursor: pg.cursor,
      has_next: pg.hasNext,
    });
  },

  '/v3/chat/history': (body, ctx) => {
    const b = parse(S.history, body);
    const chat = ctx.chats.get(b.chat_id);
    const forward = b.direction === 'forward';
    // "Параметр from_message_id обязательный, если direction = Forward" (docs/27)
    if (forward && b.from_message_id === undefined)
      throw new ApiError(400, 3, 'invalid request payload: from_message_id: required when direction is Forward');
    const only = b.filter?.message_ids?.length ? new Set(b.filter.message_ids) : undefined;
    const from = b.from_message_id;
    // from_message_id is where the page starts, itself included (Backward: it and older; Forward: it and newer)
    const id = (m: { message_id: string }) => messageIdOf(m.message_id);
    let list = chat.messages.filter((m) => !only || only.has(id(m)));
    if (from !== undefined) list = list.filter((m) => (forward ? id(m) >= from : id(m) <= from));
    if (!forward) list = list.reverse();
    const limit = b.limit ?? 50;
    return json(200, {
      has_next: list.length > limit,
      messages: list.slice(0, limit).map((m) => ctx.chats.renderMessage(chat, m)),
    });
  },
};
