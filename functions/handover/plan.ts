/**
 * The poller's handover planning: Ozon's carriages of the days the plan names (`/v2/carriage/delivery/list`, one
 * call a date; handover/carriage-plan.ts says which), and a Handover execution for each whose cutoff is within
 * `HANDOVER_PLAN_HOURS` (it waits for its act's time, `HANDOVER_LEAD_HOURS` before the cutoff, itself) — one per
 * carriage, named by it, so a day listed again starts nothing twice.
 */
import { startNamedExecution } from '#shared/aws/sfn';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { OzonAuthError } from '#shared/errors';
import { logger } from '#shared/handler';
import { ozon } from '#shared/ozon/client';
import { emitMetric } from '#shared/powertools';
import type { ListedDay } from './carriage-plan';
import { type Carriage, carriagesDue, handoverName } from './rules';

export interface PlanReport {
  started: number;
  due: number;
  /** The days listed, each with its carriages; a day whose list failed is left out. */
  listed: ListedDay[];
  /** The days whose list failed (Ozon unavailable): pending, the next poll asks again. */
  failed: string[];
}

export async function planHandovers(days: string[]): Promise<PlanReport> {
  const report: PlanReport = { started: 0, due: 0, listed: [], failed: [] };
  // Read-only (real credentials without --allow-changes): an act confirms a carriage on Ozon; none is planned.
  if (env('ozon').OZON_READ_ONLY || days.length === 0) return report;
  const leadMs = env('policy').HANDOVER_PLAN_HOURS * 3600_000;
  for (const day of days) {
    try {
      const methods = [];
      let cursor: string | undefined;
      do {
        const page = await ozon().call('carriages', {
          filter: { departure_date: `${day}T00:00:00Z` },
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        });
        methods.push(...page.methods);
        cursor = page.has_next && page.cursor ? page.cursor : undefined;
      } while (cursor);
      const t = now();
      // Every carriage with postings, due or not (its day stays pending until it is); a past cutoff is not.
      const carriages = carriagesDue(methods, t, Number.POSITIVE_INFINITY);
      const due = carriagesDue(methods, t, leadMs);
      for (const carriage of due) if (await startHandover(carriage)) report.started++;
      report.due += due.length;
      report.listed.push({ day, carriages, due });
    } catch (error) {
      // A refused key ends the poll (it alerts the seller). Another failure leaves the other days planned; the
      // day stays pending and the next poll asks again.
      if (error instanceof OzonAuthError) throw error;
      report.failed.push(day);
      logger.warn('Carriages of a day could not be listed; the next poll asks again', { day, error });
    }
  }
  return report;
}

async function startHandover(carriage: Carriage): Promise<boolean> {
  const started = await startNamedExecution(env('handover').HANDOVER_MACHINE_ARN, handoverName(carriage), carriage);
  if (started === 'started') emitMetric('HandoversStarted', 1);
  return started === 'started';
}
