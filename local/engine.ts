/**
 * Runs OrderLifecycle executions in-process with aws-local-stepfunctions, adding what that interpreter lacks:
 * Lambda tasks mapped to the in-process handlers and the callback pattern (tasks.ts), timeouts on the compressed
 * clock, a kept history per execution, and — with a journal — executions that survive a restart (journal.ts).
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { CompressedClock } from './clock';
import type { Execution, HistoryEvent } from './execution';
import { compact, EntryGate, type Journal, type ResumePoint, replay } from './journal';
import { assertSupported, type Definition, type Handler, type TaskRun, TaskRunner, TOKEN_PLACEHOLDER } from './tasks';

export type { Execution, ExecutionStatus, HistoryEvent } from './execution';
export { type Handler, lambdaContext, TaskTokenError } from './tasks';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export class ExecutionExistsError extends Error {
  override name = 'ExecutionAlreadyExists';
}

export interface EngineOptions {
  definition: Record<string, unknown>;
  stateMachineArn: string;
  handlers: Map<string, Handler>;
  clock: CompressedClock;
  /** Retry intervals shorter than this (real ms) are not used, so backoff against a real-time rate limit stays real. */
  minRetryMs?: number;
  /** Keeps executions across restarts: the executions in it are restored at once and resumed by `resumeAll`. */
  journal?: Journal;
}

interface Run {
  /** A task waits here until the journal holds its state's entry. */
  gate: EntryGate;
  abort: () => void;
  stopping: boolean;
}

export class LocalStepFunctions {
  readonly executions = new Map<string, Execution>();
  private readonly runs = new Map<string, Run>();
  private readonly toResume = new Map<string, ResumePoint | undefined>();
  private readonly machines = new Map<string, StateMachine>();
  private readonly runnable: Definition;
  private readonly tasks: TaskRunner;
  private readonly listeners = new Set<(e: Execution) => void>();
  private readonly executionTimeoutSeconds: number | undefined;

  constructor(private readonly options: EngineOptions) {
    assertSupported(options.definition);
    this.runnable = structuredClone(options.definition) as unknown as Definition;
    // Node timers overflow past ~24.8 days; the execution timeout runs on the compressed clock instead.
    this.executionTimeoutSeconds = this.runnable.TimeoutSeconds;
    delete this.runnable.TimeoutSeconds;
    this.tasks = new TaskRunner(this.runnable, options.handlers, options.clock, options.minRetryMs);
    this.machineFrom(this.runnable.StartAt);
    const journaled = options.journal?.entries() ?? [];
    if (journaled.length) options.journal?.rewrite?.(compact(journaled));
    for (const { execution, resumeAt } of replay(journaled)) {
      const restored: Execution = { ...execution, executionArn: this.arnOf(execution.name), done: Promise.resolve() };
      this.executions.set(restored.executionArn, restored);
      if (restored.status === 'RUNNING') this.toResume.set(restored.executionArn, resumeAt);
    }
  }

  /** The ASL this engine runs, as deployed (DescribeStateMachine answers it). */
  get definition(): Record<string, unknown> {
    return this.options.definition;
  }

  private arnOf(name: string): string {
    return `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  onExecutionDone(listener: (e: Execution) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(name: string, input: string): Execution {
    const executionArn = this.arnOf(name);
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As in AWS: the same name and input while running is the same execution; anything else is an error.
      if (existing.input === input && existing.status === 'RUNNING') return existing;
      throw new ExecutionExistsError(`Execution ${name} already exists`);
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
    this.options.journal?.append({ kind: 'started', name, input, at: startDate });
    this.launch(execution, undefined, false);
    return execution;
  }

  /** Goes on with every execution that was running when the last run stopped, from the last state it entered. */
  resumeAll(): number {
    const resumed = [...this.toResume];
    this.toResume.clear();
    for (const [arn, from] of resumed) {
      const execution = this.executions.get(arn);
      // Resumed even when it had not entered its first state: it runs from the start, but it is the same execution.
      if (execution) this.launch(execution, from, true);
    }
    return resumed.length;
  }

  /**
   * The same definition entered at another state: how a restarted execution resumes. Only the definition as it is
   * is validated; entered elsewhere, the states before the entry are unreachable, which the validator refuses.
   */
  private machineFrom(startAt: string): StateMachine {
    let machine = this.machines.get(startAt);
    if (!machine) {
      const validationOptions =
        startAt === this.runnable.StartAt ? { checkArn: false } : { checkArn: false, noValidate: true };
      machine = new StateMachine({ ...this.runnable, StartAt: startAt } as never, { validationOptions });
      this.machines.set(startAt, machine);
    }
    return machine;
  }

  private launch(execution: Execution, from: ResumePoint | undefined, resumed: boolean) {
    const { clock, journal } = this.options;
    const name = execution.name;
    const run: Run = { gate: new EntryGate(), abort: () => {}, stopping: false };
    let waitTimeoutAt = from?.waitTimeoutAt;
    const taskRun: TaskRun = {
      execution,
      entered: (state) => run.gate.entered(state),
      waitStarted: (state, timeoutSeconds) => {
        const now = clock.now();
        // Only the wait the execution was in when it stopped goes on with what was left of its time.
        const timeoutAt = waitTimeoutAt ?? now + timeoutSeconds * 1000;
        waitTimeoutAt = undefined;
        journal?.append({ kind: 'wait', name, at: now, state, timeoutAt });
        return Math.max(1, Math.ceil((timeoutAt - now) / 1000));
      },
    };
    const result = this.machineFrom(from?.state ?? this.runnable.StartAt).run(
      from ? (from.input as never) : JSON.parse(execution.input),
      {
        overrides: {
          taskResourceLocalHandlers: this.tasks.handlersFor(taskRun) as never,
          retryIntervalOverrides: this.tasks.retryIntervals,
        },
        context: {
          Execution: {
            Id: execution.executionArn,
            Name: name,
            Input: JSON.parse(execution.input),
            StartTime: new Date(execution.startDate).toISOString(),
          },
          StateMachine: { Id: this.options.stateMachineArn, Name: this.options.stateMachineArn.split(':').pop() },
          Task: { Token: TOKEN_PLACEHOLDER },
        } as never,
      },
    );
    run.abort = result.abort;
    this.runs.set(execution.executionArn, run);
    const cancelTimeout = this.executionTimeoutSeconds
      ? clock.schedule(execution.startDate + this.executionTimeoutSeconds * 1000 - clock.now(), () => {
          execution.error = 'States.Timeout';
          result.abort();
        })
      : () => {};
    const history = this.collect(execution, run, result.eventLogs, resumed);
    execution.done = result.result
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
        execution.stopDate = clock.now();
        this.runs.delete(execution.executionArn);
        // Stopped with the runtime: still running as far as the journal goes, and resumed by the next start.
        if (!run.stopping) {
          journal?.append({
            kind: 'ended',
            name,
            at: execution.stopDate,
            status: execution.status,
            error: execution.error,
            cause: execution.cause,
            output: execution.output,
            invocations: execution.lambdaInvocations,
            maxPayloadBytes: execution.maxPayloadBytes,
          });
        }
        for (const listener of this.listeners) listener(execution);
      });
  }

  private async collect(execution: Execution, run: Run, events: AsyncGenerator<EventLog>, resumed: boolean) {
    const topLevel = this.runnable.States;
    for await (const event of events) {
      const e = event as EventLog & { state?: { name: string; input: unknown }; index?: number };
      const failure = e as { Error?: string; Cause?: unknown };
      const type = resumed && e.type === 'ExecutionStarted' ? 'ExecutionResumed' : e.type;
      const state = e.state?.name;
      if (type === 'StateEntered') execution.transitions++;
      const h: HistoryEvent = { at: this.options.clock.now(), type, state };
      if (failure.Error !== undefined) h.error = failure.Error;
      if (failure.Cause !== undefined) h.cause = String(failure.Cause);
      execution.history.push(h);
      const resumePoint = type === 'StateEntered' && e.index === undefined && state !== undefined && state in topLevel;
      this.options.journal?.append({
        kind: 'event',
        name: execution.name,
        ...h,
        ...(resumePoint
          ? {
              input: e.state?.input,
              invocations: execution.lambdaInvocations,
              maxPayloadBytes: execution.maxPayloadBytes,
            }
          : {}),
      });
      if (state && (type === 'StateEntered' || type === 'StateRetried')) run.gate.recorded(state);
    }
  }

  sendTaskSuccess(token: string, output: string): void {
    this.tasks.sendTaskSuccess(token, output);
  }

  sendTaskFailure(token: string, error?: string, cause?: string): void {
    this.tasks.sendTaskFailure(token, error, cause);
  }

  get waiting(): number {
    return this.tasks.waiting;
  }

  /** Stops every running execution without recording an end: with a journal, the next start resumes them. */
  async stopAll(): Promise<void> {
    for (const run of this.runs.values()) {
      run.stopping = true;
      run.abort();
    }
    await Promise.allSettled([...this.executions.values()].map((e) => e.done));
  }
}
