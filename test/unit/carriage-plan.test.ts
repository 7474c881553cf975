/**
 * The poll's carriage plan (handover/carriage-plan.ts): Ozon's carriage list is asked when a posting names a carriage
 * not planned yet, once the carriage is within the lead; a planned carriage's postings ask nothing; a day whose
 * carriage is not due yet waits for it; a late posting's day lists today; the daily look runs while a posting may be
 * before its handover; the legacy (upgrade) plan lists hourly.
 */
import { describe, expect, it } from 'vitest';
import { carriageOfPosting, daysToList, HandoverPlan, listed, plannedFor, seen } from '#handover/carriage-plan';

const HOUR = 3600_000;
const LEAD = 24 * HOUR;
const NOW = Date.parse('2026-11-30T09:00:00.000Z');
const WH = 1020000075732000;
const CUTOFF_TODAY = Date.parse('2026-11-30T13:00:00.000Z');
const CUTOFF_TOMORROW = Date.parse('2026-12-01T13:00:00.000Z');
const QUIET = { firstRun: false, netPeriod: false, hourPeriod: true, aheadPeriod: false };
const empty = () => HandoverPlan.parse({});
const carriage = (cutoff: number, method = WH) => ({
  warehouseId: WH,
  deliveryMethodId: method,
  departureDate: new Date(cutoff).toISOString().slice(0, 10),
  cutoffAt: new Date(cutoff).toISOString(),
});

/** Ozon's list of today's carriages: today's carriage, due and started. */
const todayPlanned = (plan: HandoverPlan, at = NOW) =>
  listed(plan, [{ day: '2026-11-30', carriages: [carriage(CUTOFF_TODAY)], due: [carriage(CUTOFF_TODAY)] }], at, LEAD);

describe('carriageOfPosting', () => {
  const posting = (patch: Record<string, unknown> = {}) => ({
    status: 'awaiting_deliver',
    shipment_date: new Date(CUTOFF_TODAY).toISOString(),
    tpl_integration_type: 'ozon',
    delivery_method: { id: WH, warehouse_id: WH },
    ...patch,
  });
  it('an FBS posting before its handover names its carriage', () => {
    expect(carriageOfPosting(posting())).toEqual({ warehouseId: WH, deliveryMethodId: WH, shipmentMs: CUTOFF_TODAY });
    expect(carriageOfPosting(posting({ status: 'awaiting_packaging' }))).toBeDefined();
  });
  it('none for a posting handed over, an rFBS one, or one without a method or date', () => {
    expect(carriageOfPosting(posting({ status: 'delivering' }))).toBeUndefined();
    expect(carriageOfPosting(posting({ tpl_integration_type: 'non_integrated' }))).toBeUndefined();
    expect(carriageOfPosting(posting({ delivery_method: null }))).toBeUndefined();
    expect(carriageOfPosting(posting({ shipment_date: null }))).toBeUndefined();
  });
});

describe('the plan', () => {
  const today = { warehouseId: WH, deliveryMethodId: WH, shipmentMs: CUTOFF_TODAY };

  it('a posting of an unplanned carriage lists its day once; the carriage planned, its next postings list nothing', () => {
    let plan = seen(empty(), [today], LEAD);
    expect(daysToList(plan, NOW, LEAD, QUIET)).toEqual(['2026-11-30']);
    plan = todayPlanned(plan);
    expect(plan.days).toEqual({});
    expect(plannedFor(plan, today)).toBe(true);
    plan = seen(plan, [today, today], LEAD);
    expect(daysToList(plan, NOW + HOUR, LEAD, QUIET)).toEqual([]);
  });

  it('another delivery method the same day is a carriage of its own', () => {
    const planned = todayPlanned(seen(empty(), [today], LEAD));
    const other = { ...today, deliveryMethodId: 77 };
    expect(plannedFor(planned, other)).toBe(false);
    expect(daysToList(seen(planned, [other], LEAD), NOW, LEAD, QUIET)).toEqual(['2026-11-30']);
  });

  it('a carriage beyond the lead: its day waits until it is within, and is listed then, not before', () => {
    const far = { ...today, shipmentMs: CUTOFF_TOMORROW + 24 * HOUR };
    const plan = seen(empty(), [far], LEAD);
    expect(daysToList(plan, NOW, LEAD, QUIET)).toEqual([]);
    expect(daysToList(plan, far.shipmentMs - LEAD, LEAD, QUIET)).toEqual(['2026-12-02']);
  });

  it("a day listed whose carriage Ozon has not made due yet stays pending until the carriage's cutoff is within the lead", () => {
    const tomorrow = { ...today, shipmentMs: CUTOFF_TOMORROW - 6 * HOUR };
    let plan = seen(empty(), [tomorrow], LEAD);
    expect(daysToList(plan, NOW, LEAD, QUIET)).toEqual(['2026-12-01']);
    plan = listed(plan, [{ day: '2026-12-01', carriages: [carriage(CUTOFF_TOMORROW)], due: [] }], NOW, LEAD);
    expect(plan.days).toEqual({ '2026-12-01': CUTOFF_TOMORROW - LEAD });
    expect(daysToList(plan, NOW + HOUR, LEAD, QUIET)).toEqual([]);
    expect(daysToList(plan, CUTOFF_TOMORROW - LEAD, LEAD, QUIET)).toEqual(['2026-12-01']);
  });

  it('a day whose list shows no carriage with postings is dropped (a cancelled posting); a failed list keeps it', () => {
    const plan = seen(empty(), [today], LEAD);
    expect(listed(plan, [{ day: '2026-11-30', carriages: [], due: [] }], NOW, LEAD).days).toEqual({});
    expect(listed(plan, [], NOW, LEAD).days).toEqual(plan.days);
  });

  it('a day the daily look asked for and Ozon could not list is pending: the next run asks again, not the next look', () => {
    const look = { ...QUIET, netPeriod: true };
    const plan = seen(empty(), [{ ...today, shipmentMs: CUTOFF_TOMORROW }], LEAD);
    const later = todayPlanned(plan);
    // Tomorrow's carriage is not within the lead yet: only the look asks for it, and its list fails.
    expect(daysToList(later, NOW, LEAD, look)).toEqual(['2026-11-30', '2026-12-01']);
    expect(daysToList(later, NOW, LEAD, QUIET)).toEqual([]);
    const failed = listed(later, [], NOW, LEAD, ['2026-11-30', '2026-12-01']);
    expect(daysToList(failed, NOW + HOUR, LEAD, QUIET)).toEqual(['2026-11-30', '2026-12-01']);
    // A day pending already keeps the earlier of the two.
    const due = { ...plan, days: { '2026-12-01': NOW - HOUR } };
    expect(listed(due, [], NOW, LEAD, ['2026-12-01']).days).toEqual(due.days);
    // Listed at last: today's has nothing more, tomorrow's waits for its carriage.
    const after = listed(
      failed,
      [
        { day: '2026-11-30', carriages: [], due: [] },
        { day: '2026-12-01', carriages: [carriage(CUTOFF_TOMORROW)], due: [] },
      ],
      NOW + HOUR,
      LEAD,
    );
    expect(after.days).toEqual({ '2026-12-01': CUTOFF_TOMORROW - LEAD });
  });

  it("a posting whose date has passed (late, or moved without word) lists today's carriages", () => {
    const late = { ...today, shipmentMs: CUTOFF_TODAY - 24 * HOUR };
    let plan = seen(empty(), [late], LEAD);
    expect(daysToList(plan, NOW, LEAD, QUIET)).toEqual(['2026-11-30']);
    plan = todayPlanned(plan);
    expect(plan.days).toEqual({});
  });

  it("a moved date's push (no method) lists its day even when a carriage of that day is planned", () => {
    const planned = todayPlanned(seen(empty(), [today], LEAD));
    expect(daysToList(seen(planned, [{ shipmentMs: CUTOFF_TODAY }], LEAD), NOW, LEAD, QUIET)).toEqual(['2026-11-30']);
  });

  it('the daily look: on the first run, and while a posting seen may be before its handover (a day after its date)', () => {
    expect(daysToList(empty(), NOW, LEAD, { ...QUIET, firstRun: true })).toEqual(['2026-11-30', '2026-12-01']);
    expect(daysToList(empty(), NOW, LEAD, { ...QUIET, netPeriod: true })).toEqual([]);
    const plan = seen(empty(), [today], LEAD);
    expect(plan.until).toBe(Date.parse('2026-12-02T00:00:00.000Z'));
    const done = todayPlanned(plan);
    expect(daysToList(done, NOW + 24 * HOUR, LEAD, { ...QUIET, netPeriod: true })).toEqual([
      '2026-12-01',
      '2026-12-02',
    ]);
    expect(daysToList(done, plan.until, LEAD, { ...QUIET, netPeriod: true })).toEqual([]);
  });

  it('after an upgrade, hourly as before (the far days every 6 h) for a week', () => {
    const legacy = HandoverPlan.parse({ legacyUntil: NOW + 7 * 24 * HOUR });
    expect(daysToList(legacy, NOW, LEAD, QUIET)).toEqual(['2026-11-30']);
    expect(daysToList(legacy, NOW, LEAD, { ...QUIET, hourPeriod: false })).toEqual([]);
    expect(daysToList(legacy, NOW, LEAD, { ...QUIET, aheadPeriod: true })).toEqual(['2026-11-30', '2026-12-01']);
    expect(daysToList(legacy, NOW + 7 * 24 * HOUR, LEAD, QUIET)).toEqual([]);
  });

  it('planned carriages and pending days are forgotten two days after their date', () => {
    let plan = todayPlanned(seen(empty(), [today], LEAD));
    plan = seen(plan, [{ shipmentMs: CUTOFF_TOMORROW + 5 * 24 * HOUR }], LEAD);
    plan = listed(plan, [], CUTOFF_TODAY + 2 * 24 * HOUR + 1, LEAD);
    expect(plan.planned).toEqual({});
    expect(Object.keys(plan.days)).toEqual(['2026-12-06']);
  });
});
