/** RegisterShipment: FBS is ready for Ozon's pickup; rFBS needs the seller's carrier and its tracking number. */
import { sendAlert } from '#shared/alerts';
import { stepHandler } from '#shared/handler';
import { updateOrder } from '#shared/order-store';
import { activeOrder, StepInput, stateOf } from '#shared/steps';

export async function registerShipment(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  if (order.schema === 'rfbs' && !order.trackingNumber) {
    await sendAlert(order, {
      kind: 'rfbs_handover',
      deadline: order.shipmentDate,
      callbackPath: 'POST <seller API>/tracking {"postingNumber","trackingNumber"}',
    });
  }
  return stateOf(await updateOrder(order.postingNumber, { phase: 'shipping' }));
}

export const handler = stepHandler(StepInput, registerShipment);
