/**
 * Restarts of the local runtime: the engine's journal resumes an execution at the state it was in, a wait with
 * the time it had left; DynamoDB Local (a JVM) never outlives the node process that started it, even killed with
 * `kill -9`; and `npm start -- --preassembled 10` follows postings assembled by hand before the product saw them.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compressedClock } from '../../local/clock';
import { ExecutionExistsError, type Handler, LocalStepFunctions } from '../../local/engine';
import type { Journal, JournalEntry } from '../../local/journal';
import type { RunSummary } from '../../local/report';
import { ROOT, spawnTsx } from '../support/child';

const children: ChildProcess[] = [];

const node = (args: string[]) => spawnTsx(args, children);

async function until(check: () => boolean, timeoutMs: number, describe: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True while `pid` is DynamoDB Local (a recycled pid running something else does not count). */
function isDynamoJvm(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal.jar');
  } catch {
    return false;
  }
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const ARN = 'arn:aws:states:eu-central-1:000000000000:stateMachine:Test';
const fn = (name: string) => `arn:aws:lambda:eu-central-1:000000000000:function:${name}`;
/** Prepare a step, a callback wait with a timeout and a step after it; a timed-out wait ends in TimedOut. */
const DEFINITION = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Task', Resource: fn('prepare'), ResultPath: null, Next: 'Wait' },
    Wait: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: fn('wait'),
        Payload: { 'token.$': '$$.Task.Token', 'timeoutSeconds.$': '$.timeoutSeconds' },
      },
      TimeoutSecondsPath: '$.timeoutSeconds',
      ResultPath: '$.waited',
      Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'TimedOut' }],
      Next: 'Finish',
    },
    Finish: { Type: 'Task', Resource: fn('finish'), End: true },
    TimedOut: { Type: 'Fail', Error: 'TimedOut' },
  },
};

/** An engine on the journal whose handlers record their calls, on a clock starting at `start`. */
function engineOn(journal: Journal, start: number) {
  const calls: { fn: string; payload: Record<string, unknown> }[] = [];
  const handler =
    (name: string): Handler =>
    async (payload) => {
      calls.push({ fn: name, payload: payload as Record<string, unknown> });
      return { ok: name };
    };
  // Slow enough that a loaded machine's pauses cost simulated seconds, not the wait's minutes the test measures.
  const clock = compressedClock(10, start);
  const engine = new LocalStepFunctions({
    definition: DEFINITION,
    stateMachineArn: ARN,
    handlers: new Map(['prepare', 'wait', 'finish'].map((n) => [fn(n), handler(n)])),
    clock,
    journal,
  });
  return { engine, calls, clock };
}

function memoryJournal(): Journal & { lines: JournalEntry[] } {
  const lines: JournalEntry[] = [];
  return { lines, append: (e) => lines.push(structuredClone(e)), entries: () => structuredClone(lines) };
}

describe('the engine resumes from its journal', () => {
  it('goes on in the state it was in, with what was left of the wait, and keeps AWS start semantics', async () => {
    // Prepare: an execution stopped (as by kill -9) while it waited its hour.
    const journal = memoryJournal();
    const first = engineOn(journal, Date.UTC(2026, 0, 1));
    first.engine.start('p1', JSON.stringify({ timeoutSeconds: 3600 }));
    await until(
      () => first.calls.some((c) => c.fn === 'wait'),
      5_000,
      () => JSON.stringify(first.calls),
    );
    await first.engine.stopAll();
    const stoppedAt = first.clock.now();

    // Act: a new engine on the journal, 20 simulated minutes later; the wait is then answered.
    const second = engineOn(journal, stoppedAt + 20 * 60_000);
    const restored = [...second.engine.executions.values()];
    const asRestored = restored.map((e) => [e.name, e.status]);
    const resumed = second.engine.resumeAll();
    await until(
      () => second.calls.some((c) => c.fn === 'wait'),
      5_000,
      () => JSON.stringify(second.calls),
    );
    const wait = second.calls.find((c) => c.fn === 'wait')?.payload ?? {};
    second.engine.sendTaskSuccess(String(wait.token), '{"done":true}');
    const execution = restored[0];
    await until(
      () => execution?.status !== 'RUNNING',
      5_000,
      () => JSON.stringify(execution?.history),
    );

    // Assess
    expect(first.calls.map((c) => c.fn)).toEqual(['prepare', 'wait']);
    expect(asRestored).toEqual([['p1', 'RUNNING']]);
    expect(resumed).toBe(1);
    // Prepare is not run again; the wait gets its hour minus the 20 minutes that passed (and the runs' own time).
    expect(second.calls.map((c) => c.fn)).toEqual(['wait', 'finish']);
    expect(Number(wait.timeoutSeconds)).toBeLessThanOrEqual(40 * 60);
    expect(Number(wait.timeoutSeconds)).toBeGreaterThan(30 * 60);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.history.map((h) => h.type)).toContain('ExecutionResumed');
    expect(() => second.engine.start('p1', JSON.stringify({ timeoutSeconds: 3600 }))).toThrow(ExecutionExistsError);
    expect(journal.lines.at(-1)).toMatchObject({ kind: 'ended', name: 'p1', status: 'SUCCEEDED' });

    // A third engine restores the ended execution as it was, and resumes nothing.
    const third = engineOn(journal, second.clock.now());
    expect([...third.engine.executions.values()].map((e) => [e.status, e.transitions])).toEqual([
      ['SUCCEEDED', execution?.transitions],
    ]);
    expect(third.engine.resumeAll()).toBe(0);
  });

  it('a wait whose time ran out while stopped times out at once on resume', async () => {
    // Prepare
    const journal = memoryJournal();
    const first = engineOn(journal, Date.UTC(2026, 0, 1));
    first.engine.start('p2', JSON.stringify({ timeoutSeconds: 3600 }));
    await until(
      () => first.calls.some((c) => c.fn === 'wait'),
      5_000,
      () => JSON.stringify(first.calls),
    );
    await first.engine.stopAll();

    // Act: two hours later.
    const second = engineOn(journal, first.clock.now() + 2 * 3600_000);
    second.engine.resumeAll();
    const execution = [...second.engine.executions.values()][0];
    await until(
      () => execution?.status !== 'RUNNING',
      5_000,
      () => JSON.stringify(execution?.history),
    );

    // Assess: the wait got the 1 s minimum, not its hour again.
    expect(second.calls.map((c) => [c.fn, c.payload.timeoutSeconds])).toEqual([['wait', 1]]);
    expect([execution?.status, execution?.error]).toEqual(['FAILED', 'TimedOut']);
  });

  it('an execution killed after its start but before its first state runs from the start, as resumed', async () => {
    // Prepare: only the start reached the journal (the kill came before the first StateEntered was written).
    const journal = memoryJournal();
    journal.append({
      kind: 'started',
      name: 'p3',
      input: JSON.stringify({ timeoutSeconds: 60 }),
      at: Date.UTC(2026, 0, 1),
    });

    // Act
    const second = engineOn(journal, Date.UTC(2026, 0, 1, 0, 5));
    const resumed = second.engine.resumeAll();
    await until(
      () => second.calls.some((c) => c.fn === 'wait'),
      5_000,
      () => JSON.stringify(second.calls),
    );

    // Assess: counted and journaled as resumed, and it runs its first step.
    const execution = [...second.engine.executions.values()][0];
    expect(resumed).toBe(1);
    expect(second.calls.map((c) => c.fn)).toEqual(['prepare', 'wait']);
    expect(execution?.history[0]?.type).toBe('ExecutionResumed');
    expect(journal.lines.filter((l) => l.kind === 'event' && l.type === 'ExecutionResumed')).toHaveLength(1);
    await second.engine.stopAll();
  });
});

describe('DynamoDB Local dies with the CLI', () => {
  it('is gone soon after kill -9 of the node process alone', async () => {
    // Prepare: a node process that starts DynamoDB Local through the runtime's module, then idles.
    const script = `
      const { startDynamo } = await import(${JSON.stringify(path.join(ROOT, 'local/dynamo-local.ts'))});
      const dynamo = await startDynamo('eu-central-1');
      console.log('JVM ' + dynamo.pid);
      setInterval(() => {}, 60_000);`;
    const parent = node(['--input-type=module', '-e', script]);
    await until(
      () => /JVM \d+/.test(parent.output.stdout),
      90_000,
      () => `no JVM started: ${parent.output.stderr}`,
    );
    const jvm = Number(/JVM (\d+)/.exec(parent.output.stdout)?.[1]);
    expect(isDynamoJvm(jvm)).toBe(true);

    // Act: kill -9 of node only (no handler of it can run).
    parent.child.kill('SIGKILL');
    await parent.exited;

    // Assess
    await until(
      () => !isDynamoJvm(jvm),
      15_000,
      () => `DynamoDB Local (pid ${jvm}) outlived its node process`,
    );
  }, 120_000);
});

describe('npm start -- --preassembled', () => {
  it('follows 10 postings assembled by hand besides 10 new ones: 20 completed, none cancelled', async () => {
    // Prepare + act
    const cli = node([
      path.join(ROOT, 'local/cli.ts'),
      'run',
      '--orders',
      '10',
      '--preassembled',
      '10',
      '--exit',
      '--json',
    ]);
    const code = await cli.exited;

    // Assess
    const lastLine = cli.output.stdout.trim().split('\n').at(-1) ?? '';
    expect(lastLine.startsWith('{'), `no JSON summary; stderr: ${cli.output.stderr.slice(-2000)}`).toBe(true);
    const summary = JSON.parse(lastLine) as RunSummary;
    expect(summary.postings).toBe(20);
    expect(summary.byFinalState).toEqual({ Completed: 20 });
    expect(summary.ozonCalls.byPath['/v2/posting/fbs/cancel'] ?? 0).toBe(0);
    expect(code).toBe(0);
  }, 180_000);
});
