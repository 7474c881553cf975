/**
 * State name = handler file = step function, by construction: a newcomer follows `ReserveStock` to
 * `functions/stock/reserve-stock.ts` and its `reserveStock`. Fails when a Task state has no handler file of its
 * kebab-case name, and the other way round when a handler file is neither a state's nor a known entry point.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ResolvedStack, resolveStack } from '../../local/template';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Every wait for the outside world (Await*, NeedsAttention) stores its token through one function. */
const WAIT_HANDLER = 'waits/await-event';
/**
 * `.waitForTaskToken` states that are steps, not waits for the outside world: they run the handler of their own
 * name, which hands the token on (PackAndLabel queues it for its label batch).
 */
const TOKEN_STEPS = ['PackAndLabel'];
/** Handlers that are not states: the endpoints, the queue consumers, the schedule. */
const ENTRY_POINTS = [
  'intake/webhook',
  'intake/push-processor',
  'intake/poller',
  'intake/seller-api',
  'fulfilment/label-batch',
];

const kebab = (state: string) => state.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const camel = (state: string) => state.charAt(0).toLowerCase() + state.slice(1);

type State = { Type: string; Resource?: string; Parameters?: { FunctionName?: string } };
let stack: ResolvedStack;
/** `waits`: a wait for the outside world, run by the wait handler; every other Task runs its own-named handler. */
let taskStates: { name: string; entry: string; token: boolean; waits: boolean }[];

beforeAll(() => {
  stack = resolveStack();
  const entryOf = new Map(
    stack.functions.map((f) => [f.arn, f.entry.replace(/^functions\//, '').replace(/\.ts$/, '')]),
  );
  // Every state machine's states: OrderLifecycle's and Handover's (their names do not collide).
  const states = Object.assign(
    {},
    ...stack.machines.map((m) => (m.definition as { States: Record<string, State> }).States),
  ) as Record<string, State>;
  taskStates = Object.entries(states)
    .filter(([, s]) => s.Type === 'Task')
    .map(([name, s]) => {
      const arn = s.Resource?.startsWith('arn:aws:lambda:') ? s.Resource : s.Parameters?.FunctionName;
      const token = !!s.Resource?.endsWith('.waitForTaskToken');
      return {
        name,
        entry: entryOf.get(String(arn)) ?? `no function for ${arn}`,
        token,
        waits: token && !TOKEN_STEPS.includes(name),
      };
    });
}, 60_000);

/** Every file under functions/<area>/ that exports a Lambda handler, as `<area>/<name>`. */
function handlerFiles(): string[] {
  const functions = path.join(ROOT, 'functions');
  return readdirSync(functions, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((area) =>
      readdirSync(path.join(functions, area.name))
        .filter((f) => f.endsWith('.ts'))
        .filter((f) => /^export const handler\b/m.test(readFileSync(path.join(functions, area.name, f), 'utf8')))
        .map((f) => `${area.name}/${f.replace(/\.ts$/, '')}`),
    );
}

describe('state name = handler file = step function', () => {
  it('every Task state runs the handler file of its own kebab-case name (waits: the one wait handler)', () => {
    const mismatched = taskStates
      .filter((t) => (t.waits ? t.entry !== WAIT_HANDLER : path.basename(t.entry) !== kebab(t.name)))
      .map((t) => `${t.name} → ${t.entry}`);

    expect(taskStates.length).toBeGreaterThan(15);
    expect(mismatched).toEqual([]);
    // The token steps are token tasks indeed (else the exception above would hide nothing and should go).
    expect(
      taskStates
        .filter((t) => t.token && !t.waits)
        .map((t) => t.name)
        .sort(),
    ).toEqual([...TOKEN_STEPS].sort());
    expect(taskStates.find((t) => t.name === 'PackAndLabel')?.entry).toBe('fulfilment/pack-and-label');
  });

  it('every handler file is a state, the wait handler or an entry point', () => {
    const stateEntries = new Set(taskStates.map((t) => t.entry));

    const orphans = handlerFiles().filter((f) => !stateEntries.has(f) && !ENTRY_POINTS.includes(f));

    expect(handlerFiles()).toEqual(expect.arrayContaining([...stateEntries, ...ENTRY_POINTS]));
    expect(orphans).toEqual([]);
  });

  it("each state's file exports the step function of the state's name", async () => {
    const missing: string[] = [];
    for (const t of taskStates.filter((x) => !x.waits)) {
      const mod = (await import(path.join(ROOT, 'functions', `${t.entry}.ts`))) as Record<string, unknown>;
      if (typeof mod[camel(t.name)] !== 'function' || typeof mod.handler !== 'function') missing.push(t.name);
    }
    expect(missing).toEqual([]);
  });

  it('the kebab-case rule itself', () => {
    expect(['ReserveStock', 'AwaitDisputeResolution', 'SettlePayout'].map(kebab)).toEqual([
      'reserve-stock',
      'await-dispute-resolution',
      'settle-payout',
    ]);
  });
});
