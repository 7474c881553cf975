/**
 * `npm run bench:cold`: every function the stack deploys, bundled exactly as CDK bundles it (BUNDLING), with its
 * minified size and its module-init time — `require` of the bundle in a fresh Node.js process, which is the part of
 * a Lambda cold start the code decides (the runtime's own start and the handler's first call come on top).
 *
 * Each bundle is written under .bench-cache/cold/ inside the project, so the externals (`@aws-sdk/*`, which the
 * Lambda runtime provides) resolve from the project's node_modules. The process gets the function's own
 * environment from the synthesized template plus what Lambda sets, and nothing else: importing a function must not
 * call AWS or need credentials.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import { build } from 'esbuild';
import { BUNDLING } from '../infra/constructs/autopilot-function';
import { LOCAL_REGION, resolveStackCached } from '../local/template';

const ROOT = path.resolve(import.meta.dirname, '..');
const CACHE_DIR = path.join(ROOT, '.bench-cache', 'cold');
const run = promisify(execFile);

/** The issue's targets: the largest minified bundle and the slowest function's median module init. */
export const COLD_START_TARGETS = { maxBundleKb: 250, maxP50Ms: 150 };

export interface FunctionColdStart {
  bundleKb: number;
  p50Ms: number;
  maxMs: number;
}

export interface ColdStarts {
  byFunction: Record<string, FunctionColdStart>;
  maxP50Ms: number;
  maxBundleKb: number;
}

/** Times one `require` with the high-resolution clock and prints the milliseconds. */
const MEASURE = `const t = process.hrtime.bigint(); require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;

/** Bundles one function the way CDK does (aws-lambda-nodejs with BUNDLING) and writes it with its source map. */
async function bundle(entry: string, file: string): Promise<number> {
  const result = await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    target: BUNDLING.target,
    format: 'cjs',
    keepNames: BUNDLING.keepNames,
    external: BUNDLING.externalModules,
    charset: BUNDLING.esbuildArgs['--charset'] === 'utf8' ? 'utf8' : 'ascii',
    outfile: file,
    write: false,
    logLevel: 'silent',
  });
  let codeBytes = 0;
  for (const out of result.outputFiles) {
    writeFileSync(out.path, out.contents);
    if (!out.path.endsWith('.map')) codeBytes += out.contents.byteLength;
  }
  return Math.round(codeBytes / 1024);
}

/** What Lambda sets in every function's environment, besides the function's own variables. */
function lambdaEnvironment(dir: string, name: string, memorySize: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: dir,
    TZ: ':UTC',
  };
}

async function timeRequire(file: string, environment: Record<string, string>): Promise<number> {
  const { stdout } = await run(process.execPath, ['-e', MEASURE, file], { cwd: path.dirname(file), env: environment });
  return Number(stdout);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Bundle size and module-init time of every function the stack deploys. Runs are sequential, one fresh process
 * each, so no measurement shares a CPU with another; they go round the functions `runs` times, so a busy moment
 * of the machine spreads over all functions instead of falling on one.
 */
export async function measureColdStarts(options: { runs?: number } = {}): Promise<ColdStarts> {
  const runs = options.runs ?? 5;
  mkdirSync(CACHE_DIR, { recursive: true });
  // A directory per call: two measurements at once (the benchmark and this CLI) do not overwrite each other.
  const dir = mkdtempSync(path.join(CACHE_DIR, 'run-'));
  try {
    const bundles = await Promise.all(
      resolveStackCached().functions.map(async (fn) => {
        const name = fn.entry.replace(/^functions\//, '').replace(/\.ts$/, '');
        const file = path.join(dir, `${name.replace(/\//g, '--')}.cjs`);
        const environment = { ...lambdaEnvironment(dir, fn.logicalId, fn.memorySize), ...fn.environment };
        return { name, file, environment, bundleKb: await bundle(fn.entry, file), times: [] as number[] };
      }),
    );
    for (let i = 0; i < runs; i++) {
      for (const b of bundles) b.times.push(await timeRequire(b.file, b.environment));
    }
    const byFunction: Record<string, FunctionColdStart> = {};
    for (const { name, bundleKb, times } of bundles) {
      byFunction[name] = { bundleKb, p50Ms: r1(median(times)), maxMs: r1(Math.max(...times)) };
    }
    const all = Object.values(byFunction);
    return {
      byFunction,
      maxP50Ms: Math.max(...all.map((f) => f.p50Ms)),
      maxBundleKb: Math.max(...all.map((f) => f.bundleKb)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const positiveInt = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
    return n;
  };
  const opts = new Command('bench:cold')
    .description('Bundle size and module-init time of every Lambda function, bundled as CDK bundles it')
    .option('--runs <n>', 'fresh processes per function', positiveInt, 5)
    .option('--json', 'print the results as one JSON object on stdout', false)
    .parse()
    .opts<{ runs: number; json: boolean }>();
  const result = await measureColdStarts({ runs: opts.runs });
  // Wall-clock times: on a machine busy with other work they grow with its load, so the load is reported with them.
  const machine = { node: process.version, cores: cpus().length, loadAverage1m: r1(loadavg()[0] ?? 0) };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...result, targets: COLD_START_TARGETS, machine })}\n`);
    return;
  }
  const table = new Table({ head: ['function', 'bundle KB', 'init p50 ms', 'init max ms'] });
  const rows = Object.entries(result.byFunction).sort(([a], [b]) => a.localeCompare(b));
  for (const [name, f] of rows) table.push([name, f.bundleKb, f.p50Ms, f.maxMs]);
  const verdict = (measured: number, target: number) =>
    measured <= target ? 'met' : `MISSED by ${r1(measured - target)}`;
  table.push(
    [
      'largest bundle (KB)',
      result.maxBundleKb,
      `≤ ${COLD_START_TARGETS.maxBundleKb}`,
      verdict(result.maxBundleKb, COLD_START_TARGETS.maxBundleKb),
    ],
    [
      'slowest init p50 (ms)',
      result.maxP50Ms,
      `≤ ${COLD_START_TARGETS.maxP50Ms}`,
      verdict(result.maxP50Ms, COLD_START_TARGETS.maxP50Ms),
    ],
  );
  process.stdout.write(`${table.toString()}\n`);
  process.stdout.write(`Node.js ${machine.node}, ${machine.cores} cores, load average ${machine.loadAverage1m}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
