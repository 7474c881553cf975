/** AlertDispute: Ozon or the buyer opened a dispute (arbitration) about the parcel; the seller has to answer it. */
import { sendAlert } from '#shared/alerts';
import { stepHandler } from '#shared/handler';
import { requireOrder } from '#shared/order-store';
import { StepInput, stateOf } from '#shared/steps';

export async function alertDispute(input: StepInput) {
  const order = await requireOrder(input.postingNumber);
  await sendAlert(order, { kind: 'arbitration', status: order.status });
  return stateOf(order);
}

export const handler = stepHandler(StepInput, alertDispute);
