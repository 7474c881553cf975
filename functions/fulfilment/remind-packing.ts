/** RemindPacking: the warehouse has not confirmed "packed"; remind, and raise it when the deadline passed. */
import { sendAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { PackingNeverConfirmed } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { activeOrder, escalate, StepInput, stateOf } from '#shared/steps';
import { lateCost, MAX_PACKING_REMINDERS } from './rules';

export async function remindPacking(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const updated = await escalate(
    order,
    'packing',
    MAX_PACKING_REMINDERS,
    (sent) => new PackingNeverConfirmed(`${order.postingNumber}: no packed confirmation after ${sent} reminders`),
  );
  const missed = order.shipmentDate && Date.parse(order.shipmentDate) <= now();
  if (missed) {
    await sendAlert(updated, {
      kind: 'confirmation_deadline_missed',
      deadline: order.shipmentDate,
      cost: lateCost(order),
    });
  } else {
    await sendAlert(updated, { kind: 'packing_reminder', deadline: order.shipmentDate });
  }
  return stateOf(updated);
}

export const handler = stepHandler(StepInput, remindPacking);
