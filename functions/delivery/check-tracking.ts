/**
 * CheckTracking: a delivery wait timed out (the status SLA or the delivery window). Ask Ozon once — a push may
 * have been lost; if the status moved, record it and AwaitDelivery resolves or waits on the new status. If not,
 * escalate: alert the seller, tell the buyer through Ozon chat where that is allowed, and after the configured
 * number of checks raise "possibly lost".
 */

import { tellBuyer } from '#buyers/tell-buyer';
import { recordStatus } from '#intake/record-status';
import { sendAlert } from '#shared/alerts';
import { now, nowIso } from '#shared/clock';
import { env, waitSettings } from '#shared/config';
import { stallDeadline } from '#shared/deadlines';
import { stepHandler } from '#shared/handler';
import { requireOrder, updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { deliveryWindowPassed } from './rules';

export async function checkTracking(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
  const actions = posting.available_actions ?? [];
  if (posting.status !== order.status) {
    await recordStatus(order.postingNumber, posting.status, posting.substatus ?? undefined, nowIso(), 'poll');
    return stateOf(await requireOrder(order.postingNumber));
  }
  const t = now();
  if (deliveryWindowPassed(order, t)) {
    await sendAlert(order, { kind: 'delivery_window_passed', deadline: order.deliveryDateEnd });
  }
  const stalled = Date.parse(stallDeadline(order, waitSettings()) ?? '') <= t;
  if (!stalled) return stateOf(order);

  const checks = (order.escalations.stall ?? 0) + 1;
  const updated = await updateOrder(order.postingNumber, {
    escalations: { ...order.escalations, stall: checks },
    // The next check comes one SLA later: measure it from now, not from the last status change.
    lastStatusAt: new Date(t).toISOString(),
  });
  await sendAlert(updated, {
    kind: 'delivery_stalled',
    status: order.status,
    since: order.lastStatusAt,
    deadline: order.deliveryDateEnd,
  });
  // The buyer hears it once (tell-buyer claims the moment); the seller hears every escalation.
  if (actions.includes('can_create_chat')) await tellBuyer(updated, 'stalled');
  if (checks >= env('policy').MAX_STALL_ESCALATIONS) {
    await sendAlert(updated, { kind: 'possibly_lost', status: order.status, since: order.lastStatusAt, checks });
  }
  return stateOf(updated);
}

export const handler = stepHandler(StepInput, checkTracking);
