/**
 * The FBS handover day (issue 12), through whole Handover executions on the embedded runtime: the poller plans the
 * carriage, CreateAct confirms it on Ozon, CheckAct waits for its documents, HandOverDocuments stores the act and
 * the carriage barcode and alerts the seller with links; a posting Ozon leaves out of the act is alerted on its own.
 * The sandbox plays Ozon's carriages (docs/20-deliveryfbs.md); its parcels leave with their carriage at the cutoff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoverName } from '#handover/rules';
import type { Execution } from '../../local/execution';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { DEFAULT_WAREHOUSES } from '../../sandbox/index';
import { ozonCallsFor, statesEntered, waitForExecution } from './helpers';

const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;

let rt: Runtime;

beforeAll(async () => {
  // The act is made as soon as a carriage has parcels (a lead of two days): here the day is minutes long.
  rt = await startRuntime({ speed: 10_000, ozon: { mode: 'sandbox', sandbox: { handoverByCarriage: true } } });
  await seedDemoStock(100);
});
afterAll(async () => {
  await rt?.stop();
});

const handovers = () => [...(rt.engines.get('Handover')?.executions.values() ?? [])];

async function waitForHandover(name: string, timeoutMs = 60_000): Promise<Execution> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = handovers().find((x) => x.name === name);
    if (e && e.status !== 'RUNNING') {
      await e.done;
      await new Promise((r) => setTimeout(r, 300));
      return e;
    }
    if (Date.now() > deadline) throw new Error(`Handover ${name} did not finish: ${e ? statesEntered(e) : 'none'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the handover day', { timeout: 150_000 }, () => {
  it('a carriage: the act made on Ozon, its documents stored and linked in one alert, the parcels leave with it', async () => {
    const postings = [1, 2, 3].map(
      () =>
        rt.sandbox?.createPosting({ schema: 'fbs', lines: [{ offer_id: 'CABLE-USBC-1M', quantity: 1 }] })
          .posting_number ?? '',
    );
    const removed =
      rt.sandbox?.createPosting({
        schema: 'fbs',
        lines: [{ offer_id: 'TEA-GRN-100', quantity: 1 }],
        removedFromAct: true,
      }).posting_number ?? '';

    // The carriage of the postings' shipment date.
    const first = rt.sandbox?.posting(postings[0] ?? '') as
      | { shipment_date: string; delivery_method: { id: number } }
      | undefined;
    const shipment = first?.shipment_date ?? '';
    const method = first?.delivery_method.id ?? 0;
    const name = handoverName({
      warehouseId: FBS_WAREHOUSE,
      deliveryMethodId: method,
      departureDate: shipment.slice(0, 10),
    });
    const handover = await waitForHandover(name, 90_000);

    expect(handover.status).toBe('SUCCEEDED');
    expect(statesEntered(handover)).toEqual(['CreateAct', 'CheckAct', 'HandOverDocuments', 'HandoverReady']);
    const paths = rt.ozonCalls.map((c) => c.path);
    // One act for this carriage: Ozon may say "not yet" while parcels are still being packed, and accepts it once.
    // (The posting left out goes with the next day's carriage, which has its own act.)
    const creates = (rt.sandbox?.calls ?? []).filter(
      (c) =>
        c.path === '/v2/posting/fbs/act/create' &&
        String((c.body as { departure_date?: string }).departure_date).startsWith(shipment.slice(0, 10)),
    );
    expect(creates.filter((c) => c.status === 200)).toHaveLength(1);
    expect(creates.filter((c) => c.status !== 200).every((c) => c.status === 400)).toBe(true);
    for (const path of [
      '/v2/posting/fbs/act/check-status',
      '/v2/posting/fbs/act/get-pdf',
      '/v2/posting/fbs/act/get-barcode',
    ]) {
      expect(paths, path).toContain(path);
    }
    // One alert for the carriage: how many parcels, by when, and links that open without AWS credentials.
    const alert = rt.alerts.find((a) => a.kind === 'handover');
    expect(alert?.message).toMatch(/Hand over \d+ parcel\(s\)/);
    const links = [...(alert?.message.matchAll(/https?:\/\/\S+?(?=[\s)]| ·)/g) ?? [])].map((m) => m[0]);
    expect(links).toHaveLength(2);
    const [act, barcode] = await Promise.all(
      links.map(async (l) => new Uint8Array(await (await fetch(l)).arrayBuffer())),
    );
    expect(
      Buffer.from(act ?? [])
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('%PDF');
    expect(
      Buffer.from(barcode ?? [])
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    // The posting Ozon left out is alerted on its own and still ships (with the next carriage).
    expect(alert?.message).toContain(removed);
    expect(rt.alerts.find((a) => a.kind === 'removed_from_act' && a.postingNumber === removed)?.severity).toBe(
      'warning',
    );
    // Every parcel of the carriage went with it, and each posting completed.
    for (const pn of [...postings, removed]) {
      const execution = await waitForExecution(rt, pn, 120_000);
      expect(execution.status, pn).toBe('SUCCEEDED');
      expect(ozonCallsFor(rt, pn).some((c) => c.path === '/v4/posting/fbs/ship')).toBe(true);
    }
  });
});
