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

/** Every function is deployed with 256 MB (infra/constructs/step-function.ts). */
export const LAMBDA_MEMORY_GB = 256 / 1024;

export interface Usage {
  transitions: number;
  lambdaInvocations: number;
  lambdaMs: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  snsPublishes: number;
}

export type Bill = Record<'stepFunctions' | 'lambdaRequests' | 'lambdaDuration' | 'dynamoDb' | 'sns' | 'total', number>;

/** Dollars for the given usage. */
export function bill(u: Usage): Bill {
  const parts = {
    stepFunctions: u.transitions * PRICES.stepFunctionsTransition,
    lambdaRequests: u.lambdaInvocations * PRICES.lambdaRequest,
    lambdaDuration: (u.lambdaMs / 1000) * LAMBDA_MEMORY_GB * PRICES.lambdaGbSecond,
    dynamoDb: u.dynamoWriteUnits * PRICES.dynamoWriteUnit + u.dynamoReadUnits * PRICES.dynamoReadUnit,
    sns: u.snsPublishes * PRICES.snsPublish,
  };
  return { ...parts, total: Object.values(parts).reduce((s, x) => s + x, 0) };
}
