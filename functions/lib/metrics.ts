import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { config } from './config.ts';
import { logger } from './logger.ts';

/**
 * Every metric Moot emits, by name. Namespace `Moot`; each carries the `service` and `deployment`
 * dimensions, and a few one more (the sign-in method, the job). They reach CloudWatch as embedded
 * metric format (EMF) lines in the function's log, so there is no API call and no extra latency.
 */
export type MetricName =
  | 'SignIn'
  | 'Vote'
  | 'VoteWithdrawn'
  | 'EmailSent'
  | 'EmailFailed'
  | 'EmailSuppressed'
  | 'JobSucceeded'
  | 'JobFailed';

/** The extra dimension a metric may carry; a small closed set, since each value is its own metric series. */
export type MetricDimensions = { method?: string; job?: string };

export const METRICS_NAMESPACE = 'Moot';

// One per module load, like the logger. The local stack sets POWERTOOLS_METRICS_DISABLED, so
// `npm start` and the tests do not print EMF lines unless asked to.
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'moot', defaultDimensions: { deployment: config.deploymentId } });

/**
 * Counts one occurrence of `name` (or `value` of them). Without dimensions it is buffered and
 * flushed with the invocation's other metrics; with them it is written at once as its own EMF line.
 */
export function countMetric(name: MetricName, dimensions?: MetricDimensions, value = 1): void {
  const extra = Object.entries(dimensions ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (!extra.length) {
    metrics.addMetric(name, MetricUnit.Count, value);
    return;
  }
  const single = metrics.singleMetric();
  for (const [dimension, dimensionValue] of extra) single.addDimension(dimension, dimensionValue);
  single.addMetric(name, MetricUnit.Count, value);
}

/** Writes the buffered metrics (if any) as one EMF line. Each handler does this as it returns. */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/**
 * Wraps a Lambda handler so every log line of the invocation carries its request id (and the
 * function's name and cold start), and the invocation's metrics are flushed however it ends.
 */
export function observed<A extends [event?: any, context?: Context], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    const context = args[1];
    if (context?.awsRequestId) logger.addContext(context);
    try {
      return await handler(...args);
    } finally {
      flushMetrics();
    }
  };
}
