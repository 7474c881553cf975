/**
 * The poller's handover planning: Ozon's carriages of the day (`/v2/carriage/delivery/list`), and a Handover
 * execution for each whose cutoff is within `HANDOVER_PLAN_HOURS` (it waits for its act's time, `HANDOVER_LEAD_HOURS`
 * before the cutoff, itself) — one per carriage, named by it, so every poll
 * may ask again and nothing starts twice.
 */
import { startNamedExecution } from '#shared/aws/sfn';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { ozon } from '#shared/ozon/client';
import { emitMetric } from '#shared/powertools';
import { type Carriage, carriagesDue, handoverName, planDays } from './rules';

export async function planHandovers(options: { ahead: boolean }): Promise<{ started: number; due: number }> {
  // Read-only (real credentials without --allow-changes): an act confirms a carriage on Ozon; none is planned.
  if (env('ozon').OZON_READ_ONLY) return { started: 0, due: 0 };
  const leadMs = env('policy').HANDOVER_PLAN_HOURS * 3600_000;
  const t = now();
  const methods = [];
  // Today's carriages (and tomorrow's near midnight) on every run; the later days the lead reaches on `ahead` runs.
  const days = planDays(t, leadMs, options.ahead);
  for (const day of days) {
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
  }
  const due = carriagesDue(methods, t, leadMs);
  let started = 0;
  for (const carriage of due) if (await startHandover(carriage)) started++;
  return { started, due: due.length };
}

async function startHandover(carriage: Carriage): Promise<boolean> {
  const started = await startNamedExecution(env('handover').HANDOVER_MACHINE_ARN, handoverName(carriage), carriage);
  if (started === 'started') emitMetric('HandoversStarted', 1);
  return started === 'started';
}
