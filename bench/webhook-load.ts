/**
 * `npm run bench:webhook`: Ozon push acknowledgement latency on loopback. Starts the runtime with no postings in
 * flight, warms the path up, then offers status pushes at each rate for a few seconds and prints p50/p99/max —
 * twice: with the push processor draining the queue in this same process, and with it stopped, which is what Ozon
 * sees in AWS where the processor is another Lambda (the acknowledgement alone: validate, enqueue, answer).
 */
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import { startRuntime } from '../local/runtime';
import { probeWebhook } from './webhook-probe';

const rates = (v: string) => {
  const list = v.split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new InvalidArgumentError('comma-separated whole numbers');
  return list;
};

const program = new Command('bench:webhook')
  .option('--rps <list>', 'offered request rates', rates, [100, 300, 500])
  .option('--seconds <n>', 'seconds per rate', Number, 5)
  .option('--json', 'one JSON object on the last line of stdout', false)
  .parse();
const opts = program.opts<{ rps: number[]; seconds: number; json: boolean }>();

const rt = await startRuntime({ speed: 10_000 });
try {
  // Pushes for postings the product never saw are acknowledged and recorded like any other.
  const postings = Array.from({ length: 50 }, (_, i) => `90000000-${String(i).padStart(4, '0')}-1`);
  await probeWebhook(rt, postings, 50, 1);
  await rt.pushQueue.drained();
  const measure = async (label: string) => {
    const rows = [];
    for (const rps of opts.rps)
      rows.push({ processor: label, ...(await probeWebhook(rt, postings, rps, opts.seconds)) });
    return rows;
  };
  const shared = await measure('same process');
  await rt.pushQueue.drained();
  await rt.pushQueue.stopProcessing();
  const alone = await measure('stopped');
  const results = [...shared, ...alone];
  const table = new Table({
    head: ['push processor', 'offered req/s', 'achieved', 'p50 ms', 'p99 ms', 'max ms', 'errors'],
  });
  for (const r of results) table.push([r.processor, r.rps, r.achievedRps, r.p50Ms, r.p99Ms, r.maxMs, r.errors]);
  (opts.json ? process.stderr : process.stdout).write(`${table.toString()}\n`);
  if (opts.json) process.stdout.write(`${JSON.stringify({ webhookAck: results })}\n`);
} finally {
  await rt.stop();
}
