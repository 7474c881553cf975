/** Fulfilment rules (issue 11): what goes to Ozon before assembly, packages, drop-off limits, cutoff, tariff steps. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AssemblyData,
  assemblyPlan,
  cutoffDate,
  dropoffProblems,
  exemplarProblems,
  packagesFor,
  tariffStepAhead,
} from '#fulfilment/rules';
import { assemblyNeeds, type Order, type OrderLine } from '#shared/order';
import type { ExemplarsResponse } from '#shared/ozon/schemas';
import { evaluateWait } from '#waits/rules';

const MUG: OrderLine = { sku: 101, offerId: 'MUG', name: 'Mug', qty: 2, price: 300 };
const LAMP: OrderLine = { sku: 202, offerId: 'LAMP', name: 'Lamp', qty: 1, price: 900 };

/** Ozon's units for the lines: one exemplar per unit, each product needing what `needs` says. */
function units(lines: OrderLine[], needs: Partial<ExemplarsResponse['products'][number]> = {}): ExemplarsResponse {
  return {
    posting_number: '1-1-1',
    products: lines.map((l) => ({
      product_id: l.sku,
      quantity: l.qty,
      exemplars: Array.from({ length: l.qty }, (_, i) => ({ exemplar_id: l.sku * 100 + i })),
      ...needs,
    })),
  };
}
const data = (products: Partial<AssemblyData['products'][number]>[], boxes?: number): AssemblyData => ({
  products: products.map((p) => ({ offerId: 'MUG', marks: [], jwUins: [], ...p })),
  boxes,
  at: '2026-11-29T00:00:00.000Z',
});

describe('assemblyPlan', () => {
  it('names every missing code per offer and sends nothing until they are all there', () => {
    const plan = assemblyPlan({ lines: [MUG] }, units([MUG], { is_mandatory_mark_needed: true }), undefined, new Map());
    expect(plan.missing).toEqual(['MUG: 2 marking code(s) of 2']);
    const partial = assemblyPlan(
      { lines: [MUG] },
      units([MUG], { is_mandatory_mark_needed: true }),
      data([{ marks: ['code-1'] }]),
      new Map(),
    );
    expect(partial.missing).toEqual(['MUG: 1 marking code(s) of 2']);
  });

  it('gives each unit its own code, and "absent" GTD as Ozon spells it', () => {
    const plan = assemblyPlan(
      { lines: [MUG] },
      units([MUG], { is_mandatory_mark_needed: true, is_gtd_needed: true }),
      data([{ marks: ['c1', 'c2'], gtd: 'absent' }]),
      new Map(),
    );
    expect(plan.missing).toEqual([]);
    expect(plan.products).toEqual([
      {
        product_id: 101,
        exemplars: [
          { exemplar_id: 10100, marks: [{ mark: 'c1', mark_type: 'mandatory_mark' }], is_gtd_absent: true },
          { exemplar_id: 10101, marks: [{ mark: 'c2', mark_type: 'mandatory_mark' }], is_gtd_absent: true },
        ],
      },
    ]);
  });

  it('a product that needs nothing sends no exemplars', () => {
    const plan = assemblyPlan({ lines: [MUG, LAMP] }, units([MUG, LAMP]), undefined, new Map());
    expect(plan).toEqual({ missing: [], products: [] });
  });

  it('the box count: the seller’s word first, else boxes per unit from the packing data, else asked for', () => {
    const order = { lines: [MUG, LAMP], needs: ['boxes' as const] };
    expect(assemblyPlan(order, units([]), data([], 5), new Map()).boxes).toBe(5);
    expect(
      assemblyPlan(
        order,
        units([]),
        undefined,
        new Map([
          ['MUG', 1],
          ['LAMP', 3],
        ]),
      ).boxes,
    ).toBe(2 * 1 + 3);
    const unknown = assemblyPlan(order, units([]), undefined, new Map([['LAMP', 3]]));
    expect(unknown.boxes).toBeUndefined();
    expect(unknown.missing).toEqual(['the number of boxes the posting is packed in']);
  });
});

describe('exemplarProblems', () => {
  it('says which offer, which unit and Ozon’s code, from validate and from the check after set', () => {
    expect(
      exemplarProblems({ lines: [MUG] }, [
        { product_id: 101, exemplars: [{ marks: [{ mark: '010460000000010121S', errors: ['MARK_DUPLICATED'] }] }] },
        { product_id: 999, error: 'UNKNOWN_PRODUCT_DEFINED' },
      ]),
    ).toEqual(['MUG unit 1: code 010460000000010121S… MARK_DUPLICATED', '999: UNKNOWN_PRODUCT_DEFINED']);
    expect(
      exemplarProblems({ lines: [MUG] }, [{ product_id: 101, exemplars: [{ gtd_error_codes: ['BAD'] }] }]),
    ).toEqual(['MUG unit 1: BAD']);
  });
});

describe('packagesFor', () => {
  it('one package unless an offer ships alone; then a package per unit of it', () => {
    expect(packagesFor([MUG, LAMP], new Set())).toEqual([
      {
        products: [
          { product_id: 101, quantity: 2 },
          { product_id: 202, quantity: 1 },
        ],
      },
    ]);
    expect(packagesFor([MUG, LAMP], new Set(['LAMP']))).toEqual([
      { products: [{ product_id: 101, quantity: 2 }] },
      { products: [{ product_id: 202, quantity: 1 }] },
    ]);
    expect(packagesFor([LAMP], new Set(['LAMP']))).toHaveLength(1);
    expect(packagesFor([MUG], new Set(['MUG']))).toHaveLength(2);
  });

  it('every unit of the posting is in exactly one package (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ sku: fc.integer({ min: 1, max: 5 }), qty: fc.integer({ min: 1, max: 4 }) }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.subarray(['1', '2', '3', '4', '5']),
        (raw, alone) => {
          const lines = raw.map((l) => ({ ...l, offerId: String(l.sku) }));
          const packages = packagesFor(lines, new Set(alone));
          const total = (items: { quantity: number }[]) => items.reduce((a, p) => a + p.quantity, 0);
          expect(total(packages.flatMap((p) => p.products))).toBe(total(lines.map((l) => ({ quantity: l.qty }))));
          expect(packages.every((p) => p.products.length > 0)).toBe(true);
        },
      ),
    );
  });
});

describe('dropoffProblems', () => {
  it('declared value against the price limits; weight only when every offer’s weight is known', () => {
    const limits = { max_posting_price: 1000, min_posting_price: 0, max_posting_weight: 2000 };
    expect(dropoffProblems([MUG, LAMP], limits, new Map())).toEqual([
      "declared value 1500 RUB is above the point's 1000 RUB",
    ]);
    expect(dropoffProblems([MUG], limits, new Map([['MUG', 1500]]))).toEqual([
      "weight 3000 g is above the point's 2000 g",
    ]);
    expect(dropoffProblems([MUG, LAMP], { ...limits, max_posting_price: 0 }, new Map([['MUG', 1500]]))).toEqual([]);
  });
});

describe('cutoffDate and tariffStepAhead', () => {
  const NOW = Date.parse('2026-11-29T10:00:00.000Z');
  it('the shipment date: the handling time from now, never before a date Ozon already shows', () => {
    expect(cutoffDate(NOW, 24)).toBe('2026-11-30T10:00:00.000Z');
    expect(cutoffDate(NOW, 24, '2026-12-02T00:00:00.000Z')).toBe('2026-12-02T00:00:00.000Z');
  });

  it('a rising tariff step within the lead is a warning time; one beyond it or past is not', () => {
    const at = (h: number) => new Date(NOW + h * 3600_000).toISOString();
    const order = (hours: number, rate = 5): Pick<Order, 'tariffication'> => ({
      tariffication: { nextRate: rate, nextStartsAt: at(hours) },
    });
    expect(tariffStepAhead(order(3), NOW, 6 * 3600_000)).toEqual({ rate: 5, deadline: at(3) });
    expect(tariffStepAhead(order(7), NOW, 6 * 3600_000)).toBeUndefined();
    expect(tariffStepAhead(order(-1), NOW, 6 * 3600_000)).toBeUndefined();
    expect(tariffStepAhead(order(3, 0), NOW, 6 * 3600_000)).toBeUndefined();
  });
});

describe('assemblyNeeds and the new waits', () => {
  it('reads the posting’s requirements and is_multibox', () => {
    expect(assemblyNeeds({ requirements: { products_requiring_mandatory_mark: [1] }, is_multibox: true })).toEqual([
      'mark',
      'boxes',
    ]);
    expect(assemblyNeeds({ requirements: { products_requiring_mandatory_mark: [] } })).toBeUndefined();
  });

  const base = {
    postingNumber: '1-1-1',
    status: 'awaiting_packaging',
    wait: {
      on: 'marks' as const,
      token: 't',
      since: '2026-11-29T10:00:00.000Z',
      timeoutAt: '2026-11-29T16:00:00.000Z',
    },
  } as unknown as Order;

  it('marks ends on data sent after the wait began; approval when Ozon moved on; registration on its error', () => {
    expect(evaluateWait(base, 'marks', 1).outcome).toBe('pending');
    expect(evaluateWait({ ...base, assemblyDataAt: '2026-11-29T09:00:00.000Z' }, 'marks', 1).outcome).toBe('pending');
    expect(evaluateWait({ ...base, assemblyDataAt: '2026-11-29T11:00:00.000Z' }, 'marks', 1).outcome).toBe('success');
    expect(evaluateWait({ ...base, status: 'awaiting_approve' }, 'approval', 1).outcome).toBe('pending');
    expect(evaluateWait(base, 'approval', 1).outcome).toBe('success');
    expect(evaluateWait({ ...base, status: 'awaiting_registration' }, 'registration', 1).outcome).toBe('pending');
    expect(evaluateWait({ ...base, status: 'awaiting_deliver' }, 'registration', 1).outcome).toBe('success');
    expect(
      evaluateWait(
        { ...base, status: 'awaiting_registration', substatus: 'posting_registration_error' },
        'registration',
        1,
      ),
    ).toMatchObject({ outcome: 'failure', error: 'CarrierRegistrationFailed' });
  });
});
