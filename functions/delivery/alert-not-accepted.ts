/** AlertNotAccepted: the sorting centre refused the parcel; the seller has to collect it. */
import { sendAlert } from '#shared/alerts';
import { stepHandler } from '#shared/handler';
import { requireOrder } from '#shared/order-store';
import { StepInput, stateOf } from '#shared/steps';

export async function alertNotAccepted(input: StepInput) {
  const order = await requireOrder(input.postingNumber);
  await sendAlert(order, { kind: 'not_accepted' });
  return stateOf(order);
}

export const handler = stepHandler(StepInput, alertNotAccepted);
