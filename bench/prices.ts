/**
 * AWS list prices the benchmark's bill estimate uses, in one place (US East, on-demand, checked Nov 2026).
 * Everything else the stack runs (X-Ray traces, CloudWatch Logs ingestion, S3 PUTs for labels, Secrets Manager
 * reads behind a 5-minute cache, the poller's schedule) is left out of the estimate and named in the README.
 */
export const PRICES = {
  /** Step Functions Standard: per state transition. */
  stepFunctionsTransition: 0.025 / 1_000,
  /** Lambda on arm64: per request. */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda on arm64: per GB-second of duration. */
  lambdaGbSecond: 0.0000133334,
  /** DynamoDB on-demand: per write request unit. */
  dynamoWriteUnit: 0.625 / 1_000_000,
  /** DynamoDB on-demand: per read request unit. */
  dynamoReadUnit: 0.125 / 1_000_000,
  /** SNS: per publish (64 KB chunk). */
  snsPublish: 0.5 / 1_000_000,
} as const;

/** One function's measured duration and the memory it is deployed with (the synthesized stack's `MemorySize`). */
export interface FunctionDuration {
  totalMs: number;
  memoryMb: number;
}

export interface Usage {
  transitions: number;
  lambdaInvocations: number;
  /** By function: each function's duration is billed at its own memory size. */
  lambdaByFunction: Record<string, FunctionDuration>;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  snsPublishes: number;
}

export type Bill = Record<'stepFunctions' | 'lambdaRequests' | 'lambdaDuration' | 'dynamoDb' | 'sns' | 'total', number>;

/** GB-seconds of one function's measured duration at its memory size. */
export const gbSeconds = (f: FunctionDuration) => (f.totalMs / 1000) * (f.memoryMb / 1024);

/** Dollars for the given usage. */
export function bill(u: Usage): Bill {
  const lambdaGbSeconds = Object.values(u.lambdaByFunction).reduce((s, f) => s + gbSeconds(f), 0);
  const parts = {
    stepFunctions: u.transitions * PRICES.stepFunctionsTransition,
    lambdaRequests: u.lambdaInvocations * PRICES.lambdaRequest,
    lambdaDuration: lambdaGbSeconds * PRICES.lambdaGbSecond,
    dynamoDb: u.dynamoWriteUnits * PRICES.dynamoWriteUnit + u.dynamoReadUnits * PRICES.dynamoReadUnit,
    sns: u.snsPublishes * PRICES.snsPublish,
  };
  return { ...parts, total: Object.values(parts).reduce((s, x) => s + x, 0) };
}
