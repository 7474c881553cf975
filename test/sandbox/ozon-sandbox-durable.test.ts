/** Durable state (`stateFile`, `snapshot()`) and the runtime switches (`slow`, `setBlocked`, `setFaults`). */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../sandbox/index.js';
import { call, get, HOUR, type Json, onCleanup, receiver, runCleanups, shipBody, start, waitFor } from './helpers.js';

afterEach(runCleanups);

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'ozon-sandbox-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;
const statusIn = (state: Json, pn: string) => (state.postings as Json[]).find((p) => p.posting_number === pn);

describe('stateFile', () => {
  it('persists before answering and right after timer-driven changes, atomically', async () => {
    const dir = tempDir();
    const file = join(dir, 'state.json');
    const { sb, clock } = await start({ stateFile: file, preassembled: 2 });
    expect(readJson(file).postings.length).toBe(2); // written at start

    const pn = sb.createPosting().posting_number;
    await Promise.resolve(); // createPosting outside a request: written in the same tick
    expect(statusIn(readJson(file), pn)?.status).toBe('awaiting_packaging');

    const ship = await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json));
    expect(ship.status).toBe(200);
    // the answer came after the write: the file already has the assembly pending, as an absolute simulated time
    const shipped = statusIn(readJson(file), pn);
    expect(shipped).toMatchObject({ assembling: true, pending: [{ kind: 'assembled', due: clock.now() + 30_000 }] });

    clock.advance(30_000);
    await Promise.resolve();
    expect(statusIn(readJson(file), pn)).toMatchObject({
      status: 'awaiting_deliver',
      pending: [{ kind: 'handover', due: clock.now() + 2 * HOUR }],
    });
    expect(readJson(file)).toEqual(sb.snapshot());
    expect(readdirSync(dir)).toEqual(['state.json']); // no temp file left behind
  });

  it('a new sandbox started from the file of a killed one finishes the pending transitions, numbers never repeat', async () => {
    const dir = tempDir();
    const file = join(dir, 'state.json');
    const rx = await receiver();
    const { sb: a, clock: clockA } = await start({ stateFile: file, pushUrl: rx.url, preassembled: 1 });
    const assembling = a.createPosting().posting_number;
    const fresh = a.createPosting({ cancelByBuyerAfterMs: 3 * HOUR }).posting_number;
    const delivering = a.createPosting({ startAt: 'delivering' }).posting_number;
    const chat = await call(a, '/v1/chat/start', { posting_number: fresh });
    await call(a, '/v1/chat/send/message', { chat_id: chat.body.result.chat_id, text: 'Здравствуйте' });
    clockA.advance(HOUR);
    expect((await call(a, '/v4/posting/fbs/ship', shipBody(a.posting(assembling) as Json))).status).toBe(200);

    // kill -9 now: whatever the file holds is all that survives (a keeps running and writing its own file)
    const killed = join(dir, 'killed.json');
    copyFileSync(file, killed);
    const before = readJson(killed);
    expect(before).toEqual(a.snapshot());
    const seen = new Set((before.postings as Json[]).map((p) => p.posting_number as string));
    expect(seen.size).toBe(4);
    expect(before.postings.every((p: Json) => p.status === 'delivered' || p.pending.length > 0)).toBe(true);

    // restart later in simulated time: the assembly (due +30 s) is overdue and runs at once
    const clockB = manualClock(before.savedAt + 10 * 60_000);
    const { sb: b } = await start({ stateFile: killed, pushUrl: rx.url, clock: clockB, preassembled: 5 });
    const restored = b.snapshot() as Json;
    expect(restored.postings).toEqual(before.postings); // preassembled is ignored on restore
    expect(restored.chats).toEqual(before.chats);
    const list = await call(b, '/v4/posting/fbs/list', {
      limit: 100,
      filter: { since: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
    });
    expect(list.body.postings.map((p: Json) => p.posting_number).sort()).toEqual([...seen].sort());
    expect((await get(b, assembling)).available_actions).toContain('ship_async_in_process');

    clockB.advance(0);
    expect((await get(b, assembling)).status).toBe('awaiting_deliver');
    clockB.advance(2 * HOUR); // the buyer's cancellation was due 3 h after creation, at the old clock's +3 h
    expect((await get(b, fresh)).status).toBe('cancelled');
    clockB.advance(3 * 24 * HOUR);
    for (const pn of seen) if (pn !== fresh) expect((await get(b, pn)).status).toBe('delivered');
    expect((b.snapshot() as Json).postings.every((p: Json) => p.pending.length === 0)).toBe(true);
    await waitFor(() => rx.got.some((g) => g.posting_number === delivering && g.new_state === 'posting_delivered'));

    // the restarted RNG goes on where the killed one stopped: same next numbers as `a`, none seen before
    const next = Array.from({ length: 20 }, () => b.createPosting().posting_number);
    for (const pn of next) expect(seen.has(pn)).toBe(false);
    expect(new Set(next).size).toBe(20);
    expect(a.createPosting().posting_number).toBe(next[0]);
  });

  it('refuses a state file that is not a valid state, naming it', async () => {
    const file = join(tempDir(), 'broken.json');
    writeFileSync(file, '{"format":"ozon-sandbox-state","version":1}');
    await expect(start({ stateFile: file })).rejects.toThrow(/broken\.json is invalid/);
  });
});

describe('runtime faults', () => {
  it('slow: the answer is held back at least slowMs real ms; setFaults switches it at runtime', async () => {
    const { sb } = await start({ faults: { slow: 1, slowMs: 200 } });
    const pn = sb.createPosting().posting_number;
    const t0 = performance.now();
    const ship = await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
    expect(ship.status).toBe(200);
    expect((sb.posting(pn) as Json).available_actions).toContain('ship_async_in_process');

    sb.setFaults({ slow: 0, serverError: 1 });
    expect((await call(sb, '/v1/roles', {})).body).toEqual({ code: 13, message: 'Internal error', details: [] });
    sb.setFaults({ serverError: 0 });
    expect((await call(sb, '/v1/roles', {})).status).toBe(200);
  });

  it('setBlocked: every authenticated request gets 403 code 7 until unblocked, and changes nothing', async () => {
    const { sb } = await start();
    const pn = sb.createPosting().posting_number;
    sb.setBlocked(true);
    const roles = await call(sb, '/v1/roles', {});
    expect([roles.status, roles.body]).toEqual([403, { code: 7, message: 'client is blocked', details: [] }]);
    const ship = await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json));
    expect(ship.status).toBe(403);
    expect((sb.posting(pn) as Json).available_actions).toContain('ship');
    expect((await call(sb, '/v1/roles', {}, { 'Api-Key': 'nope' })).body.message).toBe(
      'Invalid Api-Key, please contact support',
    );
    expect((await fetch(`${sb.url}/v1/roles`, { method: 'POST', body: '{}' })).status).toBe(401);

    sb.setBlocked(false);
    expect((await call(sb, '/v4/posting/fbs/ship', shipBody(sb.posting(pn) as Json))).status).toBe(200);
  });
});
