// One group export in a process of its own, run as its Lambda runs it: the bundled jobs worker
// (`.build/functions/jobs`, as deployed) is handed the GroupExportRequested stream record.
// Prints one JSON line with the time, the process's peak RSS and the peaks of its parts.
// Usage: export-child.ts <event item as JSON>
import { pathToFileURL } from 'node:url';
import { marshall } from '@aws-sdk/util-dynamodb';

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const peak = { heapUsed: 0, external: 0, arrayBuffers: 0 };
const sample = () => {
  const m = process.memoryUsage();
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.external = Math.max(peak.external, m.external);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
};

const eventItem = JSON.parse(process.argv[2]!) as Record<string, unknown>;
const worker = new URL('../../.build/functions/jobs/index.mjs', import.meta.url);
const { handler } = (await import(pathToFileURL(worker.pathname).href)) as { handler: (event: unknown) => Promise<{ batchItemFailures: unknown[] }> };
const baseRssMb = mb(process.memoryUsage().rss);
const sampler = setInterval(sample, 10);
const started = performance.now();
const result = await handler({ Records: [{ eventName: 'INSERT', dynamodb: { NewImage: marshall(eventItem, { removeUndefinedValues: true }), SequenceNumber: '1' } }] });
const ms = performance.now() - started;
clearInterval(sampler);
sample();
console.log(JSON.stringify({
  ms, baseRssMb, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  heapMb: mb(peak.heapUsed), externalMb: mb(peak.external), arrayBuffersMb: mb(peak.arrayBuffers), failed: result.batchItemFailures.length > 0,
}));
// The SDK's keep-alive sockets would hold the process open.
process.exit(0);
