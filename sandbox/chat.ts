/**
 * Chats with buyers (docs/27-chatapi.md, docs/52-premium.md, swagger ChatAPI / Premium, ozon-api.md §3.11 and §4):
 * one chat per posting, its messages with their author, and the rules Ozon enforces on the seller's side.
 *
 * - **When the seller may write** (swagger /v1/chat/send/message, FBS and rFBS): "после оплаты и в течение 72 часов
 *   после доставки отправления. После этого вы можете только отвечать на сообщения в течение 48 часов с момента
 *   получения последнего сообщения от покупателя". Payment is the posting's creation; the first window is
 *   `Model.postingChatWindow` (it also gives `can_create_chat`); the second is `replyOpen` here, and it gives
 *   `can_create_chat` too while it lasts. A cancelled posting was never delivered: the sandbox closes its first window
 *   at the cancellation (the docs do not say), so only the 48-hour answers remain.
 * - **The buyer writes** (`CreatePostingSpec.buyerMessageAfterMs`, `OzonSandbox.buyerWrites`): in the posting's chat
 *   (opened if there is none), pushed as TYPE_NEW_MESSAGE, and it restarts the 48-hour window.
 *
 * Like the postings' transitions, a buyer's message still to come is data (`BuyerMessagePlan`, absolute simulated
 * due time), so the state file carries it across a restart (state.ts). Chat ids come from the `misc` RNG stream as
 * they always did (never the postings' one: posting numbers stay as they were); message ids from the messages
 * already kept, no RNG.
 */
import { CHAT_REPLY_WINDOW_MS } from './catalogue.js';
import { ApiError, type Model, type Posting, type PushBody } from './model.js';
import { customerIdOf } from './render.js';
import type { Rng } from './rng.js';
import type { CreatePostingSpec, SandboxClock } from './types.js';
import { iso } from './util.js';

export type ChatAuthor = 'seller' | 'buyer';

export interface ChatMessage {
  /** a uint64 as a decimal string, as Ozon's pushes and /v3/chat/history examples write it */
  message_id: string;
  author: ChatAuthor;
  text: string;
  /** ISO date-time, simulated */
  created_at: string;
}

export interface Chat {
  chat_id: string;
  posting_number: string;
  /** ISO date-time the chat was opened; '' in a state file written before it was kept (rendered as its first message's) */
  created_at: string;
  messages: ChatMessage[];
  /** the last buyer's message the seller marked read (/v2/chat/read); '' = none */
  read_up_to: string;
}

/** A buyer's message still to come (CreatePostingSpec.buyerMessageAfterMs). */
export interface BuyerMessagePlan {
  posting_number: string;
  text: string;
  /** absolute simulated ms */
  due: number;
}

/** what `OzonSandbox.chats()` returns: copies of the chats */
export type ChatView = Chat[];

/** The buyer's words when a test gives none (sandbox's). */
export const DEFAULT_BUYER_MESSAGE = 'Здравствуйте! Подскажите, пожалуйста, когда вы отправите мой заказ?';

/**
 * Message ids: uint64 above 2^53 like Ozon's ("3000000000817031942"), so a client that keeps them as JS numbers
 * is caught; spaced 512 apart, so that each one is exactly a double and a client that sends one back as a JSON number
 * (as the docs' /v3/chat/history and /v2/chat/read examples do) still names it exactly (sandbox's scheme).
 */
const MESSAGE_ID_BASE = 3_000_000_000_000_000_000n;
const MESSAGE_ID_STEP = 512n;

/** swagger /v1/chat/send/message: "plain text от 1 до 1000 символов" — counted in characters (code points) */
export const CHAT_TEXT_MAX = 1000;

/**
 * The seller writes outside both windows. The docs name no error for it (the methods list only "400 Неверный
 * параметр"): the sandbox answers 400 code 3 with this token, as its other business errors.
 */
export const CHAT_WINDOW_CLOSED = 'CHAT_WINDOW_CLOSED';

/** a uint64 id of a request (a JSON number or a decimal string) as a bigint */
export const messageIdOf = (v: number | string) => BigInt(v);

/** Misuse of the test hook fails loudly, before anything is drawn from the RNG (called before Model.create). */
export function checkChatSpec(spec: CreatePostingSpec) {
  const after = spec.buyerMessageAfterMs;
  if (after !== undefined && (!Number.isFinite(after) || after < 0))
    throw new Error('sandbox: buyerMessageAfterMs must be a number >= 0');
  if (spec.buyerMessageText !== undefined) {
    if (after === undefined) throw new Error('sandbox: buyerMessageText needs buyerMessageAfterMs');
    if (spec.buyerMessageText === '') throw new Error('sandbox: buyerMessageText must not be empty');
  }
}

export interface ChatsDeps {
  model: Model;
  clock: SandboxClock;
  /** the `misc` stream: chat ids */
  rng: Rng;
  sellerId: number;
  push(body: PushBody): void;
  /** a scheduled buyer's message is about to be written (the caller persists the state after it) */
  onTimer?(): void;
}

export class Chats {
  readonly chats = new Map<string, Chat>();
  readonly plans: BuyerMessagePlan[] = [];
  private closed = false;
  private readonly cancels = new Map<BuyerMessagePlan, () => void>();

  constructor(private readonly d: ChatsDeps) {}

  private now() {
    return this.d.clock.now();
  }

  // ---------------------------------------------------------------- the rules

  /** the posting's chat, if it has one */
  chatOf(p: Posting): Chat | undefined {
    return p.chatId ? this.chats.get(p.chatId) : undefined;
  }

  /** the buyer wrote within the last 48 h: the seller may answer, whatever the posting's own window says */
  replyOpen(p: Posting): boolean {
    const last = this.chatOf(p)
      ?.messages.filter((m) => m.author === 'buyer')
      .at(-1);
    return last !== undefined && this.now() - Date.parse(last.created_at) <= CHAT_REPLY_WINDOW_MS;
  }

  /** the seller may write in the posting's chat now (Model.canChat: either window) */
  private mayWrite(p: Posting) {
    if (!this.d.model.canChat(p)) throw new ApiError(400, 3, CHAT_WINDOW_CLOSED);
  }

  // ---------------------------------------------------------------- the seller

  /**
   * /v1/chat/start: the posting's chat, opened now if it has none. FBS and rFBS: "вы можете открыть чат в течение 72
   * часов после оплаты или доставки" — the sandbox reads it as the send rule's window (from payment until 72 h after
   * delivery), and also answers the existing chat's id while the seller may answer the buyer (48 h).
   */
  start(p: Posting): Chat {
    this.mayWrite(p);
    return this.chatOf(p) ?? this.open(p);
  }

  /** /v1/chat/send/message */
  send(chatId: string, text: string): ChatMessage {
    const chat = this.get(chatId);
    const n = [...text].length;
    if (n < 1 || n > CHAT_TEXT_MAX)
      throw new ApiError(400, 3, `invalid request payload: text: must be 1 to ${CHAT_TEXT_MAX} characters`);
    this.mayWrite(this.d.model.get(chat.posting_number));
    return this.add(chat, 'seller', text);
  }

  /** /v2/chat/read: the buyer's messages up to `upTo` (default: all) are read; returns the unread count left */
  markRead(chatId: string, upTo: bigint | undefined): number {
    const chat = this.get(chatId);
    const last = chat.messages.at(-1);
    const to = upTo ?? (last ? messageIdOf(last.message_id) : 0n);
    if (to > (chat.read_up_to ? messageIdOf(chat.read_up_to) : -1n)) chat.read_up_to = String(to);
    return this.unread(chat).length;
  }

  get(chatId: string): Chat {
    const chat = this.chats.get(chatId);
    // sandbox's token, like POSTING_NOT_FOUND (the methods document a 404 "Ответ не найден")
    if (!chat) throw new ApiError(404, 5, 'CHAT_NOT_FOUND');
    return chat;
  }

  /** the buyer's messages the seller has not marked read */
  unread(chat: Chat): ChatMessage[] {
    const upTo = chat.read_up_to ? messageIdOf(chat.read_up_to) : -1n;
    return chat.messages.filter((m) => m.author === 'buyer' && messageIdOf(m.message_id) > upTo);
  }

  // ---------------------------------------------------------------- the buyer

  /** after Model.create: the buyer's message to come (checkChatSpec ran before) */
  plan(p: Posting, spec: CreatePostingSpec) {
    if (spec.buyerMessageAfterMs === undefined) return;
    const plan: BuyerMessagePlan = {
      posting_number: p.posting_number,
      text: spec.buyerMessageText ?? DEFAULT_BUYER_MESSAGE,
      due: this.now() + spec.buyerMessageAfterMs,
    };
    this.plans.push(plan);
    this.schedule(plan);
  }

  /**
   * The buyer writes in the posting's chat (opened if there is none), whatever the posting's status; pushed as
   * TYPE_NEW_MESSAGE (docs push_types "Новое сообщение в чате", examples/push__TYPE_NEW_MESSAGE__*.json).
   */
  buyerWrites(p: Posting, text: string): ChatMessage & { chat_id: string } {
    const chat = this.chatOf(p) ?? this.open(p);
    const m = this.add(chat, 'buyer', text);
    this.d.push({
      message_type: 'TYPE_NEW_MESSAGE',
      chat_id: chat.chat_id,
      chat_type: 'Buyer_Seller',
      message_id: m.message_id,
      created_at: m.created_at,
      // the documented table's `Customer` (the examples' "Сustomer" starts with a Cyrillic С: a typo in Ozon's docs)
      user: { id: String(customerIdOf(p)), type: 'Customer' },
      data: [m.text],
      // an integer int64 as the table documents it (the examples also show the string "7")
      seller_id: this.d.sellerId,
    });
    return { chat_id: chat.chat_id, ...m };
  }

  // ---------------------------------------------------------------- records

  private open(p: Posting): Chat {
    const hex = () =>
      Math.floor(this.d.rng.next() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    const h = hex() + hex() + hex() + hex();
    const chatId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    const chat: Chat = {
      chat_id: chatId,
      posting_number: p.posting_number,
      created_at: iso(this.now()),
      messages: [],
      read_up_to: '',
    };
    p.chatId = chatId;
    this.chats.set(chatId, chat);
    return chat;
  }

  private add(chat: Chat, author: ChatAuthor, text: string): ChatMessage {
    // one sequence over every chat, derived from the messages kept (never deleted), so ids never repeat
    let count = 0n;
    for (const c of this.chats.values()) count += BigInt(c.messages.length);
    const m: ChatMessage = {
      message_id: String(MESSAGE_ID_BASE + (count + 1n) * MESSAGE_ID_STEP),
      author,
      text,
      created_at: iso(this.now()),
    };
    chat.messages.push(m);
    return m;
  }

  private schedule(plan: BuyerMessagePlan) {
    if (this.closed) return;
    const cancel = this.d.clock.schedule(Math.max(0, plan.due - this.now()), () => {
      if (this.closed || !this.cancels.delete(plan)) return;
      const i = this.plans.indexOf(plan);
      if (i >= 0) this.plans.splice(i, 1);
      this.d.onTimer?.();
      const p = this.d.model.postings.get(plan.posting_number);
      if (p) this.buyerWrites(p, plan.text);
    });
    this.cancels.set(plan, cancel);
  }

  /** stops the clock callbacks; `plans` stays (the state file keeps it) */
  close() {
    this.closed = true;
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }

  /** the state file's `chats` and `buyerMessages` (live objects: stringify them, do not keep them) */
  state(): { chats: Chat[]; buyerMessages: BuyerMessagePlan[] } {
    return { chats: [...this.chats.values()], buyerMessages: this.plans };
  }

  view(): ChatView {
    return JSON.parse(JSON.stringify([...this.chats.values()])) as ChatView;
  }

  /** load a state file's chats; buyers' messages still to come go back on the clock, due first */
  restore(chats: Chat[], plans: BuyerMessagePlan[]) {
    for (const c of chats) this.chats.set(c.chat_id, c);
    this.plans.push(...plans);
    for (const plan of [...plans].sort((a, b) => a.due - b.due)) this.schedule(plan);
  }

  // ---------------------------------------------------------------- renderings

  /** /v3/chat/history `messages[]` item (swagger v3ChatMessage) */
  renderMessage(chat: Chat, m: ChatMessage) {
    const p = this.d.model.postings.get(chat.posting_number);
    const readUpTo = chat.read_up_to ? messageIdOf(chat.read_up_to) : -1n;
    return {
      // sandbox's: every message of a posting's chat carries its order and first product
      context: { order_number: p?.order_number ?? '', sku: p?.lines[0] ? String(p.lines[0].sku) : '' },
      created_at: m.created_at,
      data: [m.text],
      is_image: false,
      // the buyer's messages: read once the seller marked them (/v2/chat/read); the seller's: the buyer's reading
      // (TYPE_MESSAGE_READ) is not modelled, so false
      is_read: m.author === 'buyer' && messageIdOf(m.message_id) <= readUpTo,
      message_id: m.message_id,
      // swagger's enum has no "none"; its first value, as an unset proto3 enum renders
      moderate_image_status: 'SUCCESS',
      // v3User.type: customer | seller | crm | courier | support (lower case, as the schema describes it)
      user:
        m.author === 'buyer'
          ? { id: p ? String(customerIdOf(p)) : '', type: 'customer' }
          : { id: String(this.d.sellerId), type: 'seller' },
    };
  }

  /** /v3/chat/list `chats[]` item (swagger v3ChatInfo) */
  renderListItem(chat: Chat) {
    const unread = this.unread(chat);
    const p = this.d.model.postings.get(chat.posting_number);
    const createdAt = chat.created_at || chat.messages[0]?.created_at || iso(p?.createdAt ?? 0);
    return {
      chat: {
        chat_id: chat.chat_id,
        // the sandbox never closes a chat (TYPE_CHAT_CLOSED is not modelled); swagger's spelling of the values
        chat_status: 'Opened',
        chat_type: 'Buyer_Seller',
        created_at: createdAt,
      },
      // uint64 as strings, as the docs' example; "0" = none
      first_unread_message_id: unread[0]?.message_id ?? '0',
      last_message_id: chat.messages.at(-1)?.message_id ?? '0',
      unread_count: unread.length,
    };
  }
}
