import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstPerPosting, packingDecision } from '#fulfilment/rules';
import { settle } from '#settlement/rules';
import { DEFAULT_WAIT_SETTINGS, ExecutionState, executionState, waitTimeouts } from '#shared/deadlines';
import { Order, orderFromPosting, phaseAfterStatus, WaitKind } from '#shared/order';
import { Posting } from '#shared/ozon/schemas';
import { statusFromPushState } from '#shared/status';
import { evaluateWait, statusMayEndWait } from '#waits/rules';

const EXAMPLES = path.resolve(import.meta.dirname, '../fixtures/ozon-examples');
const HOUR = 3600;
const DAY = 24 * HOUR;
const NOW_ISO = '2021-11-20T10:00:00.000Z';
const NOW = Date.parse(NOW_ISO);

/** The `result` of the docs-derived `/v3/posting/fbs/get` example, as JSON (before parsing). */
function getExample(): Record<string, unknown> {
  const raw = JSON.parse(readFileSync(path.join(EXAMPLES, 'response__v3_posting_fbs_get__1.json'), 'utf8'));
  return raw.result as Record<string, unknown>;
}

function order(patch: Partial<Order> = {}): Order {
  return { ...orderFromPosting(Posting.parse(getExample()), NOW_ISO), ...patch };
}

describe('statusFromPushState (ozon-api.md §2, push new_state → API status)', () => {
  const table: [string, string][] = [
    ['posting_created', 'awaiting_packaging'],
    ['posting_transferring_to_delivery', 'awaiting_deliver'],
    ['posting_in_carriage', 'awaiting_deliver'],
    ['posting_not_in_carriage', 'awaiting_deliver'],
    ['posting_on_way_to_city', 'delivering'],
    ['posting_transferred_to_courier_service', 'delivering'],
    ['posting_in_courier_service', 'delivering'],
    ['posting_on_way_to_pickup_point', 'delivering'],
    ['posting_in_pickup_point', 'delivering'],
    ['posting_conditionally_delivered', 'delivering'],
    ['posting_delivered', 'delivered'],
    ['posting_received', 'delivered'],
    ['posting_canceled', 'cancelled'],
    ['posting_not_in_sort_center', 'not_accepted'],
    ['posting_in_arbitration', 'arbitration'],
    ['posting_in_client_arbitration', 'client_arbitration'],
    ['posting_driver_pick_up', 'driver_pickup'],
    ['posting_awaiting_registration', 'awaiting_registration'],
    ['posting_acceptance_in_progress', 'acceptance_in_progress'],
    ['posting_delivering', 'delivering'],
    // An aggregator's registration, and a split (confirmed with Ozon like any ending).
    ['posting_registration_error', 'awaiting_registration'],
    ['posting_registered', 'awaiting_deliver'],
    ['posting_split_pending', 'cancelled_from_split_pending'],
  ];

  it.each(table)('%s → %s', (state, status) => {
    const pushState = state;

    const result = statusFromPushState(pushState);

    expect(result).toBe(status);
  });

  it('passes a state without the posting_ prefix through unchanged', () => {
    const pushState = 'sent_by_seller';

    const result = statusFromPushState(pushState);

    expect(result).toBe('sent_by_seller');
  });

  it('strips only a leading posting_ prefix', () => {
    const pushState = 'posting_posting_x';

    const result = statusFromPushState(pushState);

    expect(result).toBe('posting_x');
  });
});

describe('orderFromPosting', () => {
  it('builds an FBS order from the v3 get example (tpl ozon)', () => {
    const posting = Posting.parse(getExample());

    const result = orderFromPosting(posting, NOW_ISO);

    expect(result).toMatchObject({
      postingNumber: '57195475-0050-3',
      status: 'awaiting_packaging',
      substatus: 'posting_awaiting_passport_data',
      phase: 'received',
      schema: 'fbs',
      tplIntegrationType: 'ozon',
      warehouseId: 18114520187000,
      shipmentDate: '2021-11-23T10:00:00Z',
      // Ozon's example says payout 0 before shipping: not known yet, not "expected 0".
      expectedPayout: undefined,
      currency: 'RUB',
      lastStatusAt: NOW_ISO,
      alerts: [],
    });
    expect(result.lines).toEqual([
      {
        sku: 180550365,
        offerId: '250-7898-1',
        name: 'Кофе ароматизированный "Шоколадный апельсин" 250 гр',
        qty: 1,
        price: 279,
      },
    ]);
  });

  it('leaves out an empty tracking number and a cancellation of a live posting', () => {
    const posting = Posting.parse(getExample());

    const result = orderFromPosting(posting, NOW_ISO);

    expect(result.trackingNumber).toBeUndefined();
    expect(result.cancellation).toBeUndefined();
  });

  it('builds an rFBS order for tpl non_integrated', () => {
    const posting = Posting.parse({ ...getExample(), tpl_integration_type: 'non_integrated' });

    const result = orderFromPosting(posting, NOW_ISO);

    expect(result.schema).toBe('rfbs');
    expect(result.tplIntegrationType).toBe('non_integrated');
  });

  it('treats a missing tpl_integration_type as Ozon logistics', () => {
    const posting = Posting.parse({ ...getExample(), tpl_integration_type: null });

    const result = orderFromPosting(posting, NOW_ISO);

    expect(result.schema).toBe('fbs');
    expect(result.tplIntegrationType).toBe('ozon');
  });

  it('sums financial_data.products[].payout into expectedPayout, rounded to cents', () => {
    const financial = {
      products: [
        { product_id: 1, price: '279.00', payout: '250.10', quantity: 1 },
        { product_id: 2, price: 100, payout: 80.2, quantity: 1 },
        { product_id: 3, price: 1, payout: 0.1, quantity: 1 },
      ],
    };
    const posting = Posting.parse({ ...getExample(), financial_data: financial });

    const result = orderFromPosting(posting, NOW_ISO);

    expect(result.expectedPayout).toBe(330.4);
  });

  it.each([
    [
      'a line at 0 (Ozon before shipping)',
      [
        { product_id: 1, price: 100, payout: 0, quantity: 1 },
        { product_id: 2, price: 100, payout: 80, quantity: 1 },
      ],
    ],
    ['no products in financial_data', []],
  ])('leaves expectedPayout unknown for %s, never "expected 0"', (_, products) => {
    const posting = Posting.parse({ ...getExample(), financial_data: { products } });

    const result = orderFromPosting(posting, NOW_ISO);

    expect(result.expectedPayout).toBeUndefined();
  });

  it('makes one line per product, keeping duplicates of the same offer', () => {
    const product = (getExample().products as Record<string, unknown>[])[0];
    const products = [
      { ...product, quantity: 2, price: '100.5000' },
      { ...product, quantity: 1, price: '90' },
      { ...product, sku: 42, offer_id: 'other', name: 'Other', quantity: 3, price: 7 },
    ];
    const posting = Posting.parse({ ...getExample(), products });

    const result = orderFromPosting(posting, NOW_ISO);

    expect(result.lines.map((l) => [l.sku, l.offerId, l.qty, l.price])).toEqual([
      [180550365, '250-7898-1', 2, 100.5],
      [180550365, '250-7898-1', 1, 90],
      [42, 'other', 3, 7],
    ]);
  });

  it('records the cancellation of a cancelled posting with fallbacks for empty fields', () => {
    const posting = Posting.parse({ ...getExample(), status: 'cancelled' });

    const result = orderFromPosting(posting, NOW_ISO);

    expect(result.cancellation).toEqual({ reasonId: 0, reason: 'not given', initiator: 'unknown', afterShip: false });
  });

  it('takes the delivery window end and tracking number when Ozon gives them', () => {
    const posting = Posting.parse({
      ...getExample(),
      tracking_number: 'TRK-1',
      analytics_data: { delivery_date_begin: '2021-11-25T10:00:00Z', delivery_date_end: '2021-11-26T18:00:00Z' },
    });

    const result = orderFromPosting(posting, NOW_ISO);

    expect(result.trackingNumber).toBe('TRK-1');
    expect(result.deliveryDateEnd).toBe('2021-11-26T18:00:00Z');
  });
});

describe('evaluateWait', () => {
  it("an open cancellation request ends every wait but attention, payout and the seller's answer; decided, none", () => {
    const request = { id: 1, reason: 'r', requestedAt: '2024-01-01T00:00:00.000Z' };
    const open = order({ schema: 'rfbs', cancellationRequest: request });
    const ended = WaitKind.options.filter((k) => {
      const outcome = evaluateWait(open, k, 1);
      return outcome.outcome === 'failure' && outcome.error === 'CancellationRequested';
    });
    expect(ended.sort()).toEqual(
      WaitKind.options.filter((k) => !['attention', 'payout', 'cancellation'].includes(k)).sort(),
    );
    expect(evaluateWait(open, 'cancellation', 1)).toEqual({ outcome: 'pending' });
    const answered = order({ cancellationRequest: { ...request, seller: { approve: false, at: 'x' } } });
    expect(evaluateWait(answered, 'cancellation', 1)).toEqual({ outcome: 'success' });
    const decided = order({ status: 'delivering', cancellationRequest: { ...request, decision: 'rejected' } });
    expect(evaluateWait(decided, 'delivery', 1)).toEqual({ outcome: 'pending' });
  });

  it("attention ends only on the seller's resume, not on a cancellation (ReceivePosting sees that)", () => {
    const since = '2024-01-01T00:00:00.000Z';
    const wait = { on: 'attention' as const, token: 't', since, timeoutAt: '2024-01-02T00:00:00.000Z' };

    const cancelled = evaluateWait(order({ status: 'cancelled', wait }), 'attention', 1);
    const resumedBefore = evaluateWait(order({ wait, resumeRequestedAt: '2023-12-31T00:00:00.000Z' }), 'attention', 1);
    const resumed = evaluateWait(order({ wait, resumeRequestedAt: '2024-01-01T01:00:00.000Z' }), 'attention', 1);

    expect([cancelled, resumedBefore, resumed]).toEqual([
      { outcome: 'pending' },
      { outcome: 'pending' },
      { outcome: 'success' },
    ]);
  });

  it.each(
    WaitKind.options
      .filter((kind) => kind !== 'attention')
      .flatMap((kind) => [[kind, 'cancelled'] as const, [kind, 'cancelled_from_split_pending'] as const]),
  )('%s fails with PostingCancelled when the status is %s', (kind, status) => {
    const cancelled = order({ status, substatus: 'ship_failed', trackingNumber: 'T', accrued: 0 });

    const result = evaluateWait(cancelled, kind, 1);

    expect(result).toEqual({
      outcome: 'failure',
      error: 'PostingCancelled',
      cause: 'Posting 57195475-0050-3 was cancelled',
    });
  });

  it('assembly is pending while the posting awaits packaging', () => {
    const waiting = order({ status: 'awaiting_packaging', substatus: 'posting_created' });

    const result = evaluateWait(waiting, 'assembly', 1);

    expect(result).toEqual({ outcome: 'pending' });
  });

  it.each([
    'awaiting_registration',
    'acceptance_in_progress',
    'awaiting_deliver',
    'driver_pickup',
    'delivering',
    'delivered',
    'arbitration',
    'client_arbitration',
  ])('assembly succeeds once the status is %s', (status) => {
    const assembled = order({ status });

    const result = evaluateWait(assembled, 'assembly', 1);

    expect(result).toEqual({ outcome: 'success' });
  });

  it('assembly fails with ShipFailed when Ozon reports substatus ship_failed', () => {
    const failed = order({ status: 'awaiting_packaging', substatus: 'ship_failed' });

    const result = evaluateWait(failed, 'assembly', 1);

    expect(result).toMatchObject({ outcome: 'failure', error: 'ShipFailed' });
  });

  it('tracking is pending without a tracking number', () => {
    const untracked = order({ status: 'awaiting_deliver', trackingNumber: undefined });

    const result = evaluateWait(untracked, 'tracking', 1);

    expect(result).toEqual({ outcome: 'pending' });
  });

  it('tracking succeeds once a tracking number is recorded', () => {
    const tracked = order({ status: 'awaiting_deliver', trackingNumber: 'RA123456789CN' });

    const result = evaluateWait(tracked, 'tracking', 1);

    expect(result).toEqual({ outcome: 'success' });
  });

  it.each([
    ['arbitration', 'InArbitration'],
    ['client_arbitration', 'InArbitration'],
    ['not_accepted', 'NotAccepted'],
  ])('delivery fails with %s → %s, so the execution can tell the seller', (status, error) => {
    const disputed = order({ status });

    const result = evaluateWait(disputed, 'delivery', 1);

    expect(result).toMatchObject({ outcome: 'failure', error });
  });

  it('a dispute wait ends when the posting leaves arbitration', () => {
    const disputed = order({ status: 'arbitration' });
    const resolved = order({ status: 'delivered' });

    expect(evaluateWait(disputed, 'dispute', 1)).toEqual({ outcome: 'pending' });
    expect(evaluateWait(resolved, 'dispute', 1)).toEqual({ outcome: 'success' });
  });

  it('a restock wait ends only on a restock after the wait began', () => {
    const wait = {
      on: 'restock' as const,
      token: 't',
      since: '2021-11-20T10:00:00.000Z',
      timeoutAt: '2021-11-21T00:00:00.000Z',
    };
    const before = order({ wait, restockedAt: '2021-11-20T09:00:00.000Z' });
    const after = order({ wait, restockedAt: '2021-11-20T11:00:00.000Z' });

    expect(evaluateWait(before, 'restock', 1)).toEqual({ outcome: 'pending' });
    expect(evaluateWait(after, 'restock', 1)).toEqual({ outcome: 'success' });
  });

  it('a packed wait ends on the warehouse confirmation', () => {
    expect(evaluateWait(order(), 'packed', 1)).toEqual({ outcome: 'pending' });
    expect(evaluateWait(order({ packedAt: NOW_ISO }), 'packed', 1)).toEqual({ outcome: 'success' });
  });

  it.each(['awaiting_deliver', 'delivering', 'driver_pickup'])(
    'delivery is pending while the status is %s',
    (status) => {
      const moving = order({ status });

      const result = evaluateWait(moving, 'delivery', 1);

      expect(result).toEqual({ outcome: 'pending' });
    },
  );

  it('delivery succeeds once the posting is delivered', () => {
    const delivered = order({ status: 'delivered' });

    const result = evaluateWait(delivered, 'delivery', 1);

    expect(result).toEqual({ outcome: 'success' });
  });

  it('payout is pending before any accrual', () => {
    const unpaid = order({ status: 'delivered', expectedPayout: 250.1, accrued: undefined });

    const result = evaluateWait(unpaid, 'payout', 1);

    expect(result).toEqual({ outcome: 'pending' });
  });

  it.each([
    [250.1, 250.1],
    [250.1, 250.104],
    [250.1, 250.096],
  ])('payout succeeds when expected %s and accrued %s agree to the cent', (expectedPayout, accrued) => {
    const paid = order({ status: 'delivered', expectedPayout, accrued });

    const result = evaluateWait(paid, 'payout', 1);

    expect(result).toEqual({ outcome: 'success' });
  });

  it.each([
    [250.1, 249.09],
    [250.1, 200],
    [250.1, 0],
  ])(
    'payout stays pending when expected %s and accrued %s differ by more than the tolerance',
    (expectedPayout, accrued) => {
      const partlyPaid = order({ status: 'delivered', expectedPayout, accrued });

      const result = evaluateWait(partlyPaid, 'payout', 1);

      expect(result).toEqual({ outcome: 'pending' });
    },
  );

  it('payout within the tolerance ends the wait: the same rule SettlePayout judges by (was 0.005 RUB)', () => {
    const paid = order({ status: 'delivered', expectedPayout: 250.1, accrued: 250.09 });

    expect(evaluateWait(paid, 'payout', 1)).toEqual({ outcome: 'success' });
    expect(evaluateWait(paid, 'payout', 0.001)).toEqual({ outcome: 'pending' });
    expect(settle(250.1, [{ typeId: 1, amount: 250.09 }], 1).verdict).toBe('settled');
  });
});

describe('packingDecision: what the packing batcher does with a request (it waits for the assembly itself)', () => {
  const LATER = '2021-11-20T12:00:00.000Z';

  it('packs a posting Ozon reports assembled', () => {
    expect(packingDecision(order({ status: 'awaiting_deliver' }), LATER, NOW_ISO)).toEqual({ kind: 'pack' });
  });

  it('asks again later while Ozon still assembles, until the deadline', () => {
    const assembling = order({ status: 'awaiting_packaging', substatus: 'posting_created' });
    expect(packingDecision(assembling, LATER, NOW_ISO)).toEqual({ kind: 'later' });
    expect(packingDecision(assembling, LATER, LATER)).toMatchObject({
      kind: 'end',
      outcome: { outcome: 'failure', error: 'AssemblyNotReported' },
    });
  });

  it('ends with ShipFailed, PostingCancelled or CancellationRequested as AwaitAssembly did, deadline or not', () => {
    const failed = order({ status: 'awaiting_packaging', substatus: 'ship_failed' });
    expect(packingDecision(failed, LATER, NOW_ISO)).toMatchObject({ kind: 'end', outcome: { error: 'ShipFailed' } });
    const cancelled = order({ status: 'cancelled' });
    expect(packingDecision(cancelled, LATER, NOW_ISO)).toMatchObject({
      kind: 'end',
      outcome: { error: 'PostingCancelled' },
    });
    const asked = order({
      status: 'awaiting_deliver',
      cancellationRequest: { id: 7, reason: 'changed my mind', requestedAt: NOW_ISO },
    });
    expect(packingDecision(asked, LATER, NOW_ISO)).toMatchObject({
      kind: 'end',
      outcome: { error: 'CancellationRequested' },
    });
  });

  it('the same posting twice in one event is packed once; the other request looks again later', () => {
    const requests = [
      { postingNumber: 'A', token: 'a1' },
      { postingNumber: 'B', token: 'b1' },
      { postingNumber: 'A', token: 'a2' },
    ];
    expect(firstPerPosting(requests)).toEqual({
      first: [requests[0], requests[1]],
      again: [requests[2]],
    });
  });

  it('a posting a batch packed already is not packed again, whatever its status says now', () => {
    const packed = order({ status: 'delivering', shippedFromStockAt: NOW_ISO, labelBatch: 'labels/1/x' });
    expect(packingDecision(packed, LATER, LATER)).toEqual({ kind: 'packed' });
  });
});

describe('waitTimeouts', () => {
  it('uses the defaults when the posting carries no dates', () => {
    const undated = order({ shipmentDate: undefined, deliveryDateEnd: undefined, deliveredAt: undefined });

    const result = waitTimeouts(undated, NOW);

    expect(result).toEqual({
      restock: 2 * HOUR,
      // Ozon's approval is looked at daily; missing marking codes are asked for every six hours.
      approval: DAY,
      packed: 2 * HOUR,
      // The quality check is reminded like the packed confirmation.
      quality: 2 * HOUR,
      marks: 6 * HOUR,
      assembly: 2 * HOUR,
      registration: 6 * HOUR,
      tracking: DAY,
      // Not picked up and no shipment date: one handover grace from the last status change.
      delivery: DAY,
      dispute: 14 * DAY,
      payout: 14 * DAY,
      attention: DAY,
      cancellation: HOUR,
    });
  });

  it.each([
    ['2021-11-20T15:00:00.000Z', 5 * HOUR],
    ['2021-11-23T10:00:00.000Z', 3 * DAY],
    ['2021-11-20T10:00:00.500Z', 60],
    ['2021-11-20T10:30:00.250Z', 1801],
  ])('the tracking timeout tracks shipmentDate %s', (shipmentDate, seconds) => {
    const shipping = order({ shipmentDate });

    const result = waitTimeouts(shipping, NOW);

    expect(result.tracking).toBe(seconds);
  });

  it('after shipmentDate the tracking wait gets the grace period', () => {
    const late = order({ shipmentDate: '2021-11-19T10:00:00.000Z' });

    const result = waitTimeouts(late, NOW);

    expect(result.tracking).toBe(DAY);
  });

  it('the restock decision comes the assembly buffer (4 h) before shipmentDate', () => {
    const short = order({ shipmentDate: '2021-11-21T10:00:00.000Z' });

    const result = waitTimeouts(short, NOW);

    expect(result.restock).toBe(20 * HOUR);
  });

  it('awaiting_deliver (rFBS) is stalled a day after shipmentDate; the delivery window ends the wait earlier', () => {
    const handedOver = order({ schema: 'rfbs', status: 'awaiting_deliver', shipmentDate: '2021-11-21T10:00:00.000Z' });
    const promised = { ...handedOver, deliveryDateEnd: '2021-11-20T22:00:00.000Z' };

    const stall = waitTimeouts(handedOver, NOW).delivery;
    const window = waitTimeouts(promised, NOW).delivery;

    expect(stall).toBe(2 * DAY);
    expect(window).toBe(12 * HOUR);
  });

  it('an FBS parcel awaiting_deliver waits for delivery until the stall SLA: its missed carriage is the Handover check', () => {
    const waiting = order({
      schema: 'fbs',
      status: 'awaiting_deliver',
      shipmentDate: '2021-11-21T10:00:00.000Z',
      deliveryDateEnd: undefined,
    });

    // In transit from the shipment date (the carriage's cutoff): stalled five days after it. No look at the cutoff,
    // nor a day after it, which would cost every parcel a CheckTracking and an Ozon call.
    expect(waitTimeouts(waiting, NOW).delivery).toBe(6 * DAY);
  });

  it('delivering is stalled five days after the last status change', () => {
    const moving = order({
      status: 'delivering',
      lastStatusAt: '2021-11-19T10:00:00.000Z',
      deliveryDateEnd: undefined,
    });

    const result = waitTimeouts(moving, NOW);

    expect(result.delivery).toBe(4 * DAY);
  });

  it.each([
    ['2021-11-07T10:00:00.000Z', DAY],
    ['2021-11-20T10:00:00.000Z', 14 * DAY],
    ['2021-10-01T10:00:00.000Z', HOUR],
  ])('the payout timeout runs the settlement window from deliveredAt %s', (deliveredAt, seconds) => {
    const delivered = order({ deliveredAt });

    const result = waitTimeouts(delivered, NOW);

    expect(result.payout).toBe(seconds);
  });

  it('applies custom settings', () => {
    const undated = order({
      status: 'delivering',
      shipmentDate: undefined,
      deliveryDateEnd: undefined,
      deliveredAt: undefined,
    });
    const settings = {
      ...DEFAULT_WAIT_SETTINGS,
      assemblyWaitSeconds: 600,
      transitStallSeconds: 2 * DAY,
      settlementWindowSeconds: 3 * DAY,
    };

    const result = waitTimeouts(undated, NOW, settings);

    expect(result).toMatchObject({ assembly: 600, tracking: DAY, delivery: 2 * DAY, payout: 3 * DAY });
  });

  it('every timeout is an integer ≥ 1 and the execution state parses, for any order and now', () => {
    const date = fc.date({
      min: new Date('2015-01-01T00:00:00.000Z'),
      max: new Date('2035-01-01T00:00:00.000Z'),
      noInvalidDate: true,
    });
    const iso = date.map((d) => d.toISOString());
    const settings = fc
      .record({
        assemblyWaitSeconds: fc.integer({ min: 1, max: 30 * DAY }),
        transitStallSeconds: fc.integer({ min: 1, max: 90 * DAY }),
        settlementWindowSeconds: fc.integer({ min: 1, max: 90 * DAY }),
        assemblyBufferSeconds: fc.integer({ min: 0, max: 2 * DAY }),
      })
      .map((x) => ({ ...DEFAULT_WAIT_SETTINGS, ...x }));
    const arbitrary = fc.record({
      shipmentDate: fc.option(iso, { nil: undefined }),
      deliveryDateEnd: fc.option(iso, { nil: undefined }),
      deliveredAt: fc.option(iso, { nil: undefined }),
      now: date.map((d) => d.getTime()),
      settings: fc.option(settings, { nil: undefined }),
      schema: fc.constantFrom('fbs' as const, 'rfbs' as const),
    });
    const failures: unknown[] = [];

    fc.assert(
      fc.property(arbitrary, ({ now, settings: s, ...patch }) => {
        const state = executionState(order(patch), now, s);
        const values = Object.values(state.timeouts);
        const ok = values.length === WaitKind.options.length && values.every((v) => Number.isInteger(v) && v >= 1);
        if (!ok || !ExecutionState.safeParse(state).success) failures.push({ patch, now, s, state });
        return ok && ExecutionState.safeParse(state).success;
      }),
      { numRuns: 500 },
    );

    expect(failures).toEqual([]);
  });

  it('the default settings are themselves positive integers', () => {
    const settings = DEFAULT_WAIT_SETTINGS;

    const values = Object.values(settings);

    expect(values.every((v) => Number.isInteger(v) && v > 0)).toBe(true);
  });
});

describe('waitTimeouts with unreadable dates', () => {
  it('falls back instead of producing NaN when shipment and delivery dates are not ISO', () => {
    const order = Order.parse({
      postingNumber: '1-2-3',
      status: 'awaiting_packaging',
      phase: 'received',
      schema: 'rfbs',
      tplIntegrationType: 'non_integrated',
      warehouseId: 1,
      lines: [{ sku: 1, offerId: 'A', name: 'a', qty: 1, price: 10 }],
      shipmentDate: '23.11.2021 10:00',
      deliveredAt: 'x',
      expectedPayout: 8,
      currency: 'RUB',
      lastStatusAt: '2026-11-26T00:00:00.000Z',
    });

    const timeouts = waitTimeouts(order, Date.parse('2026-11-26T00:00:00Z'));

    for (const seconds of Object.values(timeouts)) expect(Number.isInteger(seconds) && seconds >= 1).toBe(true);
  });
});

describe('stallDeadline', () => {
  it('after an escalation past the handover grace, the next check is one grace later, not at once', () => {
    const settings = DEFAULT_WAIT_SETTINGS;
    const checkedNow = order({
      schema: 'rfbs',
      status: 'awaiting_deliver',
      shipmentDate: '2021-11-18T10:00:00.000Z',
      lastStatusAt: NOW_ISO,
      deliveryDateEnd: undefined,
    });
    const fbs = { ...checkedNow, schema: 'fbs' as const };

    expect(waitTimeouts(checkedNow, NOW, settings).delivery).toBe(settings.handoverStallSeconds);
    // An FBS parcel's handover is its carriage's check: it is watched as in transit, one transit SLA later.
    expect(waitTimeouts(fbs, NOW, settings).delivery).toBe(settings.transitStallSeconds);
  });
});

describe('phaseAfterStatus: the phase a pushed status moves a posting to', () => {
  it('handed over → in transit, delivered → settling, each only from an earlier phase or itself', () => {
    expect(phaseAfterStatus('delivering')).toEqual({
      phase: 'in_transit',
      from: ['packing', 'shipping', 'in_transit'],
    });
    expect(phaseAfterStatus('delivered')).toEqual({
      phase: 'settling',
      from: ['packing', 'shipping', 'in_transit', 'settling'],
    });
  });

  it('moves nothing for statuses before the hand-over or for a cancellation', () => {
    for (const status of ['awaiting_packaging', 'awaiting_deliver', 'awaiting_approve', 'cancelled']) {
      expect(phaseAfterStatus(status), status).toBeUndefined();
    }
  });

  it('never moves a posting back from where it ended (completed, cancelled) nor out of NeedsAttention', () => {
    fc.assert(
      fc.property(fc.constantFrom('delivering', 'delivered', 'arbitration', 'not_accepted', 'driver_pickup'), (s) => {
        const from = phaseAfterStatus(s)?.from ?? [];
        return !from.some((p) => p === 'completed' || p === 'cancelled' || p === 'needs_attention');
      }),
    );
  });
});

describe('statusMayEndWait (whether a status write needs the wait read)', () => {
  const at = (status: string, substatus?: string) => order({ status, substatus });

  it.each([
    ['awaiting_packaging', 'awaiting_deliver', 'assembly ends'],
    ['delivering', 'delivered', 'delivery ends'],
    ['delivering', 'not_accepted', 'delivery fails'],
    ['delivering', 'arbitration', 'delivery goes to a dispute'],
    ['arbitration', 'delivering', 'the dispute ends'],
    ['awaiting_deliver', 'cancelled', 'every wait but attention fails'],
    ['awaiting_packaging', 'delivering', 'a skipped awaiting_deliver still ends assembly'],
  ])('%s → %s: read (%s)', (before, after) => {
    expect(statusMayEndWait(at(before), at(after), 1)).toBe(true);
  });

  it.each([
    ['awaiting_deliver', 'delivering'],
    ['awaiting_deliver', 'driver_pickup'],
    ['driver_pickup', 'delivering'],
  ])('%s → %s: no wait can act on it, not read', (before, after) => {
    expect(statusMayEndWait(at(before), at(after), 1)).toBe(false);
  });

  it('a repeat of the same status is read: its first delivery may have failed halfway', () => {
    expect(statusMayEndWait(at('delivering'), at('delivering'), 1)).toBe(true);
  });

  it('ship_failed reaching a posting awaiting packaging is read (the packing batcher ends PackAndLabel with ShipFailed)', () => {
    expect(statusMayEndWait(at('awaiting_packaging'), at('awaiting_packaging', 'ship_failed'), 1)).toBe(true);
  });

  it('agrees with evaluateWait for every pair of statuses: skipped only where no wait kind changes its outcome', () => {
    const statuses = ['awaiting_packaging', 'awaiting_deliver', 'delivering', 'delivered', 'cancelled', 'arbitration'];
    fc.assert(
      fc.property(
        fc.constantFrom(...statuses),
        fc.constantFrom(...statuses),
        fc.constantFrom(...WaitKind.options),
        (a, b, kind) => {
          if (statusMayEndWait(at(a), at(b), 1)) return;
          expect(evaluateWait(at(b), kind, 1)).toEqual(evaluateWait(at(a), kind, 1));
        },
      ),
    );
  });
});
