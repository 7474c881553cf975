/**
 * Telling the buyer, pure: the moments the product writes to a posting's buyer, the Russian texts (the seller's
 * own from BUYER_MESSAGES, else these), and Ozon's chat rule (ozon-api.md §3.11, docs/27-chatapi.md): an FBS or rFBS
 * buyer may be written to from payment until 72 h after delivery; after that only within 48 h of the buyer's last
 * message.
 */
import * as z from 'zod/mini';

export const Moment = z.enum([
  'stock_short',
  'partial_cancel',
  'stock_cancelled',
  'ship_date_moved',
  'stalled',
  'return_decided',
  'cancellation_decided',
]);
export type Moment = z.infer<typeof Moment>;

/** The texts by default; `{posting}`, `{items}`, `{decision}` are filled in. 1–1,000 characters each. */
export const DEFAULT_MESSAGES: Record<Moment, string> = {
  stock_short:
    'Здравствуйте! По заказу {posting} товар {items} закончился на складе. Мы ждём поставку и отправим заказ, как только он поступит. Спасибо за терпение!',
  partial_cancel:
    'Здравствуйте! К сожалению, товар {items} из заказа {posting} закончился, и мы отменили только его. Остальное отправим в срок, деньги за отменённый товар вернутся автоматически.',
  stock_cancelled:
    'Здравствуйте! К сожалению, товар из заказа {posting} закончился, и нам придётся отменить заказ. Деньги вернутся автоматически. Приносим извинения!',
  ship_date_moved:
    'Здравствуйте! Заказ {posting} уйдёт к вам со следующей отгрузкой, на день позже. Приносим извинения за задержку.',
  stalled:
    'Здравствуйте! Ваш заказ {posting} задерживается в пути. Мы уже связались со службой доставки и следим за ним. Приносим извинения за ожидание.',
  return_decided: 'Здравствуйте! По вашей заявке на возврат по заказу {posting}: {decision}.',
  cancellation_decided: 'Здравствуйте! По вашей заявке на отмену заказа {posting}: {decision}.',
};

/** The seller's texts (BUYER_MESSAGES, JSON `{moment: text}`), checked: a bad one is named at its first use. */
export const SellerMessages = z.partialRecord(Moment, z.string().check(z.minLength(1), z.maxLength(1000)));

export function messagesOf(json: string, stallMessage: string): Record<Moment, string> {
  let value: unknown;
  try {
    value = JSON.parse(json || '{}');
  } catch (e) {
    throw new Error(`BUYER_MESSAGES is not JSON: ${(e as Error).message}`);
  }
  const parsed = SellerMessages.safeParse(value);
  if (!parsed.success) throw new Error(`BUYER_MESSAGES is not {moment: text}: ${parsed.error.message}`);
  // BUYER_STALL_MESSAGE (the first message the product had) still sets the stalled text unless BUYER_MESSAGES does.
  return { ...DEFAULT_MESSAGES, stalled: stallMessage, ...parsed.data };
}

/** Short lines as the buyer knows them (`{items}`): each product's name in quotes, else its offer id. */
export const itemsOf = (lines: { offerId: string; name: string }[], short: { offerId: string }[]) =>
  short.map((s) => `«${lines.find((l) => l.offerId === s.offerId)?.name || s.offerId}»`).join(', ');

/** The text with its blanks filled, cut to Ozon's 1,000 characters. */
export function render(template: string, vars: Record<string, string>): string {
  const text = template.replaceAll(/\{(\w+)\}/g, (all, name: string) => vars[name] ?? all);
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text;
}

const HOUR = 3600_000;

/** Whether Ozon lets the seller write now; `why` says why not. */
export function chatOpen(
  order: { status: string; deliveredAt?: string; lastBuyerMessageAt?: string },
  nowMs: number,
): { open: true } | { open: false; why: string } {
  const delivered = order.deliveredAt ? Date.parse(order.deliveredAt) : Number.NaN;
  // A cancelled posting's own window is closed (Ozon's docs do not say; the sandbox closes it): only replies remain.
  const ownWindow = order.status !== 'cancelled' && (Number.isNaN(delivered) || nowMs <= delivered + 72 * HOUR);
  if (ownWindow) return { open: true };
  const last = order.lastBuyerMessageAt ? Date.parse(order.lastBuyerMessageAt) : Number.NaN;
  if (!Number.isNaN(last) && nowMs <= last + 48 * HOUR) return { open: true };
  return {
    open: false,
    why:
      order.status === 'cancelled'
        ? 'the posting is cancelled, and the buyer has not written in the last 48 h'
        : 'more than 72 h after delivery, and the buyer has not written in the last 48 h',
  };
}
