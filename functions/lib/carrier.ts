/**
 * The seller's carrier (rFBS) reports through this API: the tracking number once the parcel is handed over, and
 * delivery. Delivery is reported to Ozon; Ozon's status push then completes the wait like any other status.
 */
import { z } from 'zod';
import { nowIso } from './clock';
import { ShipRefused } from './errors';
import { recordStatus } from './lifecycle';
import { ozon } from './ozon/client';
import { recordEvent } from './store/orders';
import { deliverToWait } from './tasks';

export const CarrierEvent = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('tracking'),
    postingNumber: z.string().min(1),
    trackingNumber: z.string().min(3).max(64),
  }),
  z.object({ event: z.literal('delivered'), postingNumber: z.string().min(1) }),
]);
export type CarrierEvent = z.infer<typeof CarrierEvent>;

export async function handleCarrierEvent(event: CarrierEvent): Promise<{ accepted: boolean; duplicate?: boolean }> {
  if (event.event === 'tracking') {
    const order = await recordEvent(
      event.postingNumber,
      `tracking#${event.trackingNumber}`,
      { type: 'tracking_number', at: nowIso(), source: 'carrier' },
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
  await recordStatus(event.postingNumber, 'delivered', 'posting_delivered', nowIso(), 'carrier');
  return { accepted: true };
}
