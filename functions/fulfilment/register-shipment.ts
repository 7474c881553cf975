/**
 * RegisterShipment: the packed parcel is ready to leave, by the posting's way of delivery:
 * - FBS (Ozon's logistics): Ozon picks it up; nothing is left to read or write.
 * - rFBS `non_integrated` (the seller's own delivery) and `3pl_tracking` (a carrier the seller registers the parcel
 *   with): the seller hands it over and sends the tracking number — said with HandoverToCarrier, which the state
 *   machine catches into AwaitTrackingNumber (no Choice state on every FBS posting's way).
 * - rFBS `aggregator`: Ozon registers the parcel with the carrier and assigns the tracking number. Ozon is asked how
 *   far it got: registering (CarrierRegistering → AwaitCarrierRegistration, then here again), refused (an alert and
 *   NeedsAttention), or registered — the tracking number recorded, on to delivery.
 */
import { recordOzonStatus } from '#intake/record-status';
import { sendAlert } from '#shared/alerts';
import { CarrierRegistering, CarrierRegistrationFailed, HandoverToCarrier, PostingCancelled } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import type { Order } from '#shared/order';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { isCancelled } from '#shared/status';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { MAX_REGISTRATION_CHECKS } from './rules';

export async function registerShipment(input: StepInput) {
  // FBS: the label batch recorded the parcel as ready for pickup. A cancellation from now on reaches the delivery
  // wait, which ends it.
  if (input.schema === 'fbs') return input;
  const order = await activeOrder(input.postingNumber);
  if (order.tplIntegrationType === 'aggregator') return registration(order);
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

async function registration(order: Order) {
  const pn = order.postingNumber;
  const { result: posting } = await ozon().call('getPosting', { posting_number: pn });
  const tracking = posting.tracking_number ? { trackingNumber: posting.tracking_number } : {};
  const current = (await recordOzonStatus(posting, tracking)) ?? order;
  if (isCancelled(posting.status)) throw new PostingCancelled(`Ozon says ${pn} is cancelled`);
  if (posting.substatus === 'posting_registration_error') {
    await sendAlert(current, {
      kind: 'carrier_registration_failed',
      substatus: posting.substatus,
      carrier: posting.delivery_method?.tpl_provider ?? undefined,
    });
    throw new CarrierRegistrationFailed(`Ozon could not register ${pn} with the carrier`);
  }
  if (posting.status === 'awaiting_registration' || !posting.tracking_number) {
    // Counted: a registration that never ends is the seller's to chase, not a wait without end.
    const checks = (current.escalations.registration ?? 0) + 1;
    if (checks > MAX_REGISTRATION_CHECKS) {
      await sendAlert(current, {
        kind: 'carrier_registration_failed',
        substatus: `${posting.substatus ?? posting.status}, still after ${checks - 1} checks`,
        carrier: posting.delivery_method?.tpl_provider ?? undefined,
      });
      throw new CarrierRegistrationFailed(`${pn}: Ozon has not registered the parcel after ${checks - 1} checks`);
    }
    await updateOrder(pn, { phase: 'shipping', escalations: { ...current.escalations, registration: checks } });
    throw new CarrierRegistering(`Ozon registers ${pn} with the carrier`);
  }
  return stateOf(current);
}

export const handler = stepHandler(StepInput, registerShipment);
