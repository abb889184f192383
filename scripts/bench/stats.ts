/** Percentile of already-collected samples (nearest rank). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;

export interface Sampled {
  p50: number;
  p99: number;
  dbRequests: Set<number>;
  capacity: number;
}

/**
 * Sends `count` requests one after another (concurrency 1, so latency is not queueing) and
 * collects latency plus the DynamoDB usage the local server reports per request.
 */
export async function sample(count: number, send: (i: number) => Promise<Response>): Promise<Sampled> {
  const latencies: number[] = [];
  const dbRequests = new Set<number>();
  let capacity = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await send(i);
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    if (!response.ok) throw new Error(`request ${i} answered ${response.status}`);
    dbRequests.add(Number(response.headers.get('x-moot-db-requests')));
    capacity += Number(response.headers.get('x-moot-db-capacity'));
  }
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), dbRequests, capacity: capacity / count };
}
