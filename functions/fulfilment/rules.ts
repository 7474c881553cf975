/** Fulfilment rules: how often assembly is tried, what Ozon's refusals mean, what lateness costs. Pure. */
import type { Order } from '#shared/order';

export const MAX_SHIP_ATTEMPTS = 3;
export const MAX_PACKING_REMINDERS = 24;

const SHIP_REFUSALS = ['HAS_INCORRECT_STATUS', 'HAS_INCORRECT_PRODUCT_QUANTITY'];

export type ShipRefusal =
  | { kind: 'already_shipped' }
  | { kind: 'cancelled' }
  | { kind: 'marking_codes' }
  | { kind: 'refused'; reason: string };

/** What Ozon's refusal of a ship call means for the posting. */
export function shipRefusal(ozonMessage: string): ShipRefusal {
  if (ozonMessage.includes('POSTING_ALREADY_SHIPPED')) return { kind: 'already_shipped' };
  if (ozonMessage.includes('POSTING_ALREADY_CANCELLED')) return { kind: 'cancelled' };
  if (ozonMessage.includes('EXEMPLAR_INFO_NOT_FILLED_COMPLETELY')) return { kind: 'marking_codes' };
  return { kind: 'refused', reason: SHIP_REFUSALS.find((r) => ozonMessage.includes(r)) ?? ozonMessage };
}

/** What a late shipment costs, from the posting's `tariffication`, in plain words for the alert. */
export function lateCost(order: Pick<Order, 'tariffication'>): string {
  const t = order.tariffication;
  if (!t?.nextRate) return 'Late shipment may be charged by Ozon.';
  const from = t.nextStartsAt ? ` from ${t.nextStartsAt}` : '';
  return `Ozon's tariff changes to ${t.nextRate}%${t.nextType ? ` (${t.nextType})` : ''}${from}.`;
}

/** Whether the label is "not ready yet" (Ozon needs 45–60 s after assembly) rather than refused for good. */
export const labelNotReady = (ozonMessage: string) => /aren't ready|not ready/i.test(ozonMessage);
/** Only these statuses can still get a label: a parcel that moved on (picked up, refused) needs none. */
export const LABEL_STATUSES = new Set(['awaiting_deliver', 'awaiting_packaging']);
