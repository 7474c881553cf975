/**
 * Durable local mode: `npm start -- --orders 40 --data-dir D` killed with `kill -9` of its whole process group
 * halfway through, then `npm start -- --data-dir D --exit --json`. Every posting completes, the summary covers the
 * postings and Ozon calls from before the restart, nothing is cancelled, no posting is shipped twice, and no JVM of
 * the data dir outlives the kill.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../local/report';
import { ROOT, spawnTsx } from '../support/child';
import { tally, waitUntil } from './helpers';

const POSTINGS = 40;
const dataDir = mkdtempSync(path.join(tmpdir(), 'ozon-autopilot-restart-'));
const children: ChildProcess[] = [];

/** The CLI as `npm start` runs it, in its own process group (pgid = pid), with its output kept. */
const startCli = (args: string[]) =>
  spawnTsx([path.join(ROOT, 'local/cli.ts'), 'run', ...args], children, { detached: true });

const readLines = <T>(file: string): T[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as T];
          } catch {
            return [];
          }
        })
    : [];

interface JournalLine {
  kind: string;
  name: string;
  type?: string;
  state?: string;
  at: number;
}

/** From the engine's journal: executions that entered a state after ReserveStock, and those not ended yet. */
function journalProgress() {
  const lines = readLines<JournalLine>(path.join(dataDir, 'executions.jsonl'));
  const early = new Set(['ReceivePosting', 'JoinLifecycle', 'ReserveStock']);
  const past = new Set(lines.filter((l) => l.type === 'StateEntered' && !early.has(l.state ?? '')).map((l) => l.name));
  const started = new Set(lines.filter((l) => l.kind === 'started').map((l) => l.name));
  const ended = new Set(lines.filter((l) => l.kind === 'ended').map((l) => l.name));
  return { past: past.size, started: started.size, running: [...started].filter((n) => !ended.has(n)).length };
}

/** The executions not ended yet, each with the last state it entered: what a resumed run left waiting. */
function stuckStates(): string {
  const lines = readLines<JournalLine>(path.join(dataDir, 'executions.jsonl'));
  const ended = new Set(lines.filter((l) => l.kind === 'ended').map((l) => l.name));
  const last = new Map<string, string>();
  for (const l of lines) if (l.type === 'StateEntered' && !ended.has(l.name)) last.set(l.name, l.state ?? '?');
  return [...last].map(([name, state]) => `${name}: ${state}`).join('; ') || 'none';
}

/** Processes whose command line names this data dir's DynamoDB path: DynamoDB Local's JVM. */
function jvmsOfDataDir(): number[] {
  const dbPath = path.join(dataDir, 'dynamodb');
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(dbPath);
      } catch {
        return false;
      }
    })
    .map(Number);
}

afterAll(() => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start with a data dir survives kill -9 of its process group', () => {
  it('resumes every posting in flight: 40 completed, nothing cancelled, no posting shipped twice', async () => {
    // Prepare: a run with 40 postings, killed with its whole group once it is well under way.
    const first = startCli(['--orders', String(POSTINGS), '--data-dir', dataDir]);
    await waitUntil(
      () => {
        const p = journalProgress();
        return p.past >= 15 && p.running > 0;
      },
      120_000,
      () => `journal ${JSON.stringify(journalProgress())}; CLI said: ${first.output.stderr.slice(-1500)}`,
    );
    process.kill(-(first.child.pid as number), 'SIGKILL');
    await first.exited;
    const atKill = journalProgress();
    await waitUntil(
      () => jvmsOfDataDir().length === 0,
      15_000,
      () => `DynamoDB Local of ${dataDir} still running: pids ${jvmsOfDataDir().join(', ')}`,
    );
    const beforeRestart = readLines<JournalLine>(path.join(dataDir, 'executions.jsonl'));
    const lastTimeBefore = Math.max(...beforeRestart.map((l) => l.at));

    // Act: the same data dir again, until every posting is terminal.
    // Bounded, not timed: a busy shared machine may need simulated weeks (a posting's payout wait ends at its
    // settlement window if no sweep settles it first); every posting must still end Completed.
    const second = startCli(['--data-dir', dataDir, '--exit', '--json', '--timeout', '300']);
    const code = await second.exited;

    // Assess: the summary covers all 40 postings, those from before the kill included.
    const lastLine = second.output.stdout.trim().split('\n').at(-1) ?? '';
    expect(lastLine.startsWith('{'), `no JSON summary; stderr: ${second.output.stderr.slice(-2000)}`).toBe(true);
    const summary = JSON.parse(lastLine) as RunSummary;
    expect(atKill.running, 'the kill came before every posting had finished').toBeGreaterThan(0);
    expect(summary.postings).toBe(POSTINGS);
    expect(summary.byFinalState, `still running: ${stuckStates()}`).toEqual({ Completed: POSTINGS });
    expect(code).toBe(0);
    expect(summary.ozonCalls.byPath['/v2/posting/fbs/cancel'] ?? 0).toBe(0);
    // Ship calls made before the kill are in the summary: every posting was shipped once.
    expect(summary.ozonCalls.byPath['/v4/posting/fbs/ship'] ?? 0).toBeGreaterThanOrEqual(POSTINGS);
    expect(second.output.stderr).toMatch(/executions, [1-9]\d* resumed/);

    // Ozon accepted at most one ship per posting, across both runs (the sandbox's own call log).
    const calls = readLines<{ path: string; status: number; postingNumbers: string[] }>(
      path.join(dataDir, 'sandbox-calls.jsonl'),
    );
    const accepted = calls.filter((c) => c.path === '/v4/posting/fbs/ship' && c.status === 200);
    const twice = Object.entries(tally(accepted, (c) => c.postingNumbers.join())).filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    expect(new Set(accepted.map((c) => c.postingNumbers.join())).size).toBe(POSTINGS);

    // The clock went on from where it was: no execution resumed at a time before the last entry before the kill.
    const resumedAt = readLines<JournalLine>(path.join(dataDir, 'executions.jsonl'))
      .filter((l) => l.type === 'ExecutionResumed')
      .map((l) => l.at);
    expect(resumedAt.length).toBe(atKill.running);
    expect(Math.min(...resumedAt)).toBeGreaterThanOrEqual(lastTimeBefore);
    expect(jvmsOfDataDir()).toEqual([]);
    // Longer than the resumed run's own bound (300 s), so a run that does not finish says where it stopped.
  }, 420_000);
});
