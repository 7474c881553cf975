import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderLine } from '#shared/order';
import {
  type Handling,
  MAX_PUBLISHED_STOCK,
  ozonReservedAt,
  packingList,
  publishableStock,
  reservationLines,
  StockItem,
  shortages,
  shortStockDecision,
  stockDrifted,
} from '#stock/rules';

const line = (offerId: string, qty: number, name = offerId): OrderLine => ({ sku: 1, offerId, name, qty, price: 10 });
const item = (offerId: string, available: number): StockItem =>
  StockItem.parse({ warehouseId: 1, offerId, onHand: Math.max(0, available), reserved: 0, available });

describe('reservationLines', () => {
  it('merges lines of the same offer and sorts by offer id', () => {
    const lines = [line('cup', 2), line('bowl', 1), line('cup', 3), line('apron', 4)];

    const result = reservationLines(lines);

    expect(result).toEqual([
      { offerId: 'apron', qty: 4 },
      { offerId: 'bowl', qty: 1 },
      { offerId: 'cup', qty: 5 },
    ]);
  });

  it('keeps a single line as it is', () => {
    const lines = [line('250-7898-1', 1)];

    const result = reservationLines(lines);

    expect(result).toEqual([{ offerId: '250-7898-1', qty: 1 }]);
  });

  it('returns nothing for no lines', () => {
    const lines: OrderLine[] = [];

    const result = reservationLines(lines);

    expect(result).toEqual([]);
  });

  it('conserves the total quantity per offer for any lines', () => {
    const lines = fc.array(
      fc.record({ offerId: fc.constantFrom('a', 'b', 'c', 'd'), qty: fc.integer({ min: 1, max: 50 }) }),
      { maxLength: 20 },
    );
    const bad: unknown[] = [];

    fc.assert(
      fc.property(lines, (ls) => {
        const result = reservationLines(ls.map((l) => line(l.offerId, l.qty)));
        const ids = result.map((r) => r.offerId);
        const totalsMatch = result.every(
          (r) => r.qty === ls.filter((l) => l.offerId === r.offerId).reduce((s, l) => s + l.qty, 0),
        );
        const ok =
          new Set(ids).size === ids.length &&
          ids.length === new Set(ls.map((l) => l.offerId)).size &&
          ids.join() === [...ids].sort().join() &&
          totalsMatch;
        if (!ok) bad.push(ls);
        return ok;
      }),
    );

    expect(bad).toEqual([]);
  });
});

describe('shortages', () => {
  it('reports only offers with less available than wanted, with what is missing', () => {
    const wanted = [
      { offerId: 'a', qty: 3 },
      { offerId: 'b', qty: 5 },
      { offerId: 'c', qty: 2 },
    ];
    const stock = new Map([
      ['a', item('a', 3)],
      ['b', item('b', 2)],
    ]);

    const result = shortages(wanted, stock);

    expect(result).toEqual([
      { offerId: 'b', wanted: 5, available: 2, missing: 3 },
      { offerId: 'c', wanted: 2, available: 0, missing: 2 },
    ]);
  });

  it('treats negative availability (over-reserved stock) as none', () => {
    const wanted = [{ offerId: 'a', qty: 1 }];
    const stock = new Map([['a', item('a', -4)]]);

    const result = shortages(wanted, stock);

    expect(result).toEqual([{ offerId: 'a', wanted: 1, available: 0, missing: 1 }]);
  });

  it('reports nothing when every offer is covered', () => {
    const wanted = [
      { offerId: 'a', qty: 1 },
      { offerId: 'b', qty: 10 },
    ];
    const stock = new Map([
      ['a', item('a', 1)],
      ['b', item('b', 11)],
    ]);

    const result = shortages(wanted, stock);

    expect(result).toEqual([]);
  });

  it('never reports an offer whose available covers what is wanted, and reports every other one', () => {
    const offers = ['a', 'b', 'c', 'd', 'e'];
    const scenario = fc.record({
      wanted: fc.uniqueArray(fc.record({ offerId: fc.constantFrom(...offers), qty: fc.integer({ min: 1, max: 20 }) }), {
        selector: (w) => w.offerId,
      }),
      available: fc.dictionary(fc.constantFrom(...offers), fc.integer({ min: -5, max: 25 })),
    });
    const bad: unknown[] = [];

    fc.assert(
      fc.property(scenario, ({ wanted, available }) => {
        const stock = new Map(Object.entries(available).map(([id, n]) => [id, item(id, n)]));
        const result = shortages(wanted, stock);
        const short = wanted.filter((w) => Math.max(0, available[w.offerId] ?? 0) < w.qty).map((w) => w.offerId);
        const ok =
          result.every((s) => s.available < s.wanted && s.missing === s.wanted - s.available && s.missing > 0) &&
          result.map((s) => s.offerId).join() === short.join();
        if (!ok) bad.push({ wanted, available, result });
        return ok;
      }),
    );

    expect(bad).toEqual([]);
  });
});

describe('packingList', () => {
  it('puts the fragile handling note right after the fragile item', () => {
    const lines = [line('vase', 1, 'Glass vase'), line('towel', 2, 'Towel')];
    const handling = new Map<string, Handling[]>([['vase', ['fragile']]]);

    const result = packingList(lines, handling);

    expect(result).toEqual([
      '1 × vase — Glass vase',
      '    FRAGILE: wrap in bubble film, fill voids, mark the box "Хрупкое / Fragile"',
      '2 × towel — Towel',
    ]);
  });

  it('tells the packer to inspect an offer flagged for its defect returns', () => {
    const lines = [line('kettle', 1, 'Kettle')];
    const handling = new Map<string, Handling[]>([['kettle', ['quality_check']]]);

    const result = packingList(lines, handling);

    expect(result).toEqual([
      '1 × kettle — Kettle',
      '    QUALITY CHECK: returned for defects — inspect the unit (works, complete, undamaged) before packing',
    ]);
  });

  it('lists every note of an item that needs several, in order', () => {
    const lines = [line('oil', 3, 'Olive oil')];
    const handling = new Map<string, Handling[]>([['oil', ['liquid', 'keep_upright', 'heavy']]]);

    const result = packingList(lines, handling);

    expect(result).toEqual([
      '3 × oil — Olive oil',
      '    LIQUID: seal the cap, bag it, keep upright',
      '    Keep upright: mark "Верх / This side up"',
      '    HEAVY: use a double-wall box, tape the bottom twice',
    ]);
  });

  it('has one line per item and no notes when nothing needs handling', () => {
    const lines = [line('a', 1, 'A'), line('b', 1, 'B')];
    const handling = new Map<string, Handling[]>();

    const result = packingList(lines, handling);

    expect(result).toEqual(['1 × a — A', '1 × b — B']);
  });
});

describe('shortStockDecision', () => {
  const wanted = [
    { offerId: 'SOCKS', qty: 2 },
    { offerId: 'TEA', qty: 1 },
  ];
  const socksGone = [{ offerId: 'SOCKS', wanted: 2, available: 0, missing: 2 }];

  it('reserves again when nothing is short any more, even before the deadline', () => {
    const result = shortStockDecision(wanted, [], false, false);

    expect(result).toBe('retry');
  });

  it('waits on while the decision deadline has not passed', () => {
    const result = shortStockDecision(wanted, socksGone, false, true);

    expect(result).toBe('wait');
  });

  it('cancels the missing lines when allowed and another line can ship', () => {
    const result = shortStockDecision(wanted, socksGone, true, true);

    expect(result).toBe('partial');
  });

  it('cancels the posting when partial cancellation is not allowed', () => {
    const result = shortStockDecision(wanted, socksGone, true, false);

    expect(result).toBe('cancel');
  });

  it('cancels the posting when nothing at all can ship', () => {
    const onlySocks = [{ offerId: 'SOCKS', qty: 2 }];

    const result = shortStockDecision(onlySocks, socksGone, true, true);

    expect(result).toBe('cancel');
  });

  it('a partly available line still counts as something to ship', () => {
    const onlySocks = [{ offerId: 'SOCKS', qty: 2 }];
    const oneLeft = [{ offerId: 'SOCKS', wanted: 2, available: 1, missing: 1 }];

    const result = shortStockDecision(onlySocks, oneLeft, true, true);

    expect(result).toBe('partial');
  });
});

describe('publishableStock (what Ozon may sell: /v2/products/stocks takes units free to sell)', () => {
  it('is the available units when Ozon holds no more than the product reserved', () => {
    expect(publishableStock({ available: 7, reserved: 3 }, 3)).toBe(7);
    expect(publishableStock({ available: 7, reserved: 3 }, 0)).toBe(7);
  });

  it('leaves out what Ozon holds for postings the product has not reserved yet', () => {
    // Ozon created two postings of 1 unit the product has not received: 2 units are not free.
    expect(publishableStock({ available: 7, reserved: 3 }, 5)).toBe(5);
  });

  it('is never negative and never past what Ozon accepts', () => {
    expect(publishableStock({ available: 1, reserved: 0 }, 4)).toBe(0);
    expect(publishableStock({ available: -2, reserved: 0 }, 0)).toBe(0);
    expect(publishableStock({ available: 5_000_000, reserved: 0 }, 0)).toBe(MAX_PUBLISHED_STOCK);
  });

  it('never lets Ozon sell more than the units no posting holds on either side', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (onHand, localReserved, ozonOnly) => {
          fc.pre(localReserved <= onHand);
          const available = onHand - localReserved;
          const figure = publishableStock({ available, reserved: localReserved }, localReserved + ozonOnly);
          expect(figure).toBeLessThanOrEqual(Math.max(0, onHand - localReserved - ozonOnly));
          expect(figure).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe("ozonReservedAt (Ozon's reservation for a warehouse from /v4/product/info/stocks)", () => {
  const stocks = [
    { type: 'fbs', reserved: 2, present: 10, warehouse_ids: [1] },
    { type: 'rfbs', reserved: 1, present: 4, warehouse_ids: [2] },
    { type: 'fbo', reserved: 9, present: 50, warehouse_ids: [] },
    { type: 'fbs', reserved: 3, present: 6, warehouse_ids: [] },
  ];

  it("sums the seller's own schemes covering the warehouse, an entry naming none covering all, FBO never", () => {
    expect(ozonReservedAt(stocks, 1)).toBe(5);
    expect(ozonReservedAt(stocks, 2)).toBe(4);
    expect(ozonReservedAt(stocks, 3)).toBe(3);
  });
});

describe("stockDrifted (the daily check of Ozon's figures)", () => {
  it('accepts Ozon between the published figure and the available units (a packed parcel not yet handed over)', () => {
    // 5 on hand, one packed (out of available), Ozon still holds it: publishable 3, available 4, Ozon free 4.
    expect(stockDrifted(4, { available: 4 }, 3)).toBe(false);
    expect(stockDrifted(3, { available: 4 }, 3)).toBe(false);
  });

  it('flags Ozon above the available units (it could sell one twice) or below the published figure', () => {
    expect(stockDrifted(5, { available: 4 }, 3)).toBe(true);
    expect(stockDrifted(2, { available: 4 }, 3)).toBe(true);
  });
});
