/** TrackingOverdue (rFBS): the carrier's tracking number is late. Alert; after three alerts give up. */
import { sendAlert } from '#shared/alerts';
import { TrackingNumberMissing } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { activeOrder, escalate, StepInput, stateOf } from '#shared/steps';
import { MAX_TRACKING_ALERTS } from './rules';

export async function trackingOverdue(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const updated = await escalate(
    order,
    'tracking',
    MAX_TRACKING_ALERTS,
    (sent) => new TrackingNumberMissing(`${order.postingNumber}: no tracking number after ${sent} alerts`),
  );
  await sendAlert(updated, { kind: 'tracking_missing', deadline: order.shipmentDate });
  return stateOf(updated);
}

export const handler = stepHandler(StepInput, trackingOverdue);
