/** An execution as the local engine keeps it, and as DescribeExecution and GetExecutionHistory report it. */
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
