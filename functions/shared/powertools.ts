/**
 * Powertools set up once for every function: the logger (posting number as a key) and metrics (CloudWatch EMF) for
 * what ops watch. The local runtime observes the metrics instead of printing EMF, so `npm start` can report them.
 *
 * No Powertools Tracer: it is built on the AWS X-Ray SDK, which entered maintenance mode on 25 February 2026 (end of
 * support 25 February 2027; AWS recommends OpenTelemetry instead), and which cost every function ~100 KB of bundle
 * and ~50 ms of each cold start. Lambda's active tracing (each invocation's segments) and the state machine's X-Ray
 * tracing stay on in infra/; they need no SDK in the function.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as Unit } from '@aws-lambda-powertools/metrics/types';

const serviceName = 'ozon-autopilot';
export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: 'OzonAutopilot', serviceName });
export { MetricUnit };

export type MetricObserver = (metric: { name: string; unit: string; value: number; dimensions: Dims }) => void;
type Dims = Record<string, string>;
const observers = new Set<MetricObserver>();

/** Lets the local runtime and the benchmark count the metrics the functions emit. */
export function observeMetrics(observer: MetricObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/**
 * One metric with its own dimensions (a single-metric EMF record), so "Ozon calls by method" and "alerts by kind"
 * need no shared dimension state between concurrent invocations.
 */
export function emitMetric(name: string, value = 1, dimensions: Dims = {}, unit: Unit = MetricUnit.Count): void {
  for (const observe of observers) observe({ name, unit, value, dimensions });
  const single = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
  single.addMetric(name, unit, value);
}
