/** Delivery rules: how long the seller's carrier gets, when a stalled parcel escalates. Pure. */
import type { Order } from '#shared/order';

/** A missing rFBS tracking number is alerted this many times before the posting is given up as untracked. */
export const MAX_TRACKING_ALERTS = 3;

/** Whether the delivery window promised to the buyer has passed without delivery. */
export function deliveryWindowPassed(order: Pick<Order, 'deliveryDateEnd' | 'status'>, nowMs: number): boolean {
  const windowEnd = order.deliveryDateEnd ? Date.parse(order.deliveryDateEnd) : Number.NaN;
  return !Number.isNaN(windowEnd) && nowMs >= windowEnd && order.status !== 'delivered';
}
