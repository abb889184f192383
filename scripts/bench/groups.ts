// Groups benchmark: DynamoDB requests and p50 latency for the group page, my groups, a member
// list page and inviting 100 people, on an in-memory local stack. Prints figures; asserts nothing.
import { pathToFileURL } from 'node:url';
import { startStack } from '../local/stack.ts';
import { ms, sample } from './stats.ts';

const RUNS = 200;

export async function main(): Promise<void> {
  console.log('## Groups');
  const stack = await startStack({ port: 0, mailPort: 0, schedulerIntervalMs: 86_400_000 });
  const url = (path: string) => `${stack.appUrl}${path}`;
  const json = { 'content-type': 'application/json' };
  let viewer = 0;
  const signIn = async (email: string) => {
    const headers = { ...json, 'x-moot-origin-verify': process.env.ORIGIN_SECRET ?? '', 'cloudfront-viewer-address': `198.18.${viewer++ % 256}.1:443` };
    await fetch(url('/api/auth/email'), { method: 'POST', headers, body: JSON.stringify({ email }) });
    const store = (await (await fetch(`${stack.mailUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; body: { text: string } }> };
    const text = store.emails.filter((e) => e.destination.to.includes(email)).at(-1)!.body.text;
    const token = /#token=([A-Za-z0-9_-]{43})/.exec(text)![1];
    const response = await fetch(url('/api/auth/token'), { method: 'POST', headers: json, body: JSON.stringify({ token }) });
    return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  };
  try {
    const cookie = await signIn('bench-admin@example.org');
    const created = await (await fetch(url('/api/groups'), { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ name: 'Benchmark Co-op' }) })).json() as { id: string; handle: string };
    // 120 members joined by link, so a member page is full.
    const link = await (await fetch(url(`/api/groups/${created.id}/join-link`), { method: 'POST', headers: { cookie } })).json() as { url: string };
    const token = link.url.split('#token=')[1];
    for (let i = 0; i < 120; i++) {
      const member = await signIn(`bench-member-${i}@example.org`);
      await fetch(url(`/api/join/${token}`), { method: 'POST', headers: { cookie: member } });
    }
    for (let i = 0; i < 5; i++) await fetch(url('/api/groups'), { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ name: `Other group ${i}` }) });

    const report = (label: string, s: Awaited<ReturnType<typeof sample>>) =>
      console.log(`${label}: p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, DynamoDB requests per call ${[...s.dbRequests].join('/')} (1 is the session read), ${s.capacity.toFixed(2)} capacity units`);
    report(`GET /api/groups/{id} ×${RUNS}`, await sample(RUNS, () => fetch(url(`/api/groups/${created.id}`), { headers: { cookie } })));
    report(`GET /api/groups/{handle} ×${RUNS}`, await sample(RUNS, () => fetch(url(`/api/groups/${created.handle}`), { headers: { cookie } })));
    report(`GET /api/groups (6 groups) ×${RUNS}`, await sample(RUNS, () => fetch(url('/api/groups'), { headers: { cookie } })));
    report(`GET /api/groups/{id}/memberships (page of 50 of 121) ×${RUNS}`, await sample(RUNS, () => fetch(url(`/api/groups/${created.id}/memberships`), { headers: { cookie } })));
    const emails = Array.from({ length: 100 }, (_, i) => `invitee-${i}@example.org`);
    report('POST /api/groups/{id}/invitations (100 emails) ×3', await sample(3, () => fetch(url(`/api/groups/${created.id}/invitations`), { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ emails }) })));
  } finally {
    await stack.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
