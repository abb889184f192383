// Helpers shared by the benchmarks: sign people in against a running stack and seed items fast.
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Stack } from '../local/stack.ts';

export async function signIn(stack: Stack, email: string, viewer: number): Promise<string> {
  const json = { 'content-type': 'application/json' };
  await fetch(`${stack.appUrl}/api/auth/email`, { method: 'POST', headers: { ...json, 'x-moot-origin-verify': process.env.ORIGIN_SECRET ?? '', 'cloudfront-viewer-address': `198.18.${viewer % 256}.${Math.floor(viewer / 256) % 256}:443` }, body: JSON.stringify({ email }) });
  const store = (await (await fetch(`${stack.mailUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; body: { text: string } }> };
  const text = store.emails.filter((e) => e.destination.to.includes(email)).at(-1)!.body.text;
  const token = /#token=([A-Za-z0-9_-]{43})/.exec(text)![1];
  const response = await fetch(`${stack.appUrl}/api/auth/token`, { method: 'POST', headers: json, body: JSON.stringify({ token }) });
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}

export function table(stack: Stack) {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  return {
    async putAll(items: Array<Record<string, unknown>>) {
      for (let i = 0; i < items.length; i += 25) {
        await client.send(new BatchWriteCommand({ RequestItems: { [stack.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
      }
    },
    client,
  };
}
