/**
 * Crash and retry: Lambda retries a step, or ops redrive an execution, after the step's side effect happened but
 * before its record was written. The second run must not ship, reserve or cancel a second time. Steps are invoked
 * directly, the way Step Functions invokes them; the "crash" is undoing the step's own record between the runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrder, updateOrder } from '#shared/order-store';
import { addStock, getStock } from '#stock/stock-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { FBS_WAREHOUSE } from './helpers';

const DAY = 24 * 3600_000;
let rt: Runtime;

beforeAll(async () => {
  rt = await startRuntime({
    speed: 1000,
    // No pushes and no poll: nothing but the test runs these postings' steps.
    ozon: { mode: 'sandbox', sandbox: { faults: { dropPush: 1 } } },
    pollIntervalMs: 365 * DAY,
  });
  await addStock(FBS_WAREHOUSE, 'TEA-GRN-100', 50, { name: 'Tea' });
});
afterAll(async () => {
  await rt?.stop();
});

type State = { postingNumber: string; schema: 'fbs' | 'rfbs'; timeouts: Record<string, number> };

async function receivedPosting(qty: number): Promise<State> {
  const created = rt.sandbox?.createPosting({ schema: 'fbs', lines: [{ offer_id: 'TEA-GRN-100', quantity: qty }] });
  if (!created) throw new Error('no sandbox');
  return (await rt.invoke('receive-posting', { postingNumber: created.posting_number })) as State;
}
const stock = async () => (await getStock(FBS_WAREHOUSE, ['TEA-GRN-100'])).get('TEA-GRN-100');
const callsFor = (path: string, postingNumber: string) =>
  (rt.sandbox?.calls ?? []).filter(
    (c) => c.path === path && (c.body as { posting_number?: string }).posting_number === postingNumber,
  );

describe('a step run twice after its side effect', () => {
  it('receive-posting and reserve-stock: one reservation', async () => {
    const before = await stock();
    // ReceivePosting writes the order with its reservation; run again (its answer lost), it finds the order.
    const state = await receivedPosting(3);
    const reservedAt = (await getOrder(state.postingNumber))?.reservedAt;
    await rt.invoke('receive-posting', { postingNumber: state.postingNumber });

    // ReserveStock without the receipt's word (a resume, a retry after a restock): the order says reserved.
    await rt.invoke('reserve-stock', state);
    const second = await rt.invoke('reserve-stock', state);

    const after = await stock();
    expect(after?.reserved).toBe((before?.reserved ?? 0) + 3);
    expect(after?.available).toBe((before?.available ?? 0) - 3);
    // The retry succeeds as the first did (its wait timeouts are counted from a later now) and keeps the first time.
    expect(second).toMatchObject({ postingNumber: state.postingNumber, schema: 'fbs' });
    expect((await getOrder(state.postingNumber))?.reservedAt).toBe(reservedAt);
  });

  it('confirm-posting: Ozon answers POSTING_ALREADY_SHIPPED to the retry and the step still succeeds', async () => {
    const state = await receivedPosting(1);
    await rt.invoke('reserve-stock', state);
    const beforeShip = await getOrder(state.postingNumber);

    // The crash: Ozon accepted the ship, but the answer was lost — the state machine retries with the same input.
    await rt.invoke('confirm-posting', state);
    const retried = await rt.invoke('confirm-posting', state);

    const ships = callsFor('/v4/posting/fbs/ship', state.postingNumber);
    expect(ships.map((c) => c.status)).toEqual([200, 400]);
    // The retry counts as the same first attempt (the count rides in the execution state), and a first ship writes
    // nothing on the order.
    expect(retried).toMatchObject({ postingNumber: state.postingNumber, shipAttempts: 1 });
    expect(await getOrder(state.postingNumber)).toMatchObject({
      phase: beforeShip?.phase,
      substatus: beforeShip?.substatus,
    });
  });

  it('cancel-posting: one cancel on Ozon (the retry reads the posting first and finds it cancelled), stock released once', async () => {
    const before = await stock();
    const state = await receivedPosting(2);
    await rt.invoke('reserve-stock', state);
    const reserved = await getOrder(state.postingNumber);

    await rt.invoke('cancel-posting', { postingNumber: state.postingNumber });
    // The crash: Ozon cancelled the posting, but the order still looks open and reserved.
    await updateOrder(state.postingNumber, {
      status: reserved?.status,
      phase: reserved?.phase,
      cancellation: undefined,
    });
    await rt.invoke('cancel-posting', { postingNumber: state.postingNumber });

    const cancels = callsFor('/v2/posting/fbs/cancel', state.postingNumber);
    expect(cancels.map((c) => c.status)).toEqual([200]);
    expect(rt.sandbox?.posting(state.postingNumber)).toMatchObject({ status: 'cancelled' });
    const after = await stock();
    expect(after).toMatchObject({ available: before?.available, reserved: before?.reserved });
    expect(await getOrder(state.postingNumber)).toMatchObject({ phase: 'cancelled', status: 'cancelled' });
  });

  it('release-stock: the units come back once, and only when Ozon confirms the cancellation', async () => {
    const before = await stock();
    const state = await receivedPosting(4);
    await rt.invoke('reserve-stock', state);

    // Not cancelled on Ozon: nothing is released, the posting rejoins the lifecycle.
    const unconfirmed = await rt.invoke('release-stock', { postingNumber: state.postingNumber });
    const stillReserved = await stock();
    rt.sandbox?.cancelByBuyer(state.postingNumber);
    await rt.invoke('release-stock', { postingNumber: state.postingNumber });
    await rt.invoke('release-stock', { postingNumber: state.postingNumber });

    expect(unconfirmed).toMatchObject({ cancelled: false, joinAt: 'reserve' });
    expect(stillReserved).toMatchObject({
      available: (before?.available ?? 0) - 4,
      reserved: (before?.reserved ?? 0) + 4,
    });
    expect(await stock()).toMatchObject({ available: before?.available, reserved: before?.reserved });
  });
});
