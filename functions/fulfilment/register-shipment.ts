/**
 * RegisterShipment: the packed parcel is ready to leave. FBS waits for Ozon's pickup; rFBS goes to the seller's
 * carrier, whose tracking number comes next — said with HandoverToCarrier, which the state machine catches into
 * AwaitTrackingNumber (no Choice state on every posting's way: one state transition less per posting).
 */
import { sendAlert } from '#shared/alerts';
import { HandoverToCarrier } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { updateOrder } from '#shared/order-store';
import { activeOrder, StepInput } from '#shared/steps';

export async function registerShipment(input: StepInput): Promise<StepInput> {
  // FBS: the label batch recorded the parcel as ready for pickup; nothing is left to read or write. A cancellation
  // from now on reaches the delivery wait, which ends it.
  if (input.schema === 'fbs') return input;
  const order = await activeOrder(input.postingNumber);
  await updateOrder(order.postingNumber, { phase: 'shipping' });
  if (!order.trackingNumber) {
    await sendAlert(order, {
      kind: 'rfbs_handover',
      deadline: order.shipmentDate,
      callbackPath: 'POST <seller API>/tracking {"postingNumber","trackingNumber"}',
    });
  }
  throw new HandoverToCarrier(`${order.postingNumber} goes to the seller's carrier`);
}

export const handler = stepHandler(StepInput, registerShipment);
