/**
 * Fulfilment the way Ozon runs it (issue 11), each path a whole execution on the embedded runtime: marking codes
 * as a wait, multi-box, a split into packages, Ozon's approval, every rFBS carrier type, a shipment date Ozon asks
 * for, drop-off limits and tariff steps. The sandbox plays Ozon; the seller's desk (marking codes, box counts), the
 * carrier and the packing data come through the seller API, as in `npm start -- --scenario fulfilment`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrder } from '#shared/order-store';
import { getStock } from '#stock/stock-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { type DeskPlan, FULFILMENT_PACKING, scenarioRuntimeOptions, startDesk } from '../../local/scenarios';
import { seedDemoStock } from '../../local/seed';
import { DEFAULT_PRODUCTS, DEFAULT_WAREHOUSES } from '../../sandbox/index';
import type { CreatePostingSpec } from '../../sandbox/types';
import { ozonCallsFor, statesEntered, waitForExecution, waitForState } from './helpers';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;
const sku = (offerId: string) => DEFAULT_PRODUCTS.find((p) => p.offer_id === offerId)?.sku;

const carrierPlans = new Map();
const desk = new Map<string, DeskPlan>();
let rt: Runtime;

beforeAll(async () => {
  const fulfilment = scenarioRuntimeOptions('fulfilment', carrierPlans);
  rt = await startRuntime({
    speed: 10_000,
    ...fulfilment,
    // Payouts looked at hourly: a completed posting is not kept waiting for the six-hourly sweep.
    environment: { ...fulfilment.environment, PAYOUT_CHECK_HOURS: '1' },
    // Ozon takes hours to register an aggregator's parcel here, so the execution waits for it (it may be minutes).
    ozon: { mode: 'sandbox', sandbox: { timing: { registration: 6 * HOUR } } },
  });
  await seedDemoStock(100);
  for (const packing of FULFILMENT_PACKING) expect((await rt.sellerApi('packing', packing)).ok).toBe(true);
  startDesk(rt, desk);
});
afterAll(async () => {
  await rt?.stop();
});

function post(spec: CreatePostingSpec, plan?: DeskPlan): string {
  const created = rt.sandbox?.createPosting({ lines: [{ offer_id: 'CABLE-USBC-1M', quantity: 1 }], ...spec });
  if (!created) throw new Error('no sandbox');
  if (plan) desk.set(created.posting_number, plan);
  return created.posting_number;
}
const kindsOf = (pn: string) => rt.alerts.filter((a) => a.postingNumber === pn).map((a) => a.kind);
const paths = (pn: string) => ozonCallsFor(rt, pn).map((c) => c.path);

describe.concurrent('fulfilment paths', { timeout: 150_000 }, () => {
  it('marking codes: alerted with what to send, waited for, checked by Ozon, then shipped', async () => {
    const pn = post(
      { marksRequired: true, lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }] },
      {
        send: 'codes',
        afterMs: HOUR,
      },
    );

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    const states = statesEntered(execution);
    expect(states).toEqual(expect.arrayContaining(['PrepareAssembly', 'AwaitMarkingCodes', 'Completed']));
    expect(states).not.toContain('NeedsAttention');
    const alert = rt.alerts.find((a) => a.postingNumber === pn && a.kind === 'marking_codes_required');
    expect(alert?.message).toMatch(/MUG-350-WHT: 2 marking code\(s\) of 2/);
    const calls = ozonCallsFor(rt, pn);
    const set = calls.find((c) => c.path === '/v6/fbs/posting/product/exemplar/set');
    const body = set?.body as
      | { products: { product_id: number; exemplars: { marks: { mark_type: string }[] }[] }[] }
      | undefined;
    const units = body?.products ?? [];
    expect(units).toHaveLength(1);
    expect(units[0]?.product_id).toBe(sku('MUG-350-WHT'));
    expect(units[0]?.exemplars.map((e) => e.marks.map((m) => m.mark_type))).toEqual([
      ['mandatory_mark'],
      ['mandatory_mark'],
    ]);
    // The codes went to Ozon's check first, and the ship only after Ozon allowed it.
    const order = calls.map((c) => c.path);
    expect(order.indexOf('/v5/fbs/posting/product/exemplar/validate')).toBeLessThan(
      order.indexOf('/v6/fbs/posting/product/exemplar/set'),
    );
    expect(order.lastIndexOf('/v5/fbs/posting/product/exemplar/status')).toBeLessThan(
      order.indexOf('/v4/posting/fbs/ship'),
    );
    expect(await getOrder(pn)).toMatchObject({ phase: 'completed', preparedAt: expect.any(String) });
  });

  it('marking codes Ozon refuses: the refusal is alerted with the reason, the corrected codes ship', async () => {
    const pn = post({ marksRequired: true }, { send: 'bad-first', afterMs: HOUR });

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    const refused = rt.alerts.find((a) => a.postingNumber === pn && a.kind === 'marking_codes_refused');
    expect(refused?.severity).toBe('critical');
    expect(refused?.message).toMatch(/MARK_NOT_IN_CIRCULATION/);
    expect(paths(pn).filter((p) => p === '/v6/fbs/posting/product/exemplar/set')).toHaveLength(2);
  });

  it('multi-box: the box count from the packing data goes to Ozon before the ship', async () => {
    const pn = post({ is_multibox: true, lines: [{ offer_id: 'LAMP-LED-E27', quantity: 1 }] });

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    const boxes = ozonCallsFor(rt, pn).find((c) => c.path === '/v3/posting/multiboxqty/set');
    expect(boxes?.body).toEqual({ posting_number: pn, multi_box_qty: 2 });
    expect(kindsOf(pn)).not.toContain('marking_codes_required');
  });

  it('multi-box without packing data: the seller is asked for the box count and the posting waits for it', async () => {
    const pn = post(
      { is_multibox: true, lines: [{ offer_id: 'TEA-GRN-100', quantity: 2 }] },
      {
        send: 'boxes',
        afterMs: HOUR,
      },
    );

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    expect(rt.alerts.find((a) => a.postingNumber === pn && a.kind === 'marking_codes_required')?.message).toMatch(
      /number of boxes/,
    );
    const boxes = ozonCallsFor(rt, pn).find((c) => c.path === '/v3/posting/multiboxqty/set');
    expect(boxes?.body).toEqual({ posting_number: pn, multi_box_qty: 2 });
  });

  it('a split: shipped as two packages, the new postings adopt the reservation and complete, the old one ends Split', async () => {
    // Offers no other test here takes: the stock figures below are this posting's alone.
    const offers = ['KETTLE-17L', 'SOCKS-WOOL-42'];
    const before = await getStock(FBS_WAREHOUSE, offers);
    const pn = post({
      lines: [
        { offer_id: 'KETTLE-17L', quantity: 1 },
        { offer_id: 'SOCKS-WOOL-42', quantity: 1 },
      ],
    });

    const parent = await waitForExecution(rt, pn, 120_000);

    expect(parent.status).toBe('SUCCEEDED');
    expect(statesEntered(parent).slice(-2)).toEqual(['ShipInPackages', 'Split']);
    const ship = ozonCallsFor(rt, pn).find((c) => c.path === '/v4/posting/fbs/ship');
    expect((ship?.body as { packages: unknown[] } | undefined)?.packages).toHaveLength(2);
    expect(await getOrder(pn)).toMatchObject({ phase: 'split', status: 'cancelled_from_split_pending' });
    const alert = rt.alerts.find((a) => a.postingNumber === pn && a.kind === 'posting_split');
    const children = [...(alert?.message.matchAll(/\d+-\d+-\d+/g) ?? [])].map((m) => m[0]).filter((c) => c !== pn);
    expect(children).toHaveLength(2);
    for (const child of children) {
      const execution = await waitForExecution(rt, child, 120_000);
      expect(execution.status).toBe('SUCCEEDED');
      expect(statesEntered(execution)).toContain('Completed');
      // Adopted, not reserved again: the child never entered the stock steps' shortage path.
      expect(await getOrder(child)).toMatchObject({ parentPostingNumber: pn, phase: 'completed' });
    }
    // No release of the old posting: each unit left the shelf once, and nothing stays reserved for it.
    const after = await getStock(FBS_WAREHOUSE, offers);
    for (const offer of offers) {
      expect(after.get(offer)?.onHand, offer).toBe((before.get(offer)?.onHand ?? 0) - 1);
      expect(after.get(offer)?.reserved, offer).toBe(before.get(offer)?.reserved);
    }
    expect(paths(pn)).not.toContain('/v2/posting/fbs/cancel');
  });

  it("Ozon's approval: nothing is shipped before Ozon approves, then the posting goes on", async () => {
    const pn = post({ awaitingApproveMs: 2 * HOUR });

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).toContain('AwaitApproval');
    // The one ship came after the approval: Ozon refused none.
    expect(
      ozonCallsFor(rt, pn)
        .filter((c) => c.path === '/v4/posting/fbs/ship')
        .map((c) => c.status),
    ).toEqual([200]);
  });

  it('rFBS aggregator: Ozon registers the parcel and assigns the tracking number; no status calls', async () => {
    const pn = post({ schema: 'rfbs', tpl: 'aggregator' });

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).toContain('AwaitCarrierRegistration');
    expect(statesEntered(execution)).not.toContain('AwaitTrackingNumber');
    const order = await getOrder(pn);
    expect(order?.trackingNumber).toMatch(/^BB\d+/);
    expect(order?.tplIntegrationType).toBe('aggregator');
    for (const path of ['/v2/fbs/posting/tracking-number/set', '/v2/fbs/posting/delivering']) {
      expect(paths(pn)).not.toContain(path);
    }
    expect(kindsOf(pn)).not.toContain('rfbs_handover');
  });

  it('rFBS aggregator whose registration fails: a critical alert and NeedsAttention', async () => {
    const pn = post({ schema: 'rfbs', tpl: 'aggregator', registrationFails: true });

    await waitForState(rt, pn, 'NeedsAttention', 120_000);

    const alert = rt.alerts.find((a) => a.postingNumber === pn && a.kind === 'carrier_registration_failed');
    expect(alert?.severity).toBe('critical');
    expect(alert?.message).toMatch(/posting_registration_error/);
  });

  it('rFBS 3PL tracking: the tracking number is set, the statuses come from Ozon', async () => {
    const pn = post({ schema: 'rfbs', tpl: '3pl_tracking' });

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    expect(paths(pn)).toContain('/v2/fbs/posting/tracking-number/set');
    for (const path of ['/v2/fbs/posting/delivering', '/v2/fbs/posting/last-mile', '/v2/fbs/posting/delivered']) {
      expect(paths(pn), path).not.toContain(path);
    }
    expect(await getOrder(pn)).toMatchObject({ status: 'delivered', trackingNumber: expect.any(String) });
  });

  it("rFBS own delivery: delivering, last mile and delivered reported, each confirmed by Ozon's status", async () => {
    const pn = post({ schema: 'rfbs' });

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    const reported = paths(pn).filter((p) => /delivering|last-mile|delivered$/.test(p));
    expect(reported).toEqual(['/v2/fbs/posting/delivering', '/v2/fbs/posting/last-mile', '/v2/fbs/posting/delivered']);
  });

  it('rFBS shipment date asked by Ozon (set_cutoff): answered at receipt with the handling time', async () => {
    const pn = post({ schema: 'rfbs', cutoffRequired: true });

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    const cutoff = ozonCallsFor(rt, pn).find((c) => c.path === '/v1/posting/cutoff/set');
    const date = (cutoff?.body as { new_cutoff_date: string } | undefined)?.new_cutoff_date ?? '';
    expect(Date.parse(date)).toBeGreaterThan(0);
    expect((await getOrder(pn))?.shipmentDate).toBe(date);
  });

  it('drop-off limits: a parcel the point will refuse is alerted at receipt, and the posting goes on', async () => {
    // 25 bottles of 1.2 kg (the seller's packing data) against the point's 25 kg; the limits are per delivery
    // method (read once an hour), the weight is this posting's own.
    const pn = post({ lines: [{ offer_id: 'BOTTLE-750-STL', quantity: 25 }] });

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    const alert = rt.alerts.find((a) => a.postingNumber === pn && a.kind === 'dropoff_limits');
    expect(alert?.message).toMatch(/weight 30000 g is above the point's 25000 g/);
  });

  it('tariff steps: a posting waiting past its shipment date is warned before the tariff rises', async () => {
    const pn = post(
      {
        marksRequired: true,
        shipmentSlaMs: 4 * HOUR,
        tariffSteps: [
          { afterShipmentMs: 2 * HOUR, rate: 5 },
          { afterShipmentMs: DAY, rate: 10 },
        ],
      },
      { send: 'codes', afterMs: 8 * HOUR },
    );

    const execution = await waitForExecution(rt, pn, 120_000);

    expect(execution.status).toBe('SUCCEEDED');
    const step = rt.alerts.find((a) => a.postingNumber === pn && a.kind === 'tariff_step');
    expect(step?.message).toMatch(/5%/);
  });

  it('the seller API refuses marking codes for an unknown posting or offer', async () => {
    expect((await rt.sellerApi('marks', { postingNumber: '99999999-0001-1', products: [] })).status).toBe(404);
    const pn = post({ marksRequired: true });
    await waitForState(rt, pn, 'AwaitMarkingCodes', 120_000);
    const wrong = await rt.sellerApi('marks', {
      postingNumber: pn,
      products: [{ offerId: 'NOT-IN-IT', marks: ['x'] }],
    });
    expect(wrong.status).toBe(422);
  });
});

describe('after the fulfilment paths', () => {
  it("Ozon's stock equals the seller's for every offer no posting still holds", { timeout: 150_000 }, async () => {
    // Every posting ended, or waits for the seller (the failed carrier registration): nothing moves stock any more.
    const settled = () =>
      [...rt.engine.executions.values()].every(
        (e) => e.status !== 'RUNNING' || statesEntered(e).at(-1) === 'NeedsAttention',
      );
    const start = Date.now();
    while (!settled() && Date.now() - start < 120_000) await new Promise((r) => setTimeout(r, 200));
    expect(settled()).toBe(true);
    const held = new Set(
      [...rt.engine.executions.values()]
        .filter((e) => e.status === 'RUNNING')
        .flatMap(
          (e) => (rt.sandbox?.posting(e.name) as { products: { offer_id: string }[] } | undefined)?.products ?? [],
        )
        .map((p) => p.offer_id),
    );
    let compared = 0;
    for (const warehouse of DEFAULT_WAREHOUSES) {
      const offers = DEFAULT_PRODUCTS.map((p) => p.offer_id).filter((o) => !held.has(o));
      const local = await getStock(warehouse.warehouse_id, offers);
      for (const offer of offers) {
        const item = local.get(offer);
        expect(rt.sandbox?.stockOf(warehouse.warehouse_id, offer).free, `${warehouse.warehouse_id} ${offer}`).toBe(
          item?.available,
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });
});
