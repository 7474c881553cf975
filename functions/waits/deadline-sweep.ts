/**
 * The deadline sweep, run by the poller: postings not yet assembled get a warning before `shipment_date` and a
 * critical alert once it passed; a wait whose deadline moved earlier (TYPE_CUTOFF_DATE_CHANGED) is ended with
 * DeadlinePassed, since a task's own timeout cannot change once it started.
 */
import { lateCost } from '#fulfilment/rules';
import { sendAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { DeadlinePassed } from '#shared/errors';
import type { Order } from '#shared/order';
import { clearWait, ordersInPhase } from '#shared/order-store';
import { sendTaskOutcome } from './deliver-to-wait';

const NOT_ASSEMBLED: Order['phase'][] = ['received', 'awaiting_stock', 'reserved', 'awaiting_packed', 'confirming'];

export interface SweepReport {
  warned: number;
  missed: number;
  deadlinesEnforced: number;
}

export async function sweepDeadlines(): Promise<SweepReport> {
  const report: SweepReport = { warned: 0, missed: 0, deadlinesEnforced: 0 };
  const t = now();
  const leadMs = env('policy').DEADLINE_WARNING_HOURS * 3600_000;
  for (const phase of NOT_ASSEMBLED) {
    for (const order of await ordersInPhase(phase)) {
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
        await clearWait(order.postingNumber, order.wait.token);
        if (ended) report.deadlinesEnforced++;
      }
    }
  }
  return report;
}
