import type { TestProject } from 'vitest/node';
import { startStack } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    mailUrl: string;
    dynamoEndpoint: string;
    s3Endpoint: string;
    tableName: string;
  }
}

/** One real local stack for the whole integration run; tests reach it over HTTP. */
export default async function setup(project: TestProject) {
  const stack = await startStack();
  project.provide('appUrl', stack.appUrl);
  project.provide('mailUrl', stack.mailUrl);
  project.provide('dynamoEndpoint', stack.dynamoEndpoint);
  project.provide('s3Endpoint', stack.s3Endpoint);
  project.provide('tableName', stack.tableName);
  return () => stack.stop();
}
