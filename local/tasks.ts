/**
 * How each Task state runs locally, which aws-local-stepfunctions leaves to us: a Lambda ARN or `lambda:invoke`
 * runs the in-process handler; `lambda:invoke.waitForTaskToken` runs it with a fresh task token and waits for
 * SendTaskSuccess/Failure with that token, with its timeout on the compressed clock.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { CompressedClock } from './clock';
import type { Execution } from './execution';

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

export const TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';
const WAIT_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const INVOKE_RESOURCE = 'arn:aws:states:::lambda:invoke';
/** Just under the largest delay a Node timer accepts (2^31 - 1 ms). */
const MAX_TIMER_SECONDS = 2_000_000;

export type StateDef = Record<string, unknown> & { Type: string; Resource?: string };
export interface Definition {
  StartAt: string;
  States: Record<string, StateDef>;
  TimeoutSeconds?: number;
}

export function walkStates(
  definition: { States: Record<string, StateDef> },
  visit: (name: string, s: StateDef) => void,
) {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    if (state.Type === 'Map') walkStates((state.ItemProcessor ?? state.Iterator) as Definition, visit);
    if (state.Type === 'Parallel') for (const branch of state.Branches as Definition[]) walkStates(branch, visit);
  }
}

/** Fails loudly on what the interpreter would silently mis-run (JSONata, Variables). */
export function assertSupported(definition: Record<string, unknown>) {
  if (definition.QueryLanguage === 'JSONata') throw new Error('JSONata definitions are not supported locally');
  walkStates(definition as unknown as Definition, (name, s) => {
    if (s.QueryLanguage === 'JSONata' || 'Assign' in s || 'Arguments' in s || 'Output' in s) {
      throw new Error(`State ${name} uses JSONata or Variables, which the local engine cannot run`);
    }
  });
}

/** What a task needs from the execution it runs in. */
export interface TaskRun {
  execution: Execution;
  /** Resolves once the journal holds this state's entry (or retry): nothing runs before a restart could redo it. */
  entered(state: string): Promise<void>;
  /** A callback wait starts with this timeout; returns the timeout to use (what is left of it, after a restart). */
  waitStarted(state: string, timeoutSeconds: number): number;
}

export class TaskTokenError extends Error {
  constructor(
    override readonly name: 'TaskDoesNotExist' | 'InvalidToken',
    message: string,
  ) {
    super(message);
  }
}

interface PendingTask {
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

type Override = (input: Record<string, unknown>, run: TaskRun) => Promise<unknown>;

export class TaskRunner {
  readonly retryIntervals: Record<string, number[]> = {};
  private readonly overrides: Record<string, Override> = {};
  private readonly pending = new Map<string, PendingTask>();

  /** Maps every Task of `runnable` to a local override; changes `runnable`'s waits to run on the clock. */
  constructor(
    runnable: Definition,
    private readonly handlers: Map<string, Handler>,
    private readonly clock: CompressedClock,
    minRetryMs = 50,
  ) {
    walkStates(runnable, (name, state) => {
      if (state.Type !== 'Task') return;
      const resource = String(state.Resource);
      if (resource === WAIT_RESOURCE) {
        // Timeouts of waits run on the compressed clock here; the interpreter's own would use real seconds.
        const path = state.TimeoutSecondsPath as string | undefined;
        delete state.TimeoutSecondsPath;
        state.TimeoutSeconds = MAX_TIMER_SECONDS;
        this.overrides[name] = (input, run) => this.runWait(name, input, path, run);
      } else if (resource === INVOKE_RESOURCE) {
        this.overrides[name] = async (input, run) => ({
          StatusCode: 200,
          Payload: await this.call(run.execution, String(input.FunctionName), input.Payload),
        });
      } else if (resource.startsWith('arn:aws:lambda:')) {
        this.overrides[name] = (input, run) => this.call(run.execution, resource, input);
      } else {
        throw new Error(`State ${name} uses ${resource}, which the local engine does not provide`);
      }
      const retry = state.Retry as { IntervalSeconds?: number }[] | undefined;
      if (retry) {
        this.retryIntervals[name] = retry.map((r) =>
          Math.max(minRetryMs, clock.toReal((r.IntervalSeconds ?? 1) * 1000)),
        );
      }
    });
  }

  /** The interpreter's task overrides (keyed by state name) for one execution. */
  handlersFor(run: TaskRun): Record<string, (input: unknown) => Promise<unknown>> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [name, override] of Object.entries(this.overrides)) {
      handlers[name] = async (input) => {
        const e = run.execution;
        e.maxPayloadBytes = Math.max(e.maxPayloadBytes, Buffer.byteLength(JSON.stringify(input)));
        await run.entered(name);
        return override(input as Record<string, unknown>, run);
      };
    }
    return handlers;
  }

  private async call(execution: Execution, arn: string, payload: unknown): Promise<unknown> {
    const handler = this.handlers.get(arn);
    if (!handler) throw new Error(`No local handler for ${arn}`);
    execution.lambdaInvocations++;
    const result = await handler(payload, lambdaContext(arn));
    const bytes = Buffer.byteLength(JSON.stringify(result ?? null));
    execution.maxPayloadBytes = Math.max(execution.maxPayloadBytes, bytes);
    return result;
  }

  private runWait(state: string, input: Record<string, unknown>, timeoutPath: string | undefined, run: TaskRun) {
    const token = `${run.execution.name}:${state}:${randomUUID()}`;
    const payload = JSON.parse(JSON.stringify(input.Payload).replaceAll(TOKEN_PLACEHOLDER, token)) as Record<
      string,
      unknown
    >;
    let timeoutSeconds = Number(payload.timeoutSeconds);
    if (timeoutPath && !(timeoutSeconds > 0)) {
      throw new Error(`${state}: the wait's Payload must carry timeoutSeconds (same path as ${timeoutPath})`);
    }
    if (timeoutSeconds > 0) {
      timeoutSeconds = run.waitStarted(state, timeoutSeconds);
      payload.timeoutSeconds = timeoutSeconds;
    }
    return new Promise((resolve, reject) => {
      let cancelTimer = () => {};
      const finish = () => {
        this.pending.delete(token);
        cancelTimer();
      };
      this.pending.set(token, {
        resolve: (output) => {
          finish();
          resolve(output);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      if (timeoutSeconds > 0) {
        cancelTimer = this.clock.schedule(timeoutSeconds * 1000, () => {
          const timeout = new Error(`${state} timed out after ${timeoutSeconds} s`);
          timeout.name = 'States.Timeout';
          this.pending.get(token)?.reject(timeout);
        });
      }
      this.call(run.execution, String(input.FunctionName), payload).catch((error: Error) =>
        this.pending.get(token)?.reject(error),
      );
    });
  }

  sendTaskSuccess(token: string, output: string): void {
    const task = this.pending.get(token);
    if (!task) throw new TaskTokenError('TaskDoesNotExist', 'Task does not exist anymore or has timed out');
    task.resolve(JSON.parse(output));
  }

  sendTaskFailure(token: string, error = 'TaskFailed', cause = ''): void {
    const task = this.pending.get(token);
    if (!task) throw new TaskTokenError('TaskDoesNotExist', 'Task does not exist anymore or has timed out');
    const failure = new Error(cause);
    failure.name = error;
    task.reject(failure);
  }

  get waiting(): number {
    return this.pending.size;
  }
}

export function lambdaContext(arn: string): Context {
  const functionName = arn.split(':').pop() ?? arn;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
