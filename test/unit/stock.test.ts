import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderLine } from '#shared/order';
import { type Handling, packingList, reservationLines, StockItem, shortages, shortStockDecision } from '#stock/rules';

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
