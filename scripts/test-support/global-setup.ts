import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    mailUrl: string;
    dynamoEndpoint: string;
    s3Endpoint: string;
    tableName: string;
    ballotTableName: string;
    /** What CloudFront's origin header carries: the API helper sends it, as the edge does. */
    originSecret: string;
    /** Everything the stack's handlers wrote to stdout and stderr, so tests can check what is logged. */
    logFile: string;
    /** Every secret of this deployment, for tests that play an operator holding all of them. */
    secrets: Record<'SIGNING_SECRET' | 'BALLOT_SECRET' | 'ARCHIVE_SIGNING_SECRET' | 'ORIGIN_SECRET', string>;
  }
}

/**
 * Copies everything this process writes (the handlers run here) into a file. The stack logs at
 * DEBUG so tests see every line a handler could write; DEBUG and INFO lines go only to the file.
 */
function captureLogs(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'moot-logs-')), 'stack.log');
  // Asynchronous, so logging never stalls the handlers that share this process.
  const out = createWriteStream(file, { flags: 'w' });
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      out.write(text);
      if (/^\{"level":"(DEBUG|INFO)"/.test(text)) {
        const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        done?.();
        return true;
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
  return file;
}

/** One real local stack for the whole integration run; tests reach it over HTTP. */
export default async function setup(project: TestProject) {
  const logFile = captureLogs();
  process.env.POWERTOOLS_LOG_LEVEL ??= 'DEBUG';
  const stack = await startStack();
  project.provide('appUrl', stack.appUrl);
  project.provide('mailUrl', stack.mailUrl);
  project.provide('dynamoEndpoint', stack.dynamoEndpoint);
  project.provide('s3Endpoint', stack.s3Endpoint);
  project.provide('tableName', stack.tableName);
  project.provide('ballotTableName', stack.ballotTableName);
  project.provide('originSecret', stack.originSecret);
  project.provide('logFile', logFile);
  const secret = (name: string) => process.env[name] ?? '';
  project.provide('secrets', {
    SIGNING_SECRET: secret('SIGNING_SECRET'),
    BALLOT_SECRET: secret('BALLOT_SECRET'),
    ARCHIVE_SIGNING_SECRET: secret('ARCHIVE_SIGNING_SECRET'),
    ORIGIN_SECRET: secret('ORIGIN_SECRET'),
  });
  return () => stack.stop();
}
