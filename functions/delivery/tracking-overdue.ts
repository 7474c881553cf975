/** TrackingOverdue (rFBS): the carrier's tracking number is late. Alert; after three alerts give up. */
import { sendAlert } from '#shared/alerts';
import { TrackingNumberMissing } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { updateOrder } from '#shared/order-store';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { MAX_TRACKING_ALERTS } from './rules';

export async function trackingOverdue(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const overdue = (order.escalations.tracking ?? 0) + 1;
  if (overdue > MAX_TRACKING_ALERTS) {
    throw new TrackingNumberMissing(`${order.postingNumber}: no tracking number after ${overdue - 1} alerts`);
  }
  const updated = await updateOrder(order.postingNumber, { escalations: { ...order.escalations, tracking: overdue } });
  await sendAlert(updated, { kind: 'tracking_missing', deadline: order.shipmentDate });
  return stateOf(updated);
}

export const handler = stepHandler(StepInput, trackingOverdue);
