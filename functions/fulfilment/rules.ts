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

/** Ozon's limit for one `/v2/posting/fbs/package-label` call. */
export const LABELS_PER_CALL = 20;
/** A label batch refused as "not ready" this many times is split up, so one late posting cannot hold the rest. */
export const LABEL_BATCH_ATTEMPTS = 3;

/**
 * Label batches: postings of one warehouse together (one PDF and one packing list per batch, as a warehouse
 * prints and packs them), at most LABELS_PER_CALL each, in the order they came.
 */
export function labelBatches<T extends { order: Pick<Order, 'warehouseId'> }>(requests: T[]): T[][] {
  const byWarehouse = new Map<number, T[]>();
  for (const r of requests) {
    const group = byWarehouse.get(r.order.warehouseId) ?? [];
    group.push(r);
    byWarehouse.set(r.order.warehouseId, group);
  }
  return [...byWarehouse.values()].flatMap((group) => {
    const batches: T[][] = [];
    for (let i = 0; i < group.length; i += LABELS_PER_CALL) batches.push(group.slice(i, i + LABELS_PER_CALL));
    return batches;
  });
}

/**
 * Where a batch's files go: by warehouse and day, named after the batch's postings, so the same batch retried
 * writes the same objects instead of new ones.
 */
/** A label batch's files from its key stem (an order's `labelBatch`): the packing list, and the labels PDF. */
export function labelFiles(stem: string, labelled: boolean): { packingList: string; label?: string } {
  return { packingList: `${stem}.txt`, ...(labelled ? { label: `${stem}.pdf` } : {}) };
}

export function labelBatchKey(warehouseId: number, day: string, postingNumbers: string[], digest: string): string {
  return `labels/${warehouseId}/${day}/${postingNumbers[0]}+${postingNumbers.length - 1}-${digest.slice(0, 10)}`;
}
