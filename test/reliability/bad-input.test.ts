/**
 * Bad input: thousands of malformed and hostile webhook bodies, generated from the push schemas the webhook
 * validates with (functions/shared/ozon/push.ts) and then broken field by field, plus arbitrary JSON. Each gets a 4xx
 * in Ozon's error format or the plain acknowledgement, none makes handlePush throw, and a rejected body leaves
 * nothing behind: no item for its posting number in DynamoDB and no execution.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPush } from '#intake/apply-push';
import { validatePush } from '#intake/pushes';
import { env } from '#shared/config';
import { db, keys } from '#shared/db';
import { logger } from '#shared/handler';
import { PostingPush } from '#shared/ozon/push';
import { type Runtime, startRuntime } from '../../local/runtime';

/** Validates and applies a push in one go: what the webhook answers plus the push processor's work. */
async function handlePush(body: unknown) {
  const verdict = validatePush(body);
  if ('answer' in verdict) return verdict.answer;
  await applyPush(verdict.push);
  return { status: 200, body: { result: true } };
}

// The full size, also by default: 10,000 bodies take about 35 s.
const BODIES = 10_000;
const DAY = 24 * 3600_000;

let rt: Runtime;
beforeAll(async () => {
  // No sandbox pushes and no poll: the only writes are the ones these bodies cause.
  rt = await startRuntime({
    ozon: { mode: 'sandbox', sandbox: { faults: { dropPush: 1 } } },
    pollIntervalMs: 365 * DAY,
  });
  // Thousands of unknown types are each worth a warning in production; here they would bury the test's output.
  logger.setLogLevel('ERROR');
});
afterAll(async () => {
  await rt?.stop();
});

type ZodNode = { _zod: { def: Record<string, unknown> & { type: string } } };

/**
 * A valid value for a field of the push schemas, read from the zod definition. Dates are refinements zod cannot
 * describe, so fields named like dates get ISO timestamps.
 */
function valueFor(name: string, schema: ZodNode): fc.Arbitrary<unknown> {
  const def = schema._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
      return fc.oneof(
        valueFor(name, def.innerType as ZodNode),
        fc.constant(def.type === 'optional' ? undefined : null),
      );
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'string':
      return /date|_at$|time/.test(name)
        ? fc
            .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
            .map((d) => d.toISOString())
        : fc.string({ minLength: 1, maxLength: 20 });
    case 'number':
      return fc.integer({ min: 0, max: 2_000_000_000 });
    case 'union':
      return fc.oneof(...(def.options as ZodNode[]).map((o) => valueFor(name, o)));
    case 'array':
      return fc.array(valueFor(name, def.element as ZodNode), { maxLength: 3 });
    case 'object':
      return objectFor(def.shape as Record<string, ZodNode>);
    default:
      return fc.jsonValue();
  }
}
const objectFor = (shape: Record<string, ZodNode>) =>
  fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, valueFor(k, v)])));

/** One valid-shaped body per push type the webhook knows. */
const validBody = fc.oneof(
  ...PostingPush.def.options.map((o) => objectFor(o.shape as unknown as Record<string, ZodNode>)),
) as fc.Arbitrary<Record<string, unknown>>;

const hostile = fc.oneof(
  fc.jsonValue(),
  fc.anything(),
  fc.constantFrom('', 'null', '__proto__', 'constructor', '<script>alert(1)</script>', "'; DROP TABLE orders;--"),
  fc.string({ minLength: 1000, maxLength: 5000 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0),
);

type Mutation = { kind: 'drop' | 'replace'; field: string; value?: unknown };
const mutation = (fields: string[]): fc.Arbitrary<Mutation> =>
  fc.record({
    kind: fc.constantFrom('drop' as const, 'replace' as const),
    field: fc.constantFrom(...fields, 'message_type', 'posting_number', '__proto__'),
    value: hostile,
  });

const FIELDS = [...new Set(PostingPush.def.options.flatMap((o) => Object.keys(o.shape)))];

/** A body and the posting number it was generated for, so the test can look for what it may have written. */
const generated = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(validBody, fc.array(mutation(FIELDS), { minLength: 1, maxLength: 3 })) },
  { weight: 1, arbitrary: fc.tuple(hostile, fc.constant([] as Mutation[])) },
);

const isOzonError = (body: unknown) => {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } })?.error;
  return typeof e?.code === 'string' && typeof e.message === 'string' && e.details === null;
};

describe(`${BODIES} malformed or hostile push bodies`, () => {
  it('each gets a 4xx in Ozon’s format or the plain acknowledgement; none throws; rejected ones write nothing', async () => {
    let n = 0;
    const rejected: string[] = [];
    const outcomes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(generated, async ([base, mutations]) => {
        const postingNumber = `FUZZ-${++n}`;
        let body: unknown = base;
        if (base && typeof base === 'object' && !Array.isArray(base)) {
          const b: Record<string, unknown> = { ...(base as Record<string, unknown>), posting_number: postingNumber };
          for (const m of mutations) {
            if (m.kind === 'drop') delete b[m.field];
            else b[m.field] = m.value;
          }
          // Through JSON, as the endpoint receives it: undefined fields vanish, NaN becomes null.
          body = JSON.parse(JSON.stringify(b) ?? 'null');
        }

        const answer = await handlePush(body);

        const key = `${answer.status} ${isOzonError(answer.body) ? 'ozon-error' : JSON.stringify(answer.body).slice(0, 14)}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        if (answer.status >= 400) {
          expect(answer.status).toBeLessThan(500);
          expect(isOzonError(answer.body)).toBe(true);
          rejected.push(postingNumber);
        } else {
          expect(answer.status).toBe(200);
        }
      }),
      { numRuns: BODIES, seed: 20261129 },
    );

    // The proof that a rejected body wrote nothing: no item under its posting number, no execution of that name.
    expect(rejected.length).toBeGreaterThan(BODIES / 2);
    const found: string[] = [];
    for (let i = 0; i < rejected.length; i += 100) {
      const { Responses } = await db().send(
        new BatchGetCommand({
          RequestItems: { [env('table').TABLE_NAME]: { Keys: rejected.slice(i, i + 100).map((p) => keys.order(p)) } },
        }),
      );
      found.push(...(Responses?.[env('table').TABLE_NAME] ?? []).map((item) => String(item.pk)));
    }
    expect(found).toEqual([]);
    const executed = new Set([...rt.engine.executions.values()].map((e) => e.name));
    expect(rejected.filter((p) => executed.has(p))).toEqual([]);
    // The generator reached both sides: bodies that were accepted and did work, and bodies that were refused.
    expect(Object.keys(outcomes).some((k) => k.startsWith('200'))).toBe(true);
    console.info(`bad input: ${BODIES} bodies, ${rejected.length} rejected; outcomes ${JSON.stringify(outcomes)}`);
  }, 600_000);
});
