/**
 * The handover day when Ozon will not make the act (issue 12): the Handover execution alerts the seller with Ozon's
 * reason and, an hour past the carriage's cutoff, alerts the parcel that did not leave (its check of the carriage),
 * then ends `LeftToSeller` — never a Fail — while the parcel's own execution goes on. The sandbox refuses every act (`actRefusal`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoverName } from '#handover/rules';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { DEFAULT_WAREHOUSES } from '../../sandbox/index';
import { statesEntered, until } from './helpers';

const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;
const REFUSAL = 'has_postings_with_registration_error';

let rt: Runtime;

beforeAll(async () => {
  rt = await startRuntime({
    speed: 10_000,
    ozon: { mode: 'sandbox', sandbox: { handoverByCarriage: true, actRefusal: REFUSAL } },
  });
  await seedDemoStock(20);
});
afterAll(async () => {
  await rt?.stop();
});

describe('an act Ozon refuses', { timeout: 150_000 }, () => {
  it('is left to the seller with a critical alert; after the cutoff the parcel is alerted as a missed handover', async () => {
    const pn =
      rt.sandbox?.createPosting({ schema: 'fbs', lines: [{ offer_id: 'CABLE-USBC-1M', quantity: 1 }] })
        .posting_number ?? '';
    const first = rt.sandbox?.posting(pn) as { shipment_date: string; delivery_method: { id: number } } | undefined;
    const name = handoverName({
      warehouseId: FBS_WAREHOUSE,
      deliveryMethodId: first?.delivery_method.id ?? 0,
      departureDate: first?.shipment_date.slice(0, 10) ?? '',
    });

    const handover = await until(() => {
      const e = [...(rt.engines.get('Handover')?.executions.values() ?? [])].find((x) => x.name === name);
      return e && e.status !== 'RUNNING' ? e : undefined;
    });

    expect(handover.status).toBe('SUCCEEDED');
    expect(statesEntered(handover)).toEqual([
      'CreateAct',
      'AlertHandoverProblem',
      'CheckHandover',
      'ActMadeOrLeft',
      'LeftToSeller',
    ]);
    const failed = await until(() => rt.alerts.find((a) => a.kind === 'handover_failed'));
    expect(failed.severity).toBe('critical');
    expect(failed.message).toContain(REFUSAL);
    // The parcel did not leave: an hour after its cutoff the carriage's check says so, with the lateness cost.
    const missed = await until(() => rt.alerts.find((a) => a.kind === 'handover_missed' && a.postingNumber === pn));
    expect(missed.severity).toBe('critical');
    expect((rt.sandbox?.posting(pn) as { status?: string } | undefined)?.status).toBe('awaiting_deliver');
  });
});
