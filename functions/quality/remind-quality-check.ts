/** RemindQualityCheck: the warehouse has not answered a quality check; remind, and raise it when the deadline passed. */
import { lateCost, MAX_PACKING_REMINDERS } from '#fulfilment/rules';
import { sendAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { QualityNeverChecked } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { activeOrder, escalate, StepInput, stateOf } from '#shared/steps';

export async function remindQualityCheck(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  // As many reminders as for packing: the same warehouse on the same clock.
  const updated = await escalate(
    order,
    'quality',
    MAX_PACKING_REMINDERS,
    (sent) => new QualityNeverChecked(`${order.postingNumber}: no quality check after ${sent} reminders`),
  );
  if (order.shipmentDate && Date.parse(order.shipmentDate) <= now()) {
    await sendAlert(updated, {
      kind: 'confirmation_deadline_missed',
      deadline: order.shipmentDate,
      cost: lateCost(order),
    });
  } else {
    await sendAlert(updated, {
      kind: 'quality_check_due',
      deadline: order.shipmentDate,
      callbackPath: '/qualityCheck',
    });
  }
  return stateOf(updated);
}

export const handler = stepHandler(StepInput, remindQualityCheck);
