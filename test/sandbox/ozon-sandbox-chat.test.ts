/**
 * Chats with buyers: the seller's writing windows on /v1/chat/start and /v1/chat/send/message (72 h after delivery,
 * then 48 h after the buyer's last message), the text length, the Premium Plus methods, the buyer's messages
 * (CreatePostingSpec.buyerMessageAfterMs, buyerWrites) pushed as TYPE_NEW_MESSAGE, /v3/chat/list, /v3/chat/history,
 * /v2/chat/read, and their state-file round trip.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BUYER_MESSAGE, manualClock, type OzonSandbox } from '../../sandbox/index.js';
import { call, get, HOUR, type Json, onCleanup, receiver, runCleanups, start, waitFor } from './helpers.js';

afterEach(runCleanups);

/** manualClock's start */
const T0 = Date.parse('2026-01-15T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const err = (code: number, message: string) => ({ code, message, details: [] });
const CLOSED = err(3, 'CHAT_WINDOW_CLOSED');
/** message ids: 3e18 + n × 512 (chat.ts) */
const msgId = (n: number) => String(3_000_000_000_000_000_000n + BigInt(n) * 512n);
const MUG = { offer_id: 'MUG-350-WHT', quantity: 1 };

const startChat = (sb: OzonSandbox, posting_number: string) => call(sb, '/v1/chat/start', { posting_number });
const send = (sb: OzonSandbox, chat_id: string, text: string) => call(sb, '/v1/chat/send/message', { chat_id, text });
const history = async (sb: OzonSandbox, body: Json) => {
  const r = await call(sb, '/v3/chat/history', body);
  expect(r.status).toBe(200);
  return r.body;
};
const chatList = async (sb: OzonSandbox, body: Json = {}) => {
  const r = await call(sb, '/v3/chat/list', { limit: 100, ...body });
  expect(r.status).toBe(200);
  return r.body;
};
const customerId = (sb: OzonSandbox, pn: string) => String(100_000 + ((sb.posting(pn) as Json).order_id % 900_000));

describe('when the seller may write (FBS / rFBS)', () => {
  it('until 72 h after delivery, then only within 48 h of the buyer’s last message', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const pn = sb.createPosting({ startAt: 'delivered', lines: [MUG] }).posting_number;
    const started = await startChat(sb, pn);
    expect(started.status).toBe(200);
    const chatId = started.body.result.chat_id as string;
    expect((await send(sb, chatId, 'Спасибо за заказ!')).body).toEqual({ result: 'success' });

    clock.advance(72 * HOUR); // the last moment of the window
    expect((await send(sb, chatId, 'Всё ли в порядке с заказом?')).status).toBe(200);
    expect((await get(sb, pn)).available_actions).toContain('can_create_chat');
    clock.advance(1);
    expect(await send(sb, chatId, 'Ещё вопрос')).toEqual(expect.objectContaining({ status: 400, body: CLOSED }));
    expect(await startChat(sb, pn)).toEqual(expect.objectContaining({ status: 400, body: CLOSED }));
    expect((await get(sb, pn)).available_actions).not.toContain('can_create_chat');

    // the buyer writes: the seller may answer for 48 h
    const written = sb.buyerWrites(pn, 'Где чек?');
    expect(written).toEqual({
      chat_id: chatId,
      message_id: msgId(3),
      author: 'buyer',
      text: 'Где чек?',
      created_at: iso(T0 + 72 * HOUR + 1),
    });
    await waitFor(() => rx.got.some((g) => g.message_type === 'TYPE_NEW_MESSAGE'));
    expect((await get(sb, pn)).available_actions).toContain('can_create_chat');
    expect((await startChat(sb, pn)).body.result.chat_id).toBe(chatId);
    expect((await send(sb, chatId, 'Чек в коробке')).status).toBe(200);
    clock.advance(48 * HOUR);
    expect((await send(sb, chatId, 'Нашли?')).status).toBe(200);
    clock.advance(1);
    expect((await send(sb, chatId, 'Ау')).body).toEqual(CLOSED);

    expect(sb.chats()).toEqual([
      {
        chat_id: chatId,
        posting_number: pn,
        created_at: iso(T0),
        read_up_to: '',
        messages: [
          { message_id: msgId(1), author: 'seller', text: 'Спасибо за заказ!', created_at: iso(T0) },
          {
            message_id: msgId(2),
            author: 'seller',
            text: 'Всё ли в порядке с заказом?',
            created_at: iso(T0 + 72 * HOUR),
          },
          { message_id: msgId(3), author: 'buyer', text: 'Где чек?', created_at: iso(T0 + 72 * HOUR + 1) },
          { message_id: msgId(4), author: 'seller', text: 'Чек в коробке', created_at: iso(T0 + 72 * HOUR + 1) },
          { message_id: msgId(5), author: 'seller', text: 'Нашли?', created_at: iso(T0 + 120 * HOUR + 1) },
        ],
      },
    ]);
  });

  it('from payment on; a cancellation closes the posting’s window, the buyer’s message opens 48 h', async () => {
    const { sb, clock } = await start();
    const pn = sb.createPosting({ schema: 'rfbs' }).posting_number;
    expect((await get(sb, pn)).available_actions).toContain('can_create_chat');
    expect(sb.chats()).toEqual([]);
    const chatId = (await startChat(sb, pn)).body.result.chat_id as string;
    expect(chatId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    clock.advance(10 * 24 * HOUR); // not delivered: the window stays open however long it takes
    expect((await send(sb, chatId, 'Отправим завтра')).status).toBe(200);

    expect((await call(sb, '/v2/posting/fbs/cancel', { posting_number: pn, cancel_reason_id: 352 })).status).toBe(200);
    expect((await send(sb, chatId, 'Извините')).body).toEqual(CLOSED);
    expect((await startChat(sb, pn)).body).toEqual(CLOSED);
    sb.buyerWrites(pn, 'Почему отменили?');
    expect((await send(sb, chatId, 'Товар закончился, извините')).status).toBe(200);
    clock.advance(48 * HOUR + 1);
    expect((await send(sb, chatId, 'Ещё раз извините')).body).toEqual(CLOSED);
  });

  it('text of 1 to 1000 characters; unknown chats and postings are 404', async () => {
    const { sb } = await start();
    const pn = sb.createPosting().posting_number;
    const chatId = (await startChat(sb, pn)).body.result.chat_id as string;
    const tooLong = err(3, 'invalid request payload: text: must be 1 to 1000 characters');
    expect(await send(sb, chatId, '')).toEqual(expect.objectContaining({ status: 400, body: tooLong }));
    expect((await send(sb, chatId, 'я'.repeat(1000))).status).toBe(200);
    expect((await send(sb, chatId, 'я'.repeat(1001))).body).toEqual(tooLong);
    // characters, not UTF-16 units
    expect((await send(sb, chatId, '🙂'.repeat(1000))).status).toBe(200);
    expect((await call(sb, '/v1/chat/send/message', { chat_id: chatId })).status).toBe(400);
    expect(await send(sb, 'nope', 'Здравствуйте')).toEqual(
      expect.objectContaining({ status: 404, body: err(5, 'CHAT_NOT_FOUND') }),
    );
    expect((await startChat(sb, 'nope')).body).toEqual(err(5, 'POSTING_NOT_FOUND'));
    expect(sb.chats()[0]?.messages.length).toBe(2);
  });

  it('start, send and read need Premium Plus; list and history do not', async () => {
    const { sb } = await start({ premium: 'premium' });
    const pn = sb.createPosting().posting_number;
    const denied = err(7, 'PREMIUM_PLUS_REQUIRED');
    expect(await startChat(sb, pn)).toEqual(expect.objectContaining({ status: 403, body: denied }));
    const { chat_id } = sb.buyerWrites(pn); // the buyer can write whatever the seller's plan
    expect((await send(sb, chat_id, 'Здравствуйте')).body).toEqual(denied);
    expect((await call(sb, '/v2/chat/read', { chat_id })).body).toEqual(denied);
    expect((await chatList(sb)).chats.length).toBe(1);
    expect((await history(sb, { chat_id })).messages.map((m: Json) => m.data)).toEqual([[DEFAULT_BUYER_MESSAGE]]);
    const { sb: none } = await start({ premium: 'none' });
    expect((await startChat(none, none.createPosting().posting_number)).body).toEqual(denied);
  });
});

describe('the buyer’s messages', () => {
  it('buyerMessageAfterMs: the buyer writes at that time, pushed as TYPE_NEW_MESSAGE; list, history, read', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const pn = sb.createPosting({ buyerMessageAfterMs: 2 * HOUR, lines: [MUG] }).posting_number;
    const other = sb.createPosting({
      buyerMessageAfterMs: 3 * HOUR,
      buyerMessageText: 'Можно курьером?',
    }).posting_number;
    clock.advance(2 * HOUR - 1);
    expect(sb.chats()).toEqual([]);
    clock.advance(1);
    await waitFor(() => rx.got.some((g) => g.message_type === 'TYPE_NEW_MESSAGE'));
    const chatId = sb.chats()[0]?.chat_id as string;
    // docs push_types "Новое сообщение в чате"; examples/push__TYPE_NEW_MESSAGE__2.json
    expect(rx.got.filter((g) => g.message_type === 'TYPE_NEW_MESSAGE')).toEqual([
      {
        message_type: 'TYPE_NEW_MESSAGE',
        chat_id: chatId,
        chat_type: 'Buyer_Seller',
        message_id: msgId(1),
        created_at: iso(T0 + 2 * HOUR),
        user: { id: customerId(sb, pn), type: 'Customer' },
        data: [DEFAULT_BUYER_MESSAGE],
        seller_id: 123456,
      },
    ]);
    expect((sb.posting(pn) as Json).available_actions).toContain('can_create_chat');
    const types = (await call(sb, '/v1/notification/list', {})).body.urls[0].types.map((t: Json) => t.type);
    expect(types).toContain('TYPE_NEW_MESSAGE');

    // the seller answers in the same chat
    expect((await startChat(sb, pn)).body.result.chat_id).toBe(chatId);
    expect((await send(sb, chatId, 'Отправим сегодня')).status).toBe(200);
    clock.advance(HOUR);
    await waitFor(() => rx.got.filter((g) => g.message_type === 'TYPE_NEW_MESSAGE').length === 2);
    const otherChat = sb.chats()[1] as Json;
    expect(otherChat).toMatchObject({
      posting_number: other,
      messages: [{ author: 'buyer', text: 'Можно курьером?' }],
    });

    const order = (sb.posting(pn) as Json).order_number;
    expect(await chatList(sb)).toEqual({
      chats: [
        {
          chat: { chat_id: chatId, chat_status: 'Opened', chat_type: 'Buyer_Seller', created_at: iso(T0 + 2 * HOUR) },
          first_unread_message_id: msgId(1),
          last_message_id: msgId(2),
          unread_count: 1,
        },
        {
          chat: {
            chat_id: otherChat.chat_id,
            chat_status: 'Opened',
            chat_type: 'Buyer_Seller',
            created_at: iso(T0 + 3 * HOUR),
          },
          first_unread_message_id: msgId(3),
          last_message_id: msgId(3),
          unread_count: 1,
        },
      ],
      total_unread_count: 2,
      cursor: '',
      has_next: false,
    });
    const page1 = await chatList(sb, { limit: 1, filter: { chat_status: 'OPENED' } });
    expect([page1.chats.length, page1.has_next]).toEqual([1, true]);
    const page2 = await chatList(sb, { limit: 1, cursor: page1.cursor });
    expect([page2.chats[0].chat.chat_id, page2.has_next]).toEqual([otherChat.chat_id, false]);
    expect((await chatList(sb, { filter: { chat_status: 'Closed' } })).chats).toEqual([]);
    expect((await call(sb, '/v3/chat/list', {})).status).toBe(400); // limit is required
    expect((await call(sb, '/v3/chat/list', { limit: 101 })).status).toBe(400);

    // Backward (default): newest first
    const buyerMsg = {
      context: { order_number: order, sku: '1473290011' },
      created_at: iso(T0 + 2 * HOUR),
      data: [DEFAULT_BUYER_MESSAGE],
      is_image: false,
      is_read: false,
      message_id: msgId(1),
      moderate_image_status: 'SUCCESS',
      user: { id: customerId(sb, pn), type: 'customer' },
    };
    const sellerMsg = {
      ...buyerMsg,
      data: ['Отправим сегодня'],
      message_id: msgId(2),
      user: { id: '123456', type: 'seller' },
    };
    expect(await history(sb, { chat_id: chatId })).toEqual({ has_next: false, messages: [sellerMsg, buyerMsg] });
    expect(await history(sb, { chat_id: chatId, limit: 1 })).toEqual({ has_next: true, messages: [sellerMsg] });
    expect(await history(sb, { chat_id: chatId, from_message_id: msgId(1) })).toEqual({
      has_next: false,
      messages: [buyerMsg],
    });
    // Forward from a message (itself included), the id as a JSON number as in the docs' example
    expect(await history(sb, { chat_id: chatId, direction: 'Forward', from_message_id: Number(msgId(1)) })).toEqual({
      has_next: false,
      messages: [buyerMsg, sellerMsg],
    });
    expect((await history(sb, { chat_id: chatId, filter: { message_ids: [msgId(2)] } })).messages).toEqual([sellerMsg]);
    expect((await call(sb, '/v3/chat/history', { chat_id: chatId, direction: 'Forward' })).body).toEqual(
      err(3, 'invalid request payload: from_message_id: required when direction is Forward'),
    );
    expect((await call(sb, '/v3/chat/history', { chat_id: 'nope' })).status).toBe(404);

    // the seller reads the first chat
    expect((await call(sb, '/v2/chat/read', { chat_id: chatId, from_message_id: msgId(1) })).body).toEqual({
      unread_count: 0,
    });
    expect((await history(sb, { chat_id: chatId, from_message_id: msgId(1) })).messages[0].is_read).toBe(true);
    const unread = await chatList(sb, { filter: { unread_only: true } });
    expect(unread.chats.map((c: Json) => c.chat.chat_id)).toEqual([otherChat.chat_id]);
    expect(unread.total_unread_count).toBe(1);
    expect((await call(sb, '/v2/chat/read', { chat_id: otherChat.chat_id })).body).toEqual({ unread_count: 0 });
    expect(sb.chats().map((c) => c.read_up_to)).toEqual([msgId(1), msgId(3)]);
  });

  it('misuse of the options throws before anything is created', async () => {
    const { sb } = await start();
    expect(() => sb.createPosting({ buyerMessageText: 'Привет' })).toThrow(/buyerMessageAfterMs/);
    expect(() => sb.createPosting({ buyerMessageAfterMs: -1 })).toThrow(/buyerMessageAfterMs/);
    expect(() => sb.buyerWrites('nope')).toThrow(/unknown posting/);
    expect((sb.snapshot() as Json).postings).toEqual([]);
  });
});

describe('durable chats', () => {
  function tempDir() {
    const dir = mkdtempSync(join(tmpdir(), 'ozon-sandbox-chat-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }
  const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;

  it('messages, authors, read marks and buyers’ messages to come survive a kill -9; older files restore', async () => {
    const dir = tempDir();
    const file = join(dir, 'state.json');
    const rx = await receiver();
    const { sb: a, clock: clockA } = await start({ stateFile: file, pushUrl: rx.url });
    const now = a.createPosting({ buyerMessageAfterMs: 0 }).posting_number;
    const later = a.createPosting({ buyerMessageAfterMs: 5 * HOUR, buyerMessageText: 'Жду!' }).posting_number;
    clockA.advance(HOUR);
    const chatId = (await startChat(a, now)).body.result.chat_id as string;
    expect((await send(a, chatId, 'Здравствуйте!')).status).toBe(200);
    expect((await call(a, '/v2/chat/read', { chat_id: chatId })).status).toBe(200);

    const killed = join(dir, 'killed.json');
    copyFileSync(file, killed);
    const before = readJson(killed);
    expect(before).toEqual(a.snapshot());
    expect(before.buyerMessages).toEqual([{ posting_number: later, text: 'Жду!', due: T0 + 5 * HOUR }]);
    expect(before.chats).toEqual([
      {
        chat_id: chatId,
        posting_number: now,
        created_at: iso(T0),
        messages: [
          { message_id: msgId(1), author: 'buyer', text: DEFAULT_BUYER_MESSAGE, created_at: iso(T0) },
          { message_id: msgId(2), author: 'seller', text: 'Здравствуйте!', created_at: iso(T0 + HOUR) },
        ],
        read_up_to: msgId(2),
      },
    ]);

    const clockB = manualClock(before.savedAt + 60_000);
    const { sb: b } = await start({ stateFile: killed, pushUrl: rx.url, clock: clockB });
    expect((b.snapshot() as Json).chats).toEqual(before.chats);
    expect((await chatList(b)).total_unread_count).toBe(0);
    // the buyer's message planned before the kill comes from the restarted sandbox, in a new chat, with the next id
    clockB.advance(T0 + 5 * HOUR - clockB.now());
    await waitFor(() => rx.got.some((g) => g.message_type === 'TYPE_NEW_MESSAGE' && g.data[0] === 'Жду!'));
    expect(b.chats()[1]).toMatchObject({
      posting_number: later,
      messages: [{ message_id: msgId(3), author: 'buyer', text: 'Жду!', created_at: iso(T0 + 5 * HOUR) }],
    });
    expect((b.snapshot() as Json).buyerMessages).toEqual([]);
    await Promise.resolve();
    expect(readJson(killed)).toEqual(b.snapshot());

    // a file written before authors, read marks and buyers' messages were kept: the seller wrote every message
    const old = readJson(file);
    delete old.buyerMessages;
    old.chats = [
      {
        chat_id: chatId,
        posting_number: now,
        messages: [{ message_id: '1', text: 'Здравствуйте', created_at: iso(T0 + HOUR) }],
      },
    ];
    const oldFile = join(dir, 'old.json');
    writeFileSync(oldFile, JSON.stringify(old));
    const { sb: c } = await start({ stateFile: oldFile, clock: manualClock(old.savedAt) });
    expect(c.chats()).toEqual([
      {
        chat_id: chatId,
        posting_number: now,
        created_at: '',
        messages: [{ message_id: '1', author: 'seller', text: 'Здравствуйте', created_at: iso(T0 + HOUR) }],
        read_up_to: '',
      },
    ]);
    expect((await chatList(c)).chats[0].chat.created_at).toBe(iso(T0 + HOUR));
    expect((await send(c, chatId, 'Ещё')).status).toBe(200);
    expect(c.chats()[0]?.messages[1]?.message_id).toBe(msgId(2));
  });
});
