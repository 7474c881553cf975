/**
 * What the console reads, wherever the product runs: the executions of its three state machines, the ASL that runs
 * them, the seller's alerts and (locally) the Ozon calls. The records (orders, waits, returns, stock, buyers waiting)
 * are read through the product's own stores in both places (records.ts): the local runtime and the console CLI
 * point them at the same table the product writes.
 */
import type { DayFigures, Figure } from '../local/figures';

export const MACHINES = ['OrderLifecycle', 'ReturnLifecycle', 'Handover'] as const;
export type Machine = (typeof MACHINES)[number];

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT' | string;

export interface ExecutionSummary {
  machine: Machine;
  name: string;
  arn: string;
  status: ExecutionStatus;
  /** Epoch ms (simulated locally). */
  startDate: number;
  stopDate?: number;
  /** The last state entered, when the source knows it cheaply (always locally; in AWS for the rows shown). */
  lastState?: string;
  error?: string;
}

export interface HistoryStep {
  at: number;
  type: string;
  state?: string;
  error?: string;
  cause?: string;
}

export interface ExecutionDetail extends ExecutionSummary {
  input: unknown;
  history: HistoryStep[];
}

/** An alert the seller received (locally, with its text) or the product recorded (in AWS: kind and time). */
export interface SellerAlert {
  at: number;
  kind: string;
  severity?: string;
  postingNumber?: string;
  /** The text as sent, in the seller's language (alert-text.ts), when the source has it. */
  message?: string;
}

export interface OzonCallRecord {
  at: number;
  path: string;
  status: number;
}

export interface Figures {
  days: DayFigures[];
  total: Record<Figure, number>;
}

export interface ConsoleSource {
  /** Shown in the header: "local sandbox", "stack ozon-autopilot (eu-central-1)". */
  readonly label: string;
  /** Where actions are forwarded: `<sellerApiUrl>/<action>`. */
  readonly sellerApiUrl: string;
  /** The product's time (the compressed clock locally). */
  now(): number;
  definition(machine: Machine): Promise<Record<string, unknown>>;
  /** Every execution of the machine, newest first, with `lastState` where known. */
  executions(machine: Machine): Promise<ExecutionSummary[]>;
  /** Fills `lastState` of these executions (a no-op where it is known already). */
  withLastStates(executions: ExecutionSummary[]): Promise<ExecutionSummary[]>;
  execution(machine: Machine, name: string): Promise<ExecutionDetail | undefined>;
  /** Alerts about one posting, or every alert; oldest first. */
  alerts(postingNumber?: string): Promise<SellerAlert[]>;
  /** The Ozon calls about one posting, when the source knows them (the local sandbox does; AWS does not). */
  ozonCalls(postingNumber: string): Promise<OzonCallRecord[] | undefined>;
  figures(days: number): Promise<Figures>;
  /** The execution in the AWS console (AWS only). */
  executionLink(arn: string): string | undefined;
}

/** The posting an execution is for: its name, without the `_r<N>` of a resume or the `_R<id>` of a return. */
export const postingOfExecution = (name: string) => name.replace(/_[rR]\d+$/, '');

/** The posting in the Ozon seller cabinet (the link every alert carries, alert-text.ts). */
export const ozonPostingLink = (postingNumber: string) =>
  `https://seller.ozon.ru/app/postings/fbs?search=${encodeURIComponent(postingNumber)}`;

/** The execution in the AWS console, as the alerts link it. */
export const awsExecutionLink = (region: string, arn: string) =>
  `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${arn}`;
