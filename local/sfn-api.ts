/**
 * The Step Functions API on loopback (AWS JSON 1.0 protocol), so the product's handlers use the real
 * `@aws-sdk/client-sfn` unchanged: StartExecution, SendTaskSuccess/Failure/Heartbeat, DescribeExecution,
 * GetExecutionHistory, ListExecutions.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutionExistsError, type LocalStepFunctions, TaskTokenError } from './engine';

type Body = Record<string, unknown>;

export async function startSfnApi(
  engine: LocalStepFunctions,
  stateMachineArn: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const actions: Record<string, (body: Body) => unknown> = {
    StartExecution: (b) => {
      if (b.stateMachineArn !== stateMachineArn)
        throw apiError('StateMachineDoesNotExist', `No state machine ${String(b.stateMachineArn)}`);
      const e = engine.start(String(b.name), String(b.input ?? '{}'));
      return { executionArn: e.executionArn, startDate: e.startDate / 1000 };
    },
    SendTaskSuccess: (b) => {
      engine.sendTaskSuccess(String(b.taskToken), String(b.output ?? '{}'));
      return {};
    },
    SendTaskFailure: (b) => {
      engine.sendTaskFailure(String(b.taskToken), b.error as string | undefined, b.cause as string | undefined);
      return {};
    },
    SendTaskHeartbeat: () => ({}),
    DescribeExecution: (b) => {
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
    ListExecutions: (b) => ({
      executions: [...engine.executions.values()]
        .filter((e) => !b.statusFilter || e.status === b.statusFilter)
        .map((e) => ({
          executionArn: e.executionArn,
          stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: e.startDate / 1000,
        })),
    }),
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
