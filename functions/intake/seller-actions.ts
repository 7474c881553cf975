/**
 * The seller's API, called by their carrier and warehouse systems: the rFBS tracking number once the parcel is
 * handed over, delivery (reported to Ozon; Ozon's status push then completes the wait like any other status),
 * the warehouse's "packed" confirmation, and restocks (which wake postings waiting for that stock).
 */
import { z } from 'zod';
import { nowIso } from '#shared/clock';
import { ShipRefused } from '#shared/errors';
import { ordersInPhase, recordEvent } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { addStock } from '#stock/stock-store';
import { deliverToWait } from '#waits/deliver-to-wait';
import { recordStatus } from './record-status';

export const CarrierEvent = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('tracking'),
    postingNumber: z.string().min(1),
    trackingNumber: z.string().min(3).max(64),
  }),
  z.object({ event: z.literal('delivered'), postingNumber: z.string().min(1) }),
  z.object({ event: z.literal('packed'), postingNumber: z.string().min(1) }),
  z.object({
    event: z.literal('stock'),
    warehouseId: z.number().int().positive(),
    offerId: z.string().min(1).max(100),
    quantity: z.number().int().positive().max(1_000_000),
  }),
]);
export type CarrierEvent = z.infer<typeof CarrierEvent>;

export async function handleCarrierEvent(
  event: CarrierEvent,
): Promise<{ accepted: boolean; duplicate?: boolean; woken?: number }> {
  if (event.event === 'stock') {
    await addStock(event.warehouseId, event.offerId, event.quantity);
    return { accepted: true, woken: await wakePostingsWaitingFor(event.warehouseId, event.offerId) };
  }
  if (event.event === 'packed') {
    const order = await recordEvent(
      event.postingNumber,
      'packed',
      { type: 'packed', at: nowIso(), source: 'seller' },
      { packedAt: nowIso() },
    );
    if (order === undefined) return { accepted: true, duplicate: true };
    if (order !== 'recorded-before-order') await deliverToWait(order);
    return { accepted: true };
  }
  if (event.event === 'tracking') {
    const order = await recordEvent(
      event.postingNumber,
      `tracking#${event.trackingNumber}`,
      { type: 'tracking_number', at: nowIso(), source: 'seller' },
      { trackingNumber: event.trackingNumber },
    );
    if (order === undefined) return { accepted: true, duplicate: true };
    if (order !== 'recorded-before-order') await deliverToWait(order);
    return { accepted: true };
  }
  const result = await ozon().call('markDelivered', { posting_number: [event.postingNumber] });
  const failed = result.result.find((r) => !r.result);
  if (failed && ![failed.error].flat().join().includes('TRANSITION_IS_NOT_POSSIBLE')) {
    throw new ShipRefused(`Ozon refused "delivered" for ${event.postingNumber}: ${[failed.error].flat().join(', ')}`);
  }
  // Ozon changes the status asynchronously and pushes it; recording our own report too means a lost push does not
  // leave the posting waiting.
  await recordStatus(event.postingNumber, 'delivered', 'posting_delivered', nowIso(), 'seller');
  return { accepted: true };
}

/** Postings short of this offer in this warehouse get a restock event; their AwaitRestock reserves again. */
export async function wakePostingsWaitingFor(warehouseId: number, offerId: string): Promise<number> {
  const waiting = (await ordersInPhase('awaiting_stock')).filter(
    (o) => o.warehouseId === warehouseId && o.lines.some((l) => l.offerId === offerId),
  );
  const at = nowIso();
  for (const order of waiting) {
    const updated = await recordEvent(
      order.postingNumber,
      `restock#${offerId}#${at}`,
      { type: 'restock', at, source: 'seller' },
      { restockedAt: at },
    );
    if (updated && updated !== 'recorded-before-order') await deliverToWait(updated);
  }
  return waiting.length;
}
