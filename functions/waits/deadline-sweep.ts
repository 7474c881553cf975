/**
 * The deadline sweep, run by the poller: postings not yet assembled get a warning before `shipment_date` and a
 * critical alert once it passed; a wait whose deadline moved earlier (TYPE_CUTOFF_DATE_CHANGED) is ended with
 * DeadlinePassed, since a task's own timeout cannot change once it started.
 */
import { lateCost, tariffStepAhead } from '#fulfilment/rules';
import { sendAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { env, waitSettings } from '#shared/config';
import { DeadlinePassed } from '#shared/errors';
import { ordersInGroup } from '#shared/order-store';
import { isAssembled, isCancelled } from '#shared/status';
import { sendTaskOutcome } from './deliver-to-wait';

export interface SweepReport {
  warned: number;
  missed: number;
  deadlinesEnforced: number;
}

/**
 * Only postings whose shipment date is near are read: the index sorts the `due` and `short` sweeps by shipment
 * date, and a posting is looked at once its date is within the warning lead or the restock decision buffer. A
 * posting that is not waiting on someone (a step is running) is in neither sweep; a step that keeps failing ends
 * in NeedsAttention, which is.
 */
export async function sweepDeadlines(): Promise<SweepReport> {
  const report: SweepReport = { warned: 0, missed: 0, deadlinesEnforced: 0 };
  const t = now();
  const leadMs = env('policy').DEADLINE_WARNING_HOURS * 3600_000;
  const horizon = new Date(t + Math.max(leadMs, waitSettings().assemblyBufferSeconds * 1000)).toISOString();
  for (const group of ['due', 'short'] as const) {
    for (const order of await ordersInGroup(group, horizon)) {
      if (isAssembled(order.status) || isCancelled(order.status)) continue;
      const shipment = order.shipmentDate ? Date.parse(order.shipmentDate) : Number.NaN;
      if (!Number.isNaN(shipment) && t >= shipment) {
        if (
          await sendAlert(order, {
            kind: 'confirmation_deadline_missed',
            deadline: order.shipmentDate,
            cost: lateCost(order),
          })
        ) {
          report.missed++;
        }
      } else if (!Number.isNaN(shipment) && t >= shipment - leadMs) {
        if (await sendAlert(order, { kind: 'confirmation_deadline', deadline: order.shipmentDate })) report.warned++;
      }
      // Ozon's tariff for lateness steps up at known times: each step is a deadline of its own, warned before it.
      const step = tariffStepAhead(order, t, leadMs);
      if (step && (await sendAlert(order, { kind: 'tariff_step', ...step }))) report.warned++;
      const deadline = order.wait?.deadlineAt ? Date.parse(order.wait.deadlineAt) : Number.NaN;
      if (order.wait && !Number.isNaN(deadline) && t >= deadline) {
        const ended = await sendTaskOutcome(
          order.wait.token,
          {
            outcome: 'failure',
            error: DeadlinePassed.name,
            cause: `The ${order.wait.on} deadline ${order.wait.deadlineAt} passed`,
          },
          order,
        );
        if (ended) report.deadlinesEnforced++;
      }
    }
  }
  return report;
}
