/**
 * One "Lambda instance" for safety.test.ts: a process of its own (its own module-level limiter and rate-budget
 * state, as a separate Lambda container has), calling Ozon through the product's OzonClient against the runtime's
 * sandbox and DynamoDB Local (both reached through the environment the test process inherited from startRuntime).
 *
 * Usage: tsx rate-instance.ts '[{"calls":80,"perSecond":27,"sharedBudget":true}, ...]'
 * For each plan: prints `ready`, starts on the next line on stdin, and prints one JSON line of results.
 */
import { createInterface } from 'node:readline';
import { db, observeDynamoCapacity } from '#shared/db';
import { OzonClient, observeOzonCalls } from '#shared/ozon/client';

interface Plan {
  calls: number;
  perSecond: number;
  sharedBudget: boolean;
}

export interface InstanceResult {
  ok: number;
  failed: number;
  /** Error name and message start, with how many calls ended with it after their retries. */
  failures: Record<string, number>;
  /** Every HTTP answer this instance received (retries included), by status. */
  answers: Record<string, number>;
  /** Real ms epoch of the first call started and the last call ended. */
  startedAt: number;
  endedAt: number;
  slowestMs: number;
  /** DynamoDB requests this instance made (the rate budget's bookkeeping), and how many a condition refused. */
  dynamoRequests: number;
  dynamoRefused: number;
  /** How long those requests took (ms): the 90th percentile and the longest. */
  dynamoP90Ms: number;
  dynamoMaxMs: number;
  /** When the rate budget let each HTTP request of this instance go (real ms epoch), retries included. */
  sentAt: number[];
}

const plans = JSON.parse(process.argv[2] ?? '[]') as Plan[];
const answers: Record<string, number> = {};
const sentAt: number[] = [];
observeOzonCalls((c) => {
  answers[c.status] = (answers[c.status] ?? 0) + 1;
  // `ms` counts from the moment the budget let the request go (client.ts starts timing after takeRateBudget).
  sentAt.push(Date.now() - c.ms);
});
const dynamo = { requests: 0, refused: 0 };
observeDynamoCapacity((u) => {
  dynamo.requests++;
  if (u.conditionFailed) dynamo.refused++;
});
const dynamoMs: number[] = [];
db().middlewareStack.add(
  (next) => async (args) => {
    const began = performance.now();
    try {
      return await next(args);
    } finally {
      dynamoMs.push(performance.now() - began);
    }
  },
  { step: 'initialize', name: 'timeDynamoRequests' },
);

// Warm up (SDK clients, credentials, the first connection) before the common start.
await new OzonClient().call('warehouses', { limit: 200 });

const lines = createInterface({ input: process.stdin });
const go: (() => void)[] = [];
lines.on('line', () => go.shift()?.());

for (const plan of plans) {
  const started = new Promise<void>((resolve) => go.push(resolve));
  for (const k of Object.keys(answers)) delete answers[k];
  Object.assign(dynamo, { requests: 0, refused: 0 });
  dynamoMs.length = 0;
  sentAt.length = 0;
  process.stdout.write('ready\n');
  await started;
  process.stdout.write(`${JSON.stringify(await run(plan))}\n`);
}
lines.close();
process.exit(0);

async function run(plan: Plan): Promise<InstanceResult> {
  const client = new OzonClient({ sharedBudget: plan.sharedBudget });
  const failures: Record<string, number> = {};
  let ok = 0;
  let slowestMs = 0;
  const startedAt = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < plan.calls; i++) {
    // Open loop: call i starts on time whatever the earlier calls are doing, as independent invocations would.
    const wait = startedAt + (i * 1000) / plan.perSecond - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const began = performance.now();
    pending.push(
      client.call('warehouses', { limit: 200 }).then(
        () => {
          ok++;
          slowestMs = Math.max(slowestMs, performance.now() - began);
        },
        (e: Error) => {
          const key = `${e.name}: ${e.message.slice(0, 80)}`;
          failures[key] = (failures[key] ?? 0) + 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  return {
    ok,
    failed: plan.calls - ok,
    failures,
    answers: { ...answers },
    startedAt,
    endedAt: Date.now(),
    slowestMs: Math.round(slowestMs),
    dynamoRequests: dynamo.requests,
    dynamoRefused: dynamo.refused,
    dynamoP90Ms: Math.round([...dynamoMs].sort((a, b) => a - b)[Math.floor(dynamoMs.length * 0.9)] ?? 0),
    dynamoMaxMs: Math.round(Math.max(0, ...dynamoMs)),
    sentAt: sentAt.map(Math.round),
  };
}
