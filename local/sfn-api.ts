/**
 * The Step Functions API on loopback (AWS JSON 1.0 protocol), so the product's handlers use the real
 * `@aws-sdk/client-sfn` unchanged: StartExecution, SendTaskSuccess/Failure/Heartbeat, DescribeExecution,
 * GetExecutionHistory, ListExecutions, and DescribeStateMachine for the console's AWS source (console/aws-source.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutionExistsError, type LocalStepFunctions, TaskTokenError } from './engine';

type Body = Record<string, unknown>;

/**
 * One engine per state machine of the stack (OrderLifecycle, Handover), by ARN. An execution ARN names its machine;
 * a task token is tried on each engine (tokens are unique; an engine that does not know one says so).
 */
export async function startSfnApi(
  engines: Map<string, LocalStepFunctions>,
): Promise<{ url: string; close(): Promise<void> }> {
  const machineOf = (executionArn: string) =>
    [...engines].find(([, engine]) => engine.executions.has(executionArn)) ??
    (() => {
      throw apiError('ExecutionDoesNotExist', `No execution ${executionArn}`);
    })();
  const withToken = (token: string, act: (engine: LocalStepFunctions) => void) => {
    let last: unknown;
    for (const engine of engines.values()) {
      try {
        act(engine);
        return {};
      } catch (error) {
        if (!(error instanceof TaskTokenError && error.name === 'TaskDoesNotExist')) throw error;
        last = error;
      }
    }
    throw last ?? new TaskTokenError('TaskDoesNotExist', `No task for token ${token.slice(0, 16)}…`);
  };
  const actions: Record<string, (body: Body) => unknown> = {
    StartExecution: (b) => {
      const engine = engines.get(String(b.stateMachineArn));
      if (!engine) throw apiError('StateMachineDoesNotExist', `No state machine ${String(b.stateMachineArn)}`);
      const e = engine.start(String(b.name), String(b.input ?? '{}'));
      return { executionArn: e.executionArn, startDate: e.startDate / 1000 };
    },
    SendTaskSuccess: (b) =>
      withToken(String(b.taskToken), (engine) => engine.sendTaskSuccess(String(b.taskToken), String(b.output ?? '{}'))),
    SendTaskFailure: (b) =>
      withToken(String(b.taskToken), (engine) =>
        engine.sendTaskFailure(String(b.taskToken), b.error as string | undefined, b.cause as string | undefined),
      ),
    SendTaskHeartbeat: () => ({}),
    DescribeExecution: (b) => {
      const [stateMachineArn, engine] = machineOf(String(b.executionArn));
      const e = engine.executions.get(String(b.executionArn));
      if (!e) throw apiError('ExecutionDoesNotExist', `No execution ${String(b.executionArn)}`);
      return {
        executionArn: e.executionArn,
        stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate / 1000,
        stopDate: e.stopDate ? e.stopDate / 1000 : undefined,
        input: e.input,
        output: e.output === undefined ? undefined : JSON.stringify(e.output),
        error: e.error,
        cause: e.cause,
      };
    },
    GetExecutionHistory: (b) => {
      const [, engine] = machineOf(String(b.executionArn));
      const e = engine.executions.get(String(b.executionArn));
      if (!e) throw apiError('ExecutionDoesNotExist', `No execution ${String(b.executionArn)}`);
      return {
        events: e.history.map((h, i) => ({
          id: i + 1,
          timestamp: h.at / 1000,
          type: h.type,
          ...(h.state ? { stateEnteredEventDetails: { name: h.state } } : {}),
        })),
      };
    },
    DescribeStateMachine: (b) => {
      const stateMachineArn = String(b.stateMachineArn);
      const engine = engines.get(stateMachineArn);
      if (!engine) throw apiError('StateMachineDoesNotExist', `No state machine ${stateMachineArn}`);
      return {
        stateMachineArn,
        name: stateMachineArn.split(':').pop(),
        status: 'ACTIVE',
        definition: JSON.stringify(engine.definition),
        type: 'STANDARD',
        roleArn: '',
        creationDate: 0,
      };
    },
    ListExecutions: (b) => {
      const stateMachineArn = String(b.stateMachineArn);
      const engine = engines.get(stateMachineArn);
      if (!engine) throw apiError('StateMachineDoesNotExist', `No state machine ${stateMachineArn}`);
      return {
        executions: [...engine.executions.values()]
          .filter((e) => !b.statusFilter || e.status === b.statusFilter)
          .map((e) => ({
            executionArn: e.executionArn,
            stateMachineArn,
            name: e.name,
            status: e.status,
            startDate: e.startDate / 1000,
          })),
      };
    },
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
      };
      const action = actions[target];
      if (!action)
        return send(400, { __type: 'UnknownOperationException', message: `${target} is not provided locally` });
      try {
        send(200, action(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
      } catch (error) {
        const e = error as Error;
        const type =
          e instanceof TaskTokenError || e instanceof ExecutionExistsError || e.name.endsWith('DoesNotExist')
            ? e.name
            : 'InternalError';
        send(type === 'InternalError' ? 500 : 400, { __type: type, message: e.message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function apiError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
