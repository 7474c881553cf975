/**
 * A data dir keeps a local run on disk, so that `npm start` after `kill -9` goes on where it stopped:
 *
 *   lock                 the pid of the CLI using it (a second CLI on the same dir is refused)
 *   state.json           which Ozon it belongs to, the simulated time, whether the demo stock was seeded
 *   seller-api-key       the seller API's key, mode 0600
 *   dynamodb/            DynamoDB Local's database (-dbPath, -sharedDb)
 *   executions.jsonl     the engine's journal: starts, states entered with their input, waits, ends
 *   sandbox.json         the Ozon sandbox's own state (sandbox mode)
 *   ozon-calls.jsonl     every Ozon call the product made
 *   sandbox-calls.jsonl  every call that changed something at the sandbox, with its posting number
 *   alerts.jsonl         every alert the seller received
 *   metrics.jsonl        every metric the functions emitted
 *
 * Whole files are replaced atomically (a temp file, then rename); the logs are append-only JSON lines, one write
 * per line, so a kill leaves at most a torn last line, which reading skips.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import * as path from 'node:path';

/** Where `npm start` keeps a run against the real API, and where `npm run report` looks by default. */
export const DEFAULT_DATA_DIR = '.ozon-autopilot';

export interface RuntimeState {
  /** Which Ozon this data belongs to: a sandbox's postings must never meet a real account's. */
  ozon: 'sandbox' | `real:${string}`;
  /** Simulated ms: a restarted run never starts its clock earlier. */
  simulatedNow: number;
  demoStockSeeded?: boolean;
}

const LOGS = [
  'executions',
  'executions-Handover',
  'executions-ReturnLifecycle',
  'ozon-calls',
  'sandbox-calls',
  'alerts',
  'metrics',
] as const;
export type LogName = (typeof LOGS)[number];

/** A data dir that cannot be used as asked: in use by another run, or another Ozon's. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/** Replaces a file's content atomically: readers and a restart after a kill see the old or the new content whole. */
export function writeAtomic(file: string, content: string, mode = 0o644): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

/** An append-only JSON-lines file; `entries()` reads what is there, skipping a last line torn by a kill. */
export class JsonLog<T> {
  private fd: number | undefined;

  constructor(readonly file: string) {}

  entries(): T[] {
    if (!existsSync(this.file)) return [];
    const out: T[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        // Only the last line can be torn (kill -9 in the middle of a write); nothing after it was written.
      }
    }
    return out;
  }

  /** One write(2) per entry, before the caller goes on: durable once this returns, as far as a kill goes. */
  append(entry: T): void {
    this.fd ??= openSync(this.file, 'a');
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  /** Replaces the whole file atomically (before the first append: an open descriptor would keep the old file). */
  rewrite(entries: T[]): void {
    this.close();
    writeAtomic(this.file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface DataDir {
  path: string;
  /** True when this run created the data dir's state: nothing to restore. */
  fresh: boolean;
  state: RuntimeState;
  saveState(patch: Partial<RuntimeState>): void;
  file(name: 'dynamodb' | 'sandbox.json'): string;
  log<T>(name: LogName): JsonLog<T>;
  /** The seller API's key: made once, kept with mode 0600. */
  sellerApiKey(): string;
  /** The latest simulated time anything in the data dir recorded. */
  lastSimulatedTime(): number;
  close(): void;
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: alive, but another user's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // A killed process stays a zombie until its parent reaps it: it holds nothing any more.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function takeLock(dir: string): () => void {
  const lock = path.join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(lock, 'utf8'));
      if (holder && holder !== process.pid && pidIsAlive(holder)) {
        throw new DataDirError(`The data dir ${dir} is in use by process ${holder}; stop it first (or remove ${lock})`);
      }
      // Left behind by a killed run.
      rmSync(lock, { force: true });
    }
  }
  throw new Error(`Could not lock the data dir ${dir}`);
}

const maxAt = (entries: { at?: number }[]) => entries.reduce((m, e) => Math.max(m, e.at ?? 0), 0);

/** Opens (creating it if needed) a data dir for one Ozon: the sandbox or a real seller account. */
export function openDataDir(dir: string, ozon: RuntimeState['ozon']): DataDir {
  const root = path.resolve(dir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const release = takeLock(root);
  try {
    const stateFile = path.join(root, 'state.json');
    const fresh = !existsSync(stateFile);
    const state: RuntimeState = fresh
      ? { ozon, simulatedNow: 0 }
      : (JSON.parse(readFileSync(stateFile, 'utf8')) as RuntimeState);
    if (state.ozon !== ozon) {
      throw new DataDirError(`The data dir ${root} belongs to ${state.ozon}, not ${ozon}: use another --data-dir`);
    }
    const saveState = (patch: Partial<RuntimeState>) => {
      Object.assign(state, patch);
      writeAtomic(stateFile, JSON.stringify(state));
    };
    if (fresh) saveState({});
    const logs = new Map<LogName, JsonLog<unknown>>();
    const log = <T>(name: LogName) => {
      let l = logs.get(name);
      if (!l) {
        l = new JsonLog<unknown>(path.join(root, `${name}.jsonl`));
        logs.set(name, l);
      }
      return l as JsonLog<T>;
    };
    return {
      path: root,
      fresh,
      state,
      saveState,
      file: (name) => path.join(root, name),
      log,
      sellerApiKey() {
        const file = path.join(root, 'seller-api-key');
        if (existsSync(file)) {
          chmodSync(file, 0o600);
          return readFileSync(file, 'utf8').trim();
        }
        const key = newSellerApiKey();
        writeAtomic(file, key, 0o600);
        return key;
      },
      lastSimulatedTime() {
        let latest = state.simulatedNow;
        for (const name of LOGS) latest = Math.max(latest, maxAt(log<{ at?: number }>(name).entries()));
        const sandbox = path.join(root, 'sandbox.json');
        if (existsSync(sandbox)) {
          latest = Math.max(
            latest,
            Number((JSON.parse(readFileSync(sandbox, 'utf8')) as { savedAt?: number }).savedAt) || 0,
          );
        }
        return latest;
      },
      close() {
        for (const l of logs.values()) l.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

export const newSellerApiKey = () => randomBytes(32).toString('base64url');

/** A secret as it may be printed: its first four characters. */
export const masked = (secret: string) => `${secret.slice(0, 4)}…`;
