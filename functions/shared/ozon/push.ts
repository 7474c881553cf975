/**
 * Ozon push notification bodies (ozon-api.md §4). Lenient where Ozon is inconsistent: ids come as numbers or digit
 * strings; `in_process_at` and `new_cutoff_date` may be empty. Fields the product does not use are dropped when a
 * push is parsed, so only what it reads is queued and stored.
 */
import * as z from 'zod/mini';

/** Ozon's own examples send ids both as numbers and as digit strings (`"warehouse_id": "1020000075732000"`). */
const numericId = z.union([
  z.int().check(z.nonnegative()),
  z.pipe(z.string().check(z.regex(/^\d{1,17}$/)), z.transform(Number)),
]);
const sellerId = z.optional(numericId);
const postingNumber = z.string().check(z.minLength(1), z.maxLength(64));
const isDate = (s: string) => !Number.isNaN(Date.parse(s));
/** Ozon's state names are short words; a bound keeps event keys (they embed it) inside DynamoDB's 1 KB sort key. */
const state = z.string().check(z.minLength(1), z.maxLength(64));
/** Empty is allowed (Ozon sends it in test mode); anything else must be a date. */
const maybeDate = z.nullish(
  z.string().check(
    z.maxLength(40),
    z.refine((s) => s === '' || isDate(s), 'not a date'),
  ),
);
const date = z.string().check(z.maxLength(40), z.refine(isDate, 'not a date'));
const products = z.nullish(z.array(z.object({ sku: numericId, quantity: z.int() })));

export const PingPush = z.looseObject({ message_type: z.literal('TYPE_PING'), time: z.optional(z.string()) });
export const NewPostingPush = z.object({
  message_type: z.literal('TYPE_NEW_POSTING'),
  posting_number: postingNumber,
  products,
  in_process_at: maybeDate,
  warehouse_id: z.optional(numericId),
  seller_id: sellerId,
});
export const StateChangedPush = z.object({
  message_type: z.literal('TYPE_STATE_CHANGED'),
  posting_number: postingNumber,
  new_state: state,
  changed_state_date: date,
  warehouse_id: z.optional(numericId),
  seller_id: sellerId,
});
export const PostingCancelledPush = z.object({
  message_type: z.literal('TYPE_POSTING_CANCELLED'),
  posting_number: postingNumber,
  products,
  old_state: z.nullish(state),
  new_state: z.nullish(state),
  changed_state_date: date,
  reason: z.nullish(z.object({ id: z.nullish(z.number()), message: z.nullish(z.string().check(z.maxLength(1000))) })),
  warehouse_id: z.optional(numericId),
  seller_id: sellerId,
});
export const CutoffChangedPush = z.object({
  message_type: z.literal('TYPE_CUTOFF_DATE_CHANGED'),
  posting_number: postingNumber,
  new_cutoff_date: maybeDate,
  old_cutoff_date: maybeDate,
  seller_id: sellerId,
});
export const DeliveryDateChangedPush = z.object({
  message_type: z.literal('TYPE_DELIVERY_DATE_CHANGED'),
  posting_number: postingNumber,
  new_delivery_date_begin: maybeDate,
  new_delivery_date_end: maybeDate,
  seller_id: sellerId,
});

/**
 * A new chat message (ozon-api.md §4): the product forwards a buyer's (`chat_type` Buyer_Seller, `user.type`
 * Customer — one of Ozon's examples spells it with a Cyrillic "С") to the seller. `data` is the text in parts.
 */
export const NewMessagePush = z.object({
  message_type: z.literal('TYPE_NEW_MESSAGE'),
  chat_id: z.string().check(z.minLength(1), z.maxLength(100)),
  chat_type: z.string().check(z.maxLength(64)),
  message_id: z.union([z.string().check(z.maxLength(64)), numericId]),
  created_at: date,
  user: z.object({
    id: z.optional(z.union([z.string().check(z.maxLength(64)), numericId])),
    type: z.string().check(z.maxLength(64)),
  }),
  data: z._default(z.array(z.string().check(z.maxLength(4000))).check(z.maxLength(20)), []),
  seller_id: sellerId,
});

/**
 * Types Ozon sends that do not concern a posting's lifecycle. They are acknowledged with `{"result":true}` so
 * Ozon keeps the endpoint healthy, and ignored:
 * - chat edits and reads (TYPE_UPDATE_MESSAGE, TYPE_MESSAGE_READ, TYPE_CHAT_CLOSED): a new message is what the
 *   seller must hear of (TYPE_NEW_MESSAGE, above);
 * - catalogue and prices (TYPE_CREATE_OR_UPDATE_ITEM, TYPE_CREATE_ITEM, TYPE_UPDATE_ITEM, TYPE_PRICE_INDEX_CHANGED);
 * - TYPE_STOCKS_CHANGED: Ozon's view of stock; the seller's own stock in DynamoDB is the truth we reserve from;
 * - TYPE_ORDER_NEW, TYPE_ORDER_CANCELLED, TYPE_ORDER_STATE_CHANGED: appear only in one later enum with unconfirmed
 *   payloads; the product works per posting, and each posting of an order has its own posting pushes (and the poller);
 * - TYPE_FBO_POSTING_* (a family, matched by prefix): FBO postings are shipped by Ozon from its own warehouses, so
 *   there is nothing for the seller's workflow to do.
 */
export const IGNORED_PUSH_TYPES = [
  'TYPE_UPDATE_MESSAGE',
  'TYPE_MESSAGE_READ',
  'TYPE_CHAT_CLOSED',
  'TYPE_CREATE_OR_UPDATE_ITEM',
  'TYPE_CREATE_ITEM',
  'TYPE_UPDATE_ITEM',
  'TYPE_PRICE_INDEX_CHANGED',
  'TYPE_STOCKS_CHANGED',
  'TYPE_ORDER_NEW',
  'TYPE_ORDER_CANCELLED',
  'TYPE_ORDER_STATE_CHANGED',
] as const;
const IGNORED_PUSH_PREFIXES = ['TYPE_FBO_POSTING_'];

export const isIgnoredPushType = (type: string) =>
  (IGNORED_PUSH_TYPES as readonly string[]).includes(type) || IGNORED_PUSH_PREFIXES.some((p) => type.startsWith(p));

export const PostingPush = z.discriminatedUnion('message_type', [
  PingPush,
  NewPostingPush,
  StateChangedPush,
  PostingCancelledPush,
  CutoffChangedPush,
  DeliveryDateChangedPush,
  NewMessagePush,
]);
export type PostingPush = z.infer<typeof PostingPush>;
/** A push that means work after the acknowledgement (TYPE_PING is answered by the endpoint itself). */
export type WorkPush = Exclude<PostingPush, { message_type: 'TYPE_PING' }>;

export const AnyPush = z.looseObject({ message_type: z.string().check(z.minLength(1)) });
