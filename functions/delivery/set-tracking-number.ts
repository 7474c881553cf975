/**
 * SetTrackingNumber (rFBS): the carrier's tracking number goes to Ozon. The seller's own delivery
 * (`non_integrated`) is then reported `delivering`; a `3pl_tracking` carrier's parcel is tracked by Ozon itself, which
 * refuses status calls for it (HAS_INCORRECT_TPL_INTEGRATION_TYPE) — its statuses come from Ozon.
 */
import { ShipRefused } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { refusedItems } from '#shared/ozon/schemas';
import { activeOrder, StepInput, stateOf } from '#shared/steps';

export async function setTrackingNumber(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const pn = order.postingNumber;
  const tracking = await ozon().call('setTrackingNumbers', {
    tracking_numbers: [{ posting_number: pn, tracking_number: order.trackingNumber }],
  });
  const trackingErrors = refusedItems(tracking);
  if (trackingErrors.length) throw new ShipRefused(`Ozon refused tracking number for ${pn}: ${trackingErrors}`);
  const sellerReportsStatus = order.tplIntegrationType === 'non_integrated';
  if (sellerReportsStatus && order.status !== 'delivering' && order.status !== 'delivered') {
    const delivering = await ozon().call('markDelivering', { posting_number: [pn] });
    const errors = refusedItems(delivering).filter((e) => !e.includes('TRANSITION_IS_NOT_POSSIBLE'));
    if (errors.length) throw new ShipRefused(`Ozon refused "delivering" for ${pn}: ${errors}`);
  }
  return stateOf(await updateOrder(pn, { phase: 'in_transit' }));
}

export const handler = stepHandler(StepInput, setTrackingNumber);
