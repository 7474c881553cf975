/**
 * Runs OrderLifecycle executions in-process with aws-local-stepfunctions, adding what that interpreter lacks:
 * Lambda tasks mapped to the in-process handlers, the `.waitForTaskToken` callback pattern with a token per task,
 * timeouts on the compressed clock, and a kept history per execution.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import type { CompressedClock } from './clock';

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';
const WAIT_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const INVOKE_RESOURCE = 'arn:aws:states:::lambda:invoke';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface HistoryEvent {
  at: number;
  type: string;
  state?: string;
  error?: string;
  cause?: string;
}

export interface Execution {
  executionArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: unknown;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** States entered: what AWS bills as state transitions. */
  transitions: number;
  lambdaInvocations: number;
  maxPayloadBytes: number;
  done: Promise<void>;
}

interface PendingTask {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

export class TaskTokenError extends Error {
  constructor(
    override readonly name: 'TaskDoesNotExist' | 'InvalidToken',
    message: string,
  ) {
    super(message);
  }
}
export class ExecutionExistsError extends Error {
  override name = 'ExecutionAlreadyExists';
}

type StateDef = Record<string, unknown> & { Type: string; Resource?: string; Parameters?: Record<string, unknown> };

function walkStates(definition: { States: Record<string, StateDef> }, visit: (name: string, state: StateDef) => void) {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    if (state.Type === 'Map') {
      const inner = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, StateDef> };
      walkStates(inner, visit);
    }
    if (state.Type === 'Parallel') {
      for (const branch of state.Branches as { States: Record<string, StateDef> }[]) walkStates(branch, visit);
    }
  }
}

/** Fails loudly on what the interpreter would silently mis-run (JSONata, Variables). */
function assertSupported(definition: Record<string, unknown>) {
  if (definition.QueryLanguage === 'JSONata') throw new Error('JSONata definitions are not supported locally');
  walkStates(definition as { States: Record<string, StateDef> }, (name, s) => {
    if (s.QueryLanguage === 'JSONata' || 'Assign' in s || 'Arguments' in s || 'Output' in s) {
      throw new Error(`State ${name} uses JSONata or Variables, which the local engine cannot run`);
    }
  });
}

export interface EngineOptions {
  definition: Record<string, unknown>;
  stateMachineArn: string;
  handlers: Map<string, Handler>;
  clock: CompressedClock;
  /** Retry intervals shorter than this (real ms) are not used, so backoff against a real-time rate limit stays real. */
  minRetryMs?: number;
}

export class LocalStepFunctions {
  readonly executions = new Map<string, Execution>();
  private readonly pending = new Map<string, PendingTask>();
  private readonly aborts = new Map<string, () => void>();
  private readonly machine: StateMachine;
  private readonly overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
  private readonly retryIntervals: Record<string, number[]> = {};
  private readonly listeners = new Set<(e: Execution) => void>();
  private readonly executionTimeoutSeconds: number | undefined;

  constructor(private readonly options: EngineOptions) {
    assertSupported(options.definition);
    const runnable = structuredClone(options.definition) as {
      States: Record<string, StateDef>;
      TimeoutSeconds?: number;
    };
    // Node timers overflow past ~24.8 days; the execution timeout runs on the compressed clock instead.
    this.executionTimeoutSeconds = runnable.TimeoutSeconds;
    delete runnable.TimeoutSeconds;
    walkStates(runnable, (name, state) => {
      if (state.Type !== 'Task') return;
      const resource = String(state.Resource);
      if (resource === WAIT_RESOURCE) {
        // Timeouts of waits run on the compressed clock here; the interpreter's own would use real seconds.
        const path = state.TimeoutSecondsPath;
        delete state.TimeoutSecondsPath;
        state.TimeoutSeconds = MAX_TIMER_SECONDS;
        this.overrides[name] = (input) =>
          this.runWait(name, input as Record<string, unknown>, path as string | undefined);
      } else if (resource === INVOKE_RESOURCE) {
        this.overrides[name] = async (input) => ({
          StatusCode: 200,
          Payload: await this.invoke(input as Record<string, unknown>),
        });
      } else if (resource.startsWith('arn:aws:lambda:')) {
        this.overrides[name] = (input) => this.invokeArn(resource, input);
      } else {
        throw new Error(`State ${name} uses ${resource}, which the local engine does not provide`);
      }
      const retry = state.Retry as { IntervalSeconds?: number }[] | undefined;
      if (retry) {
        this.retryIntervals[name] = retry.map((r) =>
          Math.max(options.minRetryMs ?? 50, options.clock.toReal((r.IntervalSeconds ?? 1) * 1000)),
        );
      }
    });
    this.machine = new StateMachine(runnable as never, { validationOptions: { checkArn: false } });
  }

  onExecutionDone(listener: (e: Execution) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(name: string, input: string): Execution {
    const executionArn = `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // StartExecution is idempotent for the same name and input; a different input is an error, as in AWS.
      if (existing.input === input) return existing;
      throw new ExecutionExistsError(`Execution ${name} already exists with a different input`);
    }
    const startDate = this.options.clock.now();
    const execution: Execution = {
      executionArn,
      name,
      input,
      status: 'RUNNING',
      startDate,
      history: [],
      transitions: 0,
      lambdaInvocations: 0,
      maxPayloadBytes: Buffer.byteLength(input),
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    const run = this.machine.run(JSON.parse(input), {
      overrides: {
        taskResourceLocalHandlers: this.withExecution(execution) as never,
        retryIntervalOverrides: this.retryIntervals,
      },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: JSON.parse(input),
          StartTime: new Date(startDate).toISOString(),
        },
        StateMachine: { Id: this.options.stateMachineArn, Name: this.options.stateMachineArn.split(':').pop() },
        Task: { Token: TOKEN_PLACEHOLDER },
      } as never,
    });
    this.aborts.set(executionArn, run.abort);
    const cancelTimeout = this.executionTimeoutSeconds
      ? this.options.clock.schedule(this.executionTimeoutSeconds * 1000, () => {
          execution.error = 'States.Timeout';
          run.abort();
        })
      : () => {};
    const history = this.collect(execution, run.eventLogs);
    execution.done = run.result
      .then(
        (output) => {
          execution.status = 'SUCCEEDED';
          execution.output = output;
        },
        (error: Error & { cause?: Error }) => {
          if (execution.error === 'States.Timeout') {
            execution.status = 'FAILED';
            execution.cause = 'The execution timed out';
            return;
          }
          execution.status = error.name === 'ExecutionAbortedError' ? 'ABORTED' : 'FAILED';
          const cause = error.cause ?? error;
          execution.error = cause.name;
          execution.cause = cause.message;
        },
      )
      .then(async () => {
        cancelTimeout();
        await history;
        execution.stopDate = this.options.clock.now();
        this.aborts.delete(executionArn);
        for (const listener of this.listeners) listener(execution);
      });
    return execution;
  }

  private withExecution(execution: Execution) {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [name, fn] of Object.entries(this.overrides)) {
      handlers[name] = async (input) => {
        execution.maxPayloadBytes = Math.max(execution.maxPayloadBytes, Buffer.byteLength(JSON.stringify(input)));
        return fn({ ...(input as object), [EXECUTION_KEY]: execution.executionArn });
      };
    }
    return handlers;
  }

  private async collect(execution: Execution, events: AsyncGenerator<EventLog>) {
    for await (const event of events) {
      const e = event as EventLog & { state?: { name: string }; error?: string; cause?: string };
      if (e.type === 'StateEntered') execution.transitions++;
      execution.history.push({
        at: this.options.clock.now(),
        type: e.type,
        state: e.state?.name,
        error: e.error,
        cause: e.cause,
      });
    }
  }

  private executionOf(input: Record<string, unknown>): Execution {
    const arn = input[EXECUTION_KEY] as string;
    const execution = this.executions.get(arn);
    if (!execution) throw new Error(`Unknown execution ${arn}`);
    delete input[EXECUTION_KEY];
    return execution;
  }

  private invokeArn(arn: string, input: unknown): Promise<unknown> {
    const execution = this.executionOf(input as Record<string, unknown>);
    return this.call(execution, arn, input);
  }

  private invoke(input: Record<string, unknown>): Promise<unknown> {
    const execution = this.executionOf(input);
    return this.call(execution, String(input.FunctionName), input.Payload);
  }

  private async call(execution: Execution, arn: string, payload: unknown): Promise<unknown> {
    const handler = this.options.handlers.get(arn);
    if (!handler) throw new Error(`No local handler for ${arn}`);
    execution.lambdaInvocations++;
    const result = await handler(payload, lambdaContext(arn));
    const bytes = Buffer.byteLength(JSON.stringify(result ?? null));
    execution.maxPayloadBytes = Math.max(execution.maxPayloadBytes, bytes);
    return result;
  }

  private runWait(
    stateName: string,
    input: Record<string, unknown>,
    timeoutPath: string | undefined,
  ): Promise<unknown> {
    const execution = this.executionOf(input);
    const token = `${execution.name}:${stateName}:${randomUUID()}`;
    const payload = JSON.parse(JSON.stringify(input.Payload).replaceAll(TOKEN_PLACEHOLDER, token)) as Record<
      string,
      unknown
    >;
    const timeoutSeconds = Number(payload.timeoutSeconds);
    if (timeoutPath && !(timeoutSeconds > 0)) {
      throw new Error(`${stateName}: the wait's Payload must carry timeoutSeconds (same path as ${timeoutPath})`);
    }
    return new Promise((resolve, reject) => {
      let cancelTimer = () => {};
      const finish = () => {
        this.pending.delete(token);
        cancelTimer();
      };
      this.pending.set(token, {
        executionArn: execution.executionArn,
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
        cancelTimer = this.options.clock.schedule(timeoutSeconds * 1000, () => {
          const timeout = new Error(`${stateName} timed out after ${timeoutSeconds} s`);
          timeout.name = 'States.Timeout';
          this.pending.get(token)?.reject(timeout);
        });
      }
      this.call(execution, String(input.FunctionName), payload).catch((error: Error) =>
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

  async stopAll(): Promise<void> {
    for (const abort of this.aborts.values()) abort();
    await Promise.allSettled([...this.executions.values()].map((e) => e.done));
  }
}

const EXECUTION_KEY = '__localExecutionArn';
/** Just under the largest delay a Node timer accepts (2^31 - 1 ms). */
const MAX_TIMER_SECONDS = 2_000_000;

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
