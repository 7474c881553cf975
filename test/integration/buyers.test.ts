/**
 * Buyers and the shop's standing (issue 14, items 1, 2 and 4), through whole executions on the embedded runtime: the
 * sandbox plays Ozon's chat (its window rules, buyers writing, TYPE_NEW_MESSAGE pushes) and a rating indicator that
 * turns bad during the run. The buyer is told of a shortage once and before any cancellation; a buyer's message
 * reaches the seller, who replies through the seller API, or is reminded before Ozon's 24 h; the rating alert names
 * the product's own posting that weighs on the indicator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDigestNow } from '#performance/digest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { DEFAULT_WAREHOUSES } from '../../sandbox/index';
import { statesEntered, until, waitForExecution } from './helpers';

const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;
const HOUR = 3_600_000;

let rt: Runtime;

beforeAll(async () => {
  rt = await startRuntime({
    speed: 10_000,
    // The rating is looked at hourly here; Ozon's cancellations indicator turns WARNING on the second day, after the
    // stock cancellation below.
    // The test sends the weekly digest itself, once: Ozon's analytics answer once a minute of real time.
    environment: { RATING_CHECK_HOURS: '1', DIGEST_EVERY_HOURS: '100000' },
    ozon: {
      mode: 'sandbox',
      sandbox: { rating: { changes: [{ afterMs: 40 * HOUR, rating: 'rating_order_cancellation', value: 12 }] } },
    },
  });
  // Notebooks run out and come back; socks are out for good.
  await seedDemoStock(100, { 'NOTE-A5-DOT': 0, 'SOCKS-WOOL-42': 0 });
});
afterAll(async () => {
  await rt?.stop();
});

const sellerMessages = (pn: string) =>
  (rt.sandbox?.chats() ?? [])
    .filter((c) => c.posting_number === pn)
    .flatMap((c) => c.messages.filter((m) => m.author === 'seller').map((m) => m.text));
const chatOf = (pn: string) => rt.sandbox?.chats().find((c) => c.posting_number === pn);

describe.concurrent('buyers and the rating', { timeout: 150_000 }, () => {
  it('short stock: the buyer is told once, before the restock, and the posting completes', async () => {
    const pn = rt.sandbox?.createPosting({ lines: [{ offer_id: 'NOTE-A5-DOT', quantity: 1 }] }).posting_number ?? '';
    await until(() => rt.alerts.find((a) => a.postingNumber === pn && a.kind === 'out_of_stock'));
    await until(() => (sellerMessages(pn).length ? true : undefined));

    const restock = await rt.sellerApi('stock', { warehouseId: FBS_WAREHOUSE, offerId: 'NOTE-A5-DOT', quantity: 5 });
    expect(restock.status).toBe(200);
    const execution = await waitForExecution(rt, pn, 120_000);

    expect(statesEntered(execution)).toEqual(expect.arrayContaining(['AwaitRestock', 'Completed']));
    // Once, in Russian, naming the product — however often the posting passed the shortage.
    expect(sellerMessages(pn)).toHaveLength(1);
    expect(sellerMessages(pn)[0]).toMatch(new RegExp(`По заказу ${pn} товар «.+» закончился на складе`));
  });

  it("a buyer's message reaches the seller with its posting; the seller's reply goes out, and no reminder follows", async () => {
    const pn =
      rt.sandbox?.createPosting({ buyerMessageAfterMs: 6 * HOUR, buyerMessageText: 'Можно отправить побыстрее?' })
        .posting_number ?? '';
    const forwarded = await until(() =>
      rt.alerts.find((a) => a.kind === 'buyer_message' && a.message.includes('Можно отправить побыстрее?')),
    );
    const chatId = chatOf(pn)?.chat_id as string;
    // The buyer opened the chat: the product found its posting from the chat's history.
    expect(forwarded.message).toContain(pn);
    expect(forwarded.message).toContain(chatId);
    expect(forwarded.message).toContain('/buyerReply');

    const reply = await rt.sellerApi('buyerReply', { chatId, text: 'Отправим сегодня!' });
    expect(reply.status).toBe(200);
    await waitForExecution(rt, pn, 120_000);

    expect(sellerMessages(pn)).toEqual(['Отправим сегодня!']);
    expect(rt.alerts.filter((a) => a.kind === 'buyer_reply_due' && a.message.includes(chatId))).toEqual([]);
    // A reply Ozon refuses is the seller's answer, with Ozon's reason: an unknown chat here.
    const refused = await rt.sellerApi('buyerReply', { chatId: 'no-such-chat', text: 'Здравствуйте' });
    expect(refused.status).toBe(422);
  });

  it("an unanswered buyer's message is reminded before Ozon's 24 h", async () => {
    const pn =
      rt.sandbox?.createPosting({ buyerMessageAfterMs: 6 * HOUR, buyerMessageText: 'Где мой заказ?' }).posting_number ??
      '';
    const forwarded = await until(() =>
      rt.alerts.find((a) => a.kind === 'buyer_message' && a.message.includes('Где мой заказ?')),
    );

    const due = await until(
      () => rt.alerts.find((a) => a.kind === 'buyer_reply_due' && a.message.includes('Где мой заказ?')),
      120_000,
    );

    expect(due.severity).toBe('critical');
    expect(due.at).toBeGreaterThan(forwarded.at);
    expect(due.message).toContain(pn);
    // Each message reaches the seller once, however often Ozon pushes it again.
    expect(rt.alerts.filter((a) => a.kind === 'buyer_message' && a.message.includes('Где мой заказ?'))).toHaveLength(1);
  });

  it('a stock cancellation tells the buyer first; the rating alert names it when Ozon counts cancellations', async () => {
    const pn = rt.sandbox?.createPosting({ lines: [{ offer_id: 'SOCKS-WOOL-42', quantity: 1 }] }).posting_number ?? '';
    const execution = await waitForExecution(rt, pn, 120_000);
    expect(statesEntered(execution)).toContain('CancelPosting');
    expect(sellerMessages(pn).at(-1)).toMatch(/нам придётся отменить заказ/);

    const warning = await until(
      () => rt.alerts.find((a) => a.kind === 'rating_warning' && a.message.includes('rating_order_cancellation')),
      120_000,
    );

    expect(warning.severity).toBe('critical');
    expect(warning.message).toMatch(/WARNING: 12%/);
    expect(warning.message).toContain(pn);
    // Once, however many hourly looks see it still WARNING.
    await until(() => (rt.ozonCalls.filter((c) => c.path === '/v1/rating/summary').length >= 3 ? true : undefined));
    expect(rt.alerts.filter((a) => a.kind === 'rating_warning')).toHaveLength(1);

    // The weekly digest (sent here directly: Ozon's analytics answer once a minute of real time) counts the
    // cancellation and, with Premium Plus, gives views, conversion, cancellations and returns per SKU.
    expect(await sendDigestNow()).toMatchObject({ sent: true, plan: 'premium_plus' });
    const digest = await until(() => rt.alerts.find((a) => a.kind === 'digest'));
    expect(digest.message).toMatch(/cancelled by you [1-9]/);
    expect(digest.message).toMatch(
      /Носки шерстяные[^;]*\(\d+\): revenue [\d.]+, ordered \d+, views 0, to cart 0%, cancelled [1-9]/,
    );
    expect(digest.message).not.toContain('Not in your plan');
  });
});
