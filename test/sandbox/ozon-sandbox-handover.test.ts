/**
 * The FBS handover day: /v2/carriage/delivery/list, acts (carriages) and their documents, the hand-over at the
 * carriage's cutoff, removed_from_act, label tasks, and their state-file round trip.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, type OzonSandbox } from '../../sandbox/index.js';
import { call, get, HOUR, type Json, onCleanup, receiver, runCleanups, shipBody, start, waitFor } from './helpers.js';

afterEach(runCleanups);

const FBS_WH = 1020000075732000;
const RFBS_WH = 1020000075733000;
/** the FBS warehouse's delivery method (delivery_method.id of its postings) */
const FBS_DM = FBS_WH + 1;
const MINUTE = 60_000;
/** manualClock starts at 2026-01-15T09:00Z; the default SLA (24 h) makes postings due on the 16th */
const DAY1 = '2026-01-16';
const CUTOFF1 = Date.parse('2026-01-16T13:00:00Z');
const CUTOFF2 = Date.parse('2026-01-17T13:00:00Z');

const list = async (sb: OzonSandbox, filter: Json = { departure_date: DAY1 }) =>
  (await call(sb, '/v2/carriage/delivery/list', { limit: 100, filter })).body;
const act = (sb: OzonSandbox, path: string, id: number) => call(sb, `/v2/posting/fbs/act/${path}`, { id });
const createAct = (sb: OzonSandbox, body: Json = {}) =>
  call(sb, '/v2/posting/fbs/act/create', { delivery_method_id: FBS_DM, departure_date: DAY1, ...body });
const ship = async (sb: OzonSandbox, pn: string) =>
  expect((await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json))).status).toBe(200);
const statusOf = (sb: OzonSandbox, pn: string) => (sb.posting(pn) as Json).status;
const statesOf = (got: Json[], pn: string) =>
  got.filter((g) => g.posting_number === pn && g.message_type === 'TYPE_STATE_CHANGED').map((g) => g.new_state);
const text = (b: Json) => Buffer.from(b as unknown as Buffer).toString('latin1');

describe('/v2/carriage/delivery/list', () => {
  it('one entry per FBS delivery method and departure date with postings; counts follow the assembly', async () => {
    const { sb, clock } = await start();
    const a = sb.createPosting().posting_number;
    const b = sb.createPosting().posting_number;
    sb.createPosting({ schema: 'rfbs' }); // rFBS: not in the FBS carriages

    const before = await list(sb);
    expect(before).toMatchObject({ has_next: false, cursor: '' });
    expect(before.methods).toHaveLength(1);
    expect(before.methods[0]).toMatchObject({
      delivery_method_id: FBS_DM,
      delivery_method_name: 'Ozon Логистика курьеру, Склад FBS Москва',
      warehouse_id: FBS_WH,
      warehouse_name: 'Склад FBS Москва',
      departure_date: '2026-01-16T00:00:00.000Z',
      cutoff_at: '2026-01-16T13:00:00.000Z',
      mandatory_postings_count: 2,
      mandatory_packaged_count: 0,
      carriage_postings_count: 0,
      carriages: [],
      errors: [],
      is_rfbs: false,
      integration_type: 'ozon',
    });
    // the departure_date filter takes a date-time too; the default is today (the 15th: nothing due)
    expect((await list(sb, { departure_date: '2026-01-16T10:00:00Z' })).methods).toHaveLength(1);
    expect((await list(sb, {})).methods).toEqual([]);
    expect((await list(sb, { departure_date: DAY1, delivery_method_id: RFBS_WH + 2 })).methods).toEqual([]);
    expect((await call(sb, '/v2/carriage/delivery/list', { filter: {} })).status).toBe(400); // limit required

    await ship(sb, a);
    expect((await list(sb)).methods[0].mandatory_packaged_count).toBe(0); // still assembling
    clock.advance(30_000);
    expect((await list(sb)).methods[0]).toMatchObject({ mandatory_postings_count: 2, mandatory_packaged_count: 1 });
    // a due posting still to be packaged before the cutoff: no act yet
    expect((await createAct(sb)).body).toEqual({ code: 3, message: 'not_packaged', details: [] });

    await ship(sb, b);
    clock.advance(30_000);
    expect((await list(sb)).methods[0]).toMatchObject({ mandatory_postings_count: 2, mandatory_packaged_count: 2 });
    await call(sb, '/v2/posting/fbs/cancel', { posting_number: b, cancel_reason_id: 352 });
    expect((await list(sb)).methods[0]).toMatchObject({ mandatory_postings_count: 1, mandatory_packaged_count: 1 });
  });
});

describe('acts (carriages)', () => {
  it('create -> in_process -> ready, documents, then the carriage hands its postings over at the cutoff', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url });
    const a = sb.createPosting({ lines: [{ offer_id: 'MUG-350-WHT', quantity: 2 }] }).posting_number;
    const b = sb.createPosting().posting_number;
    await ship(sb, a);
    await ship(sb, b);
    clock.advance(30_000);
    const assembledAt = clock.now();

    const created = await createAct(sb);
    expect(created.status).toBe(200);
    const id = created.body.result.id as number;
    expect(Number.isSafeInteger(id)).toBe(true);
    // a second create for the same method and date answers the same carriage
    expect((await createAct(sb, { departure_date: '2026-01-16T08:00:00Z' })).body).toEqual({ result: { id } });
    // the FBS warehouse_id names its delivery method too (docs)
    expect((await createAct(sb, { delivery_method_id: FBS_WH })).body).toEqual({ result: { id } });

    expect((await act(sb, 'check-status', id)).body.result).toEqual({
      status: 'in_process',
      added_to_act: [a, b],
      removed_from_act: [],
      act_type: 'ozon_digital',
      is_partial: false,
      has_postings_for_next_carriage: false,
      partial_num: 0,
    });
    for (const path of ['get-pdf', 'get-barcode', 'get-barcode/text'])
      expect((await act(sb, path, id)).body).toEqual({ code: 3, message: 'Incorrect_carriage_status', details: [] });
    expect((await list(sb)).methods[0]).toMatchObject({
      carriage_postings_count: 2,
      carriages: [{ id, status: 'in_process', postings_count: 2, available_actions: [] }],
    });

    clock.advance(MINUTE); // timing.actForming
    expect((await act(sb, 'check-status', id)).body.result).toMatchObject({
      status: 'ready',
      added_to_act: [a, b],
      removed_from_act: [],
    });
    const pdf = await act(sb, 'get-pdf', id);
    expect([pdf.status, pdf.ct]).toEqual([200, 'application/pdf']);
    expect(text(pdf.body)).toMatch(/^%PDF-1\.4\n[\s\S]*%%EOF\n$/);
    expect(text(pdf.body)).toContain(a);
    const png = await act(sb, 'get-barcode', id);
    expect([png.status, png.ct]).toEqual([200, 'image/png']);
    expect(Buffer.from(png.body as unknown as Buffer).subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect((await act(sb, 'get-barcode/text', id)).body).toEqual({ result: `OZN${id}` });
    const postings = (await act(sb, 'get-postings', id)).body.result as Json[];
    expect(postings.map((p) => p.posting_number)).toEqual([a, b]);
    expect(postings[0]).toMatchObject({
      id,
      multi_box_qty: 1,
      status: 'awaiting_deliver',
      seller_error: '',
      products: [{ offer_id: 'MUG-350-WHT', quantity: 2, sku: 1473290011, price: '490.00' }],
    });
    const acts = await call(sb, '/v2/posting/fbs/act/list', {
      filter: { date_from: '2026-01-15', date_to: '2026-01-15' },
      limit: 50,
    });
    expect(acts.body.result).toEqual([
      expect.objectContaining({
        id,
        delivery_method_id: FBS_DM,
        integration_type: 'ozon',
        status: 'formed',
        containers_count: 0,
        departure_date: '2026-01-16T00:00:00.000Z',
        related_docs: expect.objectContaining({
          act_of_acceptance: { created_at: new Date(assembledAt).toISOString(), document_status: 'FORMED' },
        }),
      }),
    ]);
    const sended = { filter: { date_from: '2026-01-15', date_to: '2026-01-16', status: ['sended'] }, limit: 50 };
    expect((await call(sb, '/v2/posting/fbs/act/list', sended)).body.result).toEqual([]);
    expect(
      (
        await call(sb, '/v2/posting/fbs/act/list', {
          filter: { date_from: '2026-01-16', date_to: '2026-01-17' },
          limit: 50,
        })
      ).body.result,
    ).toEqual([]);

    // the carriage replaces the postings' own timing.handover (2 h after assembly) ...
    clock.advance(2 * HOUR);
    expect([statusOf(sb, a), statusOf(sb, b)]).toEqual(['awaiting_deliver', 'awaiting_deliver']);
    // ... a posting assembled after the act was made is in no carriage: it still hands over by timing.handover
    const late = sb.createPosting().posting_number;
    await ship(sb, late);
    clock.advance(30_000 + 2 * HOUR);
    expect(statusOf(sb, late)).toBe('delivering');

    // at the cutoff every posting still awaiting_deliver in the act leaves, with the usual pushes
    clock.advance(CUTOFF1 - clock.now() - 1);
    expect(statusOf(sb, a)).toBe('awaiting_deliver');
    clock.advance(1);
    expect([statusOf(sb, a), statusOf(sb, b)]).toEqual(['delivering', 'delivering']);
    expect((await get(sb, a)).delivering_date).toBe('2026-01-16T13:00:00.000Z');
    await waitFor(() => [a, b].every((pn) => statesOf(rx.got, pn).includes('posting_on_way_to_city')));
    expect(statesOf(rx.got, a)).toEqual(['posting_transferring_to_delivery', 'posting_on_way_to_city']);
    expect((await act(sb, 'check-status', id)).body.result.status).toBe('ready');
    expect((await list(sb)).methods[0].carriages[0]).toMatchObject({
      status: 'sended',
      postings_count: 2,
      available_actions: ['get_shipping_list'],
    });
    expect((await call(sb, '/v2/posting/fbs/act/list', sended)).body.result[0]).toMatchObject({
      id,
      status: 'sended',
      related_docs: { act_of_acceptance: { document_status: 'CONFIRMED' } },
    });
    expect((await act(sb, 'get-pdf', id)).status).toBe(200); // documents stay available once sent
    clock.advance(24 * HOUR);
    expect(statusOf(sb, a)).toBe('delivered');
  });

  it('refusals, and after the cutoff the act takes what is packaged', async () => {
    const { sb, clock } = await start({ timing: { handover: 48 * HOUR } });
    const refuse = async (body: Json) => (await createAct(sb, body)).body.message;
    expect(await refuse({})).toBe('no_postings');
    const a = sb.createPosting().posting_number;
    const b = sb.createPosting().posting_number;
    expect(await refuse({ delivery_method_id: 42 })).toBe('DELIVERY_METHOD_NOT_FOUND');
    expect(await refuse({ delivery_method_id: RFBS_WH + 2 })).toBe('non_carriageable');
    expect(await refuse({ departure_date: '2026-01-14' })).toBe('outdated');
    expect(await refuse({ departure_date: undefined })).toBe('no_postings'); // today (the 15th): nothing due
    expect(await refuse({ containers_count: 2 })).toBe(
      'Trying set ContainersCount to not HasEntrustedAcceptance company',
    );
    expect(await refuse({})).toBe('not_packaged');
    const bad = await call(sb, '/v2/posting/fbs/act/create', { departure_date: DAY1 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^invalid request payload: delivery_method_id: /);
    expect((await act(sb, 'check-status', 123)).body).toEqual({ code: 5, message: 'CARRIAGE_NOT_FOUND', details: [] });
    expect((await act(sb, 'get-postings', 123)).status).toBe(404);

    await ship(sb, a);
    clock.advance(CUTOFF1 - clock.now() + MINUTE); // past the cutoff: b was never packaged
    const created = await createAct(sb);
    expect(created.status).toBe(200);
    const id = created.body.result.id as number;
    expect((await act(sb, 'check-status', id)).body.result.added_to_act).toEqual([a]);
    // formed after timing.actForming; the cutoff has passed, so it leaves at once
    clock.advance(MINUTE - 1);
    expect(statusOf(sb, a)).toBe('awaiting_deliver');
    clock.advance(1);
    expect([statusOf(sb, a), statusOf(sb, b)]).toEqual(['delivering', 'awaiting_packaging']);
  });

  it('entrusted acceptance takes containers_count; actHandover holds the hand-over after forming', async () => {
    const { sb, clock } = await start({
      warehouses: [
        { warehouse_id: FBS_WH, name: 'Склад FBS Москва', is_rfbs: false, cutoff: '09:30', entrustedAcceptance: true },
        { warehouse_id: RFBS_WH, name: 'Склад rFBS Москва (своя доставка)', is_rfbs: true },
      ],
      timing: { actForming: 5 * MINUTE, actHandover: HOUR, shipmentSla: HOUR },
    });
    const pn = sb.createPosting().posting_number; // due today, the 15th
    expect((await list(sb, {})).methods[0]).toMatchObject({
      cutoff_at: '2026-01-15T09:30:00.000Z',
      has_entrusted_acceptance: true,
    });
    await ship(sb, pn);
    clock.advance(30_000);
    const id = (await createAct(sb, { departure_date: undefined, containers_count: 3 })).body.result.id as number;
    expect((await call(sb, '/v2/posting/fbs/act/list', { limit: 1 })).body.result[0]).toMatchObject({
      id,
      containers_count: 3,
    });
    // formed at 09:05:30; the cutoff (09:30) is sooner than forming + 1 h: it leaves at 10:05:30
    clock.advance(5 * MINUTE + HOUR - 1);
    expect(statusOf(sb, pn)).toBe('awaiting_deliver');
    clock.advance(1);
    expect(statusOf(sb, pn)).toBe('delivering');
    await expect(
      start({ warehouses: [{ warehouse_id: 1, name: 'x', is_rfbs: false, cutoff: '25:00' }] }),
    ).rejects.toThrow(/cutoff must be "HH:MM"/);
  });
});

describe('removedFromAct', () => {
  it('is added, then removed when the act forms, and goes with the next day’s carriage', async () => {
    const rx = await receiver();
    const { sb, clock } = await start({ pushUrl: rx.url, timing: { handover: 48 * HOUR } });
    const a = sb.createPosting().posting_number;
    const b = sb.createPosting({ removedFromAct: true }).posting_number;
    await ship(sb, a);
    await ship(sb, b);
    clock.advance(30_000);
    const id = (await createAct(sb)).body.result.id as number;
    expect((await act(sb, 'check-status', id)).body.result).toMatchObject({
      added_to_act: [a, b],
      removed_from_act: [],
    });

    clock.advance(MINUTE);
    expect((await act(sb, 'check-status', id)).body.result).toMatchObject({
      status: 'ready',
      added_to_act: [a],
      removed_from_act: [b],
    });
    expect((await act(sb, 'get-postings', id)).body.result.map((p: Json) => p.posting_number)).toEqual([a]);
    const moved = await get(sb, b);
    expect(moved).toMatchObject({ status: 'awaiting_deliver', shipment_date: '2026-01-17T09:00:00.000Z' });
    expect((await list(sb)).methods[0]).toMatchObject({
      mandatory_postings_count: 1,
      carriages: [{ id, postings_count: 1 }],
    });
    expect((await list(sb, { departure_date: '2026-01-17' })).methods[0]).toMatchObject({
      mandatory_postings_count: 1,
      mandatory_packaged_count: 1,
      carriages: [],
    });

    clock.advance(CUTOFF1 - clock.now());
    expect([statusOf(sb, a), statusOf(sb, b)]).toEqual(['delivering', 'awaiting_deliver']);

    // the next day's carriage (made on the 16th for the 17th) keeps it
    const next = await createAct(sb, { departure_date: '2026-01-17' });
    const id2 = next.body.result.id as number;
    expect(id2).not.toBe(id);
    clock.advance(MINUTE);
    expect((await act(sb, 'check-status', id2)).body.result).toMatchObject({ added_to_act: [b], removed_from_act: [] });
    clock.advance(CUTOFF2 - clock.now() - 1);
    expect(statusOf(sb, b)).toBe('awaiting_deliver');
    clock.advance(1);
    expect(statusOf(sb, b)).toBe('delivering');
    await waitFor(() => statesOf(rx.got, b).includes('posting_on_way_to_city'));
  });

  it('without a next act it hands over by timing.handover, not before the next day’s cutoff', async () => {
    const { sb, clock } = await start(); // timing.handover 2 h
    const b = sb.createPosting({ removedFromAct: true }).posting_number;
    await ship(sb, b);
    clock.advance(30_000);
    const id = (await createAct(sb)).body.result.id as number;
    clock.advance(MINUTE);
    expect((await act(sb, 'check-status', id)).body.result.removed_from_act).toEqual([b]);
    clock.advance(CUTOFF1 - clock.now() + 2 * HOUR);
    expect(statusOf(sb, b)).toBe('awaiting_deliver'); // the carriage of the 16th left without it
    clock.advance(CUTOFF2 - clock.now() - 1);
    expect(statusOf(sb, b)).toBe('awaiting_deliver');
    clock.advance(1);
    expect(statusOf(sb, b)).toBe('delivering');
    expect(() => sb.createPosting({ schema: 'rfbs', removedFromAct: true })).toThrow(/FBS/);
    expect(() => sb.createPosting({ labelUnprinted: -1 })).toThrow(/labelUnprinted/);
  });
});

describe('label tasks', () => {
  it('pending -> in_progress -> completed with a file_url that downloads the PDF; unprinted postings', async () => {
    const { sb, clock } = await start();
    const a = sb.createPosting({ startAt: 'awaiting_deliver' }).posting_number;
    const b = sb.createPosting({ startAt: 'awaiting_deliver', labelUnprinted: 1 }).posting_number;
    const c = sb.createPosting().posting_number; // awaiting_packaging
    const d = sb.createPosting({ startAt: 'delivered' }).posting_number;

    const created = await call(sb, '/v2/posting/fbs/package-label/create', { posting_number: [a, b, c, d] });
    expect(created.status).toBe(200);
    const tasks = created.body.result.tasks as Json[];
    expect(tasks.map((t) => t.task_type)).toEqual(['big_label', 'small_label']);
    const getTask = async (taskId: number) =>
      (await call(sb, '/v1/posting/fbs/package-label/get', { task_id: taskId })).body.result as Json;
    const big = tasks[0]?.task_id as number;
    expect(await getTask(big)).toEqual({
      status: 'pending',
      error: '',
      file_url: '',
      printed_postings_count: 0,
      unprinted_postings: [],
      unprinted_postings_count: 0,
    });
    clock.advance(15_000);
    expect((await getTask(big)).status).toBe('in_progress');
    clock.advance(15_000);
    const done = await getTask(big);
    expect(done).toMatchObject({
      status: 'completed',
      error: '',
      printed_postings_count: 1,
      unprinted_postings_count: 3,
      unprinted_postings: [
        { posting_number: b, msg: "The next postings aren't ready" },
        { posting_number: c, msg: "The next postings aren't ready" },
        { posting_number: d, msg: 'label not allowed for delivered postings' },
      ],
    });
    expect(done.file_url).toBe(`${sb.url}/sandbox/files/package-label/${big}.pdf`);
    const file = await fetch(done.file_url); // no Client-Id / Api-Key
    expect([file.status, file.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    const body = Buffer.from(await file.arrayBuffer()).toString('latin1');
    expect(body).toMatch(/^%PDF-1\.4\n[\s\S]*%%EOF\n$/);
    expect(body).toContain(a);
    expect(body).not.toContain(b);
    expect((await getTask(tasks[1]?.task_id as number)).printed_postings_count).toBe(1);
    expect(sb.calls.some((x) => x.path.startsWith('/sandbox/files'))).toBe(false);

    // b was left unprinted once: the next task prints it
    const again = (await call(sb, '/v2/posting/fbs/package-label/create', { posting_number: [b] })).body.result;
    clock.advance(30_000);
    expect(await getTask(again.tasks[0].task_id)).toMatchObject({
      status: 'completed',
      printed_postings_count: 1,
      unprinted_postings: [],
    });
    // nothing printable: the task ends in error, no file
    const none = (await call(sb, '/v2/posting/fbs/package-label/create', { posting_number: [c] })).body.result;
    const noneId = none.tasks[0].task_id as number;
    expect((await fetch(`${sb.url}/sandbox/files/package-label/${noneId}.pdf`)).status).toBe(404);
    clock.advance(30_000);
    expect(await getTask(noneId)).toMatchObject({
      status: 'error',
      error: 'NO_POSTINGS_FOR_BATCH_DOWNLOAD',
      file_url: '',
      printed_postings_count: 0,
      unprinted_postings_count: 1,
    });
    expect((await fetch(`${sb.url}/sandbox/files/package-label/${noneId}.pdf`)).status).toBe(404);

    // errors
    const unknownTask = await call(sb, '/v1/posting/fbs/package-label/get', { task_id: 1 });
    expect([unknownTask.status, unknownTask.body.message]).toEqual([404, 'TASK_NOT_FOUND']);
    const unknownPosting = await call(sb, '/v2/posting/fbs/package-label/create', { posting_number: [a, 'nope'] });
    expect(unknownPosting.body).toEqual({ code: 3, message: 'POSTING_NUMBERS_IS_INCORRECT_FOR_COMPANY', details: [] });
    const tooMany = Array.from({ length: 21 }, () => a);
    expect((await call(sb, '/v2/posting/fbs/package-label/create', { posting_number: tooMany })).status).toBe(400);
    expect((await call(sb, '/v2/posting/fbs/package-label/create', { posting_number: [] })).status).toBe(400);

    // the one-call label: a held-back posting fails the whole call (the docs' "one bad posting fails the batch"),
    // without counting down; once label tasks used the count up, it prints
    const e = sb.createPosting({ startAt: 'awaiting_deliver', labelUnprinted: 1 }).posting_number;
    const f = sb.createPosting({ startAt: 'awaiting_deliver' }).posting_number;
    const refused = await call(sb, '/v2/posting/fbs/package-label', { posting_number: [f, e] });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("The next postings aren't ready");
    expect((await call(sb, '/v2/posting/fbs/package-label', { posting_number: [e] })).status).toBe(400);
    await call(sb, '/v2/posting/fbs/package-label/create', { posting_number: [e] });
    const sync = await call(sb, '/v2/posting/fbs/package-label', { posting_number: [f, e] });
    expect([sync.status, sync.ct]).toEqual([200, 'application/pdf']);
  });
});

describe('state file', () => {
  function tempDir() {
    const dir = mkdtempSync(join(tmpdir(), 'ozon-sandbox-handover-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }
  const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;

  it('carriages, their pending hand-over and label tasks survive a kill -9; older files restore with defaults', async () => {
    const dir = tempDir();
    const file = join(dir, 'state.json');
    const rx = await receiver();
    const { sb: a, clock: clockA } = await start({ stateFile: file, pushUrl: rx.url });
    const p1 = a.createPosting().posting_number;
    const p2 = a.createPosting({ removedFromAct: true }).posting_number;
    const p3 = a.createPosting({ startAt: 'awaiting_deliver', labelUnprinted: 2 }).posting_number;
    await ship(a, p1);
    await ship(a, p2);
    clockA.advance(30_000);
    const id = (await createAct(a)).body.result.id as number;
    const label = (await call(a, '/v2/posting/fbs/package-label/create', { posting_number: [p3, p1] })).body.result;
    const taskId = label.tasks[0].task_id as number;
    clockA.advance(MINUTE);
    await Promise.resolve();

    const killed = join(dir, 'killed.json');
    copyFileSync(file, killed);
    const before = readJson(killed);
    expect(before).toEqual(a.snapshot());
    expect(before.handover.carriages).toEqual([
      expect.objectContaining({
        id,
        status: 'formed',
        departure_date: DAY1,
        postings: [p1, p2, p3],
        removed: [p2],
        pending: [{ kind: 'handover', due: CUTOFF1 }],
      }),
    ]);
    expect(before.handover.labelTasks).toHaveLength(2);
    const posting = (pn: string) => (before.postings as Json[]).find((p) => p.posting_number === pn);
    expect(posting(p1)).toMatchObject({ carriageId: id, removedFromAct: false, labelUnprinted: 0, pending: [] });
    expect(posting(p2)).toMatchObject({ carriageId: null, removedFromAct: false });
    expect(posting(p3)).toMatchObject({ carriageId: id, labelUnprinted: 1 });

    const clockB = manualClock(before.savedAt + MINUTE);
    const { sb: b } = await start({ stateFile: killed, pushUrl: rx.url, clock: clockB });
    expect((b.snapshot() as Json).handover).toEqual(before.handover);
    expect((b.snapshot() as Json).postings).toEqual(before.postings);
    expect((await act(b, 'check-status', id)).body.result).toMatchObject({
      status: 'ready',
      added_to_act: [p1, p3],
      removed_from_act: [p2],
    });
    const task = (await call(b, '/v1/posting/fbs/package-label/get', { task_id: taskId })).body.result;
    expect(task).toMatchObject({ status: 'completed', printed_postings_count: 1, unprinted_postings_count: 1 });
    expect(task.file_url.startsWith(b.url)).toBe(true);
    expect((await fetch(task.file_url)).status).toBe(200);
    // ids never repeat after a restart
    const more = (await call(b, '/v2/posting/fbs/package-label/create', { posting_number: [p3] })).body.result;
    expect(more.tasks.map((t: Json) => t.task_id)).not.toContain(taskId);
    expect(more.tasks[0].task_id).toBeGreaterThan(label.tasks[1].task_id);

    // the restored carriage leaves at its cutoff
    clockB.advance(CUTOFF1 - clockB.now());
    expect([statusOf(b, p1), statusOf(b, p2), statusOf(b, p3)]).toEqual([
      'delivering',
      'awaiting_deliver',
      'delivering',
    ]);
    await waitFor(() => statesOf(rx.got, p3).includes('posting_on_way_to_city'));

    // a file written before carriages and label tasks existed still restores
    const old = readJson(killed);
    delete old.handover;
    for (const p of old.postings as Json[]) {
      delete p.removedFromAct;
      delete p.labelUnprinted;
      delete p.carriageId;
    }
    const oldFile = join(dir, 'old.json');
    writeFileSync(oldFile, JSON.stringify(old));
    const { sb: c } = await start({ stateFile: oldFile, clock: manualClock(before.savedAt) });
    const restored = c.snapshot() as Json;
    expect(restored.handover).toEqual({ nextId: 1, carriages: [], labelTasks: [] });
    expect(restored.postings[0]).toMatchObject({ removedFromAct: false, labelUnprinted: 0, carriageId: null });
  });
});

describe('handoverByCarriage', () => {
  it('parcels leave only with their carriage; the shipment date is its cutoff from the start; a late one moves to the next day', async () => {
    const { url, got } = await receiver();
    const { sb, clock } = await start({ handoverByCarriage: true, pushUrl: url });
    const a = sb.createPosting().posting_number;
    const b = sb.createPosting().posting_number;
    // Planned for the 16th's carriage from the start: the shipment date is that cutoff.
    expect((sb.posting(a) as Json).shipment_date).toBe(new Date(CUTOFF1).toISOString());
    await ship(sb, a);
    clock.advance(30_000);
    // Placed in the carriage it was planned for: the date does not move, nothing is pushed.
    expect((sb.posting(a) as Json).shipment_date).toBe(new Date(CUTOFF1).toISOString());
    // No hand-over of its own: still waiting a day later, hours before the cutoff.
    clock.advance(CUTOFF1 - 3 * HOUR - clock.now());
    expect(statusOf(sb, a)).toBe('awaiting_deliver');
    // The day's assembly time has ended: the act takes what is assembled, b is not.
    clock.advance(2 * HOUR);
    const { result } = (await createAct(sb)).body;
    await ship(sb, b);
    clock.advance(30_000);
    // b was assembled after the act: the next day's carriage, pushed as Ozon's change.
    expect((sb.posting(b) as Json).shipment_date).toBe(new Date(CUTOFF2).toISOString());
    await waitFor(() => got.some((g) => g.message_type === 'TYPE_CUTOFF_DATE_CHANGED' && g.posting_number === b));
    expect(got.some((g) => g.message_type === 'TYPE_CUTOFF_DATE_CHANGED' && g.posting_number === a)).toBe(false);
    clock.advance(CUTOFF1 - clock.now());
    expect(statusOf(sb, a)).toBe('delivering');
    expect(statusOf(sb, b)).toBe('awaiting_deliver');
    expect((await act(sb, 'check-status', result.id)).body.result.added_to_act).toEqual([a]);
    // The next day's act takes b and hands it over at that cutoff.
    clock.advance(CUTOFF2 - HOUR - clock.now());
    expect((await createAct(sb, { departure_date: '2026-01-17' })).status).toBe(200);
    clock.advance(CUTOFF2 - clock.now());
    expect(statusOf(sb, b)).toBe('delivering');
  });

  it('a parcel whose carriage left without an act goes with the next carriage', async () => {
    const { sb, clock } = await start({ handoverByCarriage: true });
    const a = sb.createPosting().posting_number;
    await ship(sb, a);
    clock.advance(30_000);
    // Nobody makes the 16th's act: past its cutoff the parcel is still there, due with the 17th's carriage.
    clock.advance(CUTOFF1 + HOUR - clock.now());
    expect(statusOf(sb, a)).toBe('awaiting_deliver');
    expect((await list(sb, { departure_date: '2026-01-17' })).methods[0]).toMatchObject({
      mandatory_postings_count: 1,
    });
    const { result } = (await createAct(sb, { departure_date: '2026-01-17' })).body;
    clock.advance(CUTOFF2 - clock.now());
    expect((await act(sb, 'check-status', result.id)).body.result.added_to_act).toEqual([a]);
    expect(statusOf(sb, a)).toBe('delivering');
  });

  it('actRefusal: every act refused with the configured token', async () => {
    const { sb, clock } = await start({ actRefusal: 'has_postings_with_registration_error' });
    const a = sb.createPosting().posting_number;
    await ship(sb, a);
    clock.advance(CUTOFF1 - HOUR - clock.now());
    expect((await createAct(sb)).body).toEqual({
      code: 3,
      message: 'has_postings_with_registration_error',
      details: [],
    });
  });
});
