/**
 * `npm run report -- --data-dir DIR [--days N] [--json]`: the seller's figures per day from what a local run kept
 * (local/figures.ts). Reads the data dir's logs only: nothing starts, nothing is called, a running `npm start` on
 * the same dir is not disturbed.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_DATA_DIR, JsonLog } from './data-dir';
import { FIGURES, figuresByDay } from './figures';

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of days, at least 1');
  return n;
};

const program = new Command('report')
  .description("the seller's figures per day from a local run's data dir")
  .option('--data-dir <dir>', 'the data dir of an `npm start -- --data-dir` run', DEFAULT_DATA_DIR)
  .option('--days <n>', 'the last N days that have figures', positive, 14)
  .option('--json', 'one JSON object on stdout', false)
  .action((opts: { dataDir: string; days: number; json: boolean }) => {
    const dir = path.resolve(opts.dataDir);
    if (!existsSync(path.join(dir, 'executions.jsonl'))) {
      console.error(`No run kept in ${dir}: start one with npm start -- --data-dir ${opts.dataDir}`);
      process.exit(2);
    }
    const started = (file: string) =>
      new JsonLog<{ kind: string; name: string; at: number }>(path.join(dir, file))
        .entries()
        .filter((e) => e.kind === 'started');
    const figures = figuresByDay(
      {
        postingsStarted: started('executions.jsonl'),
        returnsStarted: started('executions-ReturnLifecycle.jsonl'),
        alerts: new JsonLog<{ kind: string; at: number }>(path.join(dir, 'alerts.jsonl')).entries(),
        metrics: new JsonLog<{ name: string; value: number; at: number }>(path.join(dir, 'metrics.jsonl')).entries(),
      },
      opts.days,
    );
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ dataDir: dir, ...figures })}\n`);
      return;
    }
    const derived = (d: { onTimePct?: number; settlementLagHours?: number }) => [
      d.onTimePct === undefined ? '' : `${d.onTimePct}%`,
      d.settlementLagHours ?? '',
    ];
    const table = new Table({ head: ['day (simulated)', ...FIGURES, 'onTime', 'settlementLagHours'] });
    for (const d of figures.days) table.push([d.day, ...FIGURES.map((f) => d[f]), ...derived(d)]);
    table.push(['total', ...FIGURES.map((f) => figures.total[f]), ...derived(figures.total)]);
    console.log(table.toString());
  });

program.parse();
