import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { describe, expect, inject, it } from 'vitest';
import { createGroup, groupWithMembers } from '../scripts/test-support/groups.ts';
import { api, latestSignIn, mailTo, randomViewer, signIn, uniqueEmail, type ApiResponse } from '../scripts/test-support/api.ts';
import { MAX_ATTACHMENT_BYTES } from '../shared/attachments.ts';
import { MAX_GUESSES } from './auth/guesses.ts';
import { signInLimits } from './auth/request-sign-in.ts';
import { passwordSignInLimits } from './auth/sign-in-password.ts';
import { groupExportLimit } from './exports/group-export.ts';
import { importLimit } from './exports/group-import.ts';
import { joinRequestLimit } from './groups/membership-requests.ts';
import { uploadLimits } from './discussions/uploads.ts';
import { announcementLimit } from './notifications/announce.ts';

// Abuse limits: one test per limit. Each fills its limit, proves the next request answers 429
// with Retry-After, and proves that what an attacker would vary does not reset it: the case, dots
// and +tag of an address, and a viewer address named by a caller who went around CloudFront
// (no origin secret), which the API must not believe.

type Limited = Pick<ApiResponse, 'status' | 'headers'>;

function expectLimited(response: Limited) {
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
}

/** The same call as a caller who bypassed CloudFront would make it, naming a viewer of its choosing. */
const forged = (method: string, path: string, options: Parameters<typeof api>[2] = {}) =>
  api(method, path, { ...options, edge: false, headers: { ...options.headers, 'cloudfront-viewer-address': randomViewer() } });

/** A fresh loopback /24 (never 127.0.0.x, which every other test shares), to be one caller's own address. */
const loopbackNetwork = () => `127.${100 + (randomBytes(1)[0]! % 150)}.${randomBytes(1)[0]}`;

/**
 * A request straight to the API, without the origin secret, from `source` (a loopback address of
 * this machine), naming a different made-up viewer each time: what a caller who found the API
 * behind CloudFront could send. Only the connection's own address may count.
 */
function bypassing(source: string, method: string, path: string, body: unknown): Promise<Limited> {
  const app = new URL(inject('appUrl'));
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      {
        host: '127.0.0.1',
        port: Number(app.port),
        localAddress: source,
        method,
        path,
        headers: { host: app.host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'cloudfront-viewer-address': randomViewer() },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers.set(name, value);
          resolve({ status: response.statusCode ?? 0, headers });
        });
      },
    );
    sent.on('error', reject);
    sent.end(payload);
  });
}

/** Fixed-window limits: a test that fills one waits rather than straddle the window's end. */
async function awayFromWindowEdge(windowSeconds: number, marginSeconds = 60) {
  const intoWindow = (Date.now() / 1000) % windowSeconds;
  if (intoWindow > windowSeconds - marginSeconds) await new Promise((r) => setTimeout(r, (windowSeconds - intoWindow + 1) * 1000));
}

/** One mailbox under several spellings that mail providers deliver to the same person. */
function spellings(local = `kea${randomBytes(4).toString('hex')}`) {
  const at = '@example.org';
  return {
    plain: `${local}${at}`,
    variants: [`${local.toUpperCase()}${at}`, `${local.slice(0, 3)}.${local.slice(3)}${at}`, `${local}+moot${at}`, `${local.slice(0, 2)}.${local.slice(2)}+x${at}`, ` ${local}${at} `],
  };
}

const wrongFor = (code: string, i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');

describe('abuse limits: signing in', { timeout: 240_000 }, () => {
  it('limits sign-in emails per address, however the address is spelt and wherever the caller says it is', async () => {
    await awayFromWindowEdge(signInLimits.perEmail.windowSeconds);
    const { plain, variants } = spellings();
    for (const spelling of variants) {
      expect((await api('POST', '/api/auth/email', { body: { email: spelling }, headers: { 'cloudfront-viewer-address': randomViewer() } })).status).toBe(202);
    }
    expect(variants).toHaveLength(signInLimits.perEmail.limit);
    const delivered = (await mailTo(plain)).length;
    expectLimited(await api('POST', '/api/auth/email', { body: { email: plain }, headers: { 'cloudfront-viewer-address': randomViewer() } }));
    expectLimited(await forged('POST', '/api/auth/email', { body: { email: plain } }));
    expect(await mailTo(plain)).toHaveLength(delivered);
  });

  it('limits sign-in emails per caller address, which a made-up viewer header does not change', async () => {
    await awayFromWindowEdge(signInLimits.perIp.windowSeconds);
    const network = loopbackNetwork();
    for (let i = 0; i < signInLimits.perIp.limit; i++) {
      expect((await bypassing(`${network}.${1 + (i % 2)}`, 'POST', '/api/auth/email', { email: uniqueEmail() })).status).toBe(202);
    }
    expectLimited(await bypassing(`${network}.3`, 'POST', '/api/auth/email', { email: uniqueEmail() }));
  });

  it('limits code guesses per address across requests, spellings and made-up viewers: even the right code then waits', async () => {
    const { plain, variants } = spellings();
    let guesses = 0;
    for (const spelling of variants.slice(0, 2)) {
      await api('POST', '/api/auth/email', { body: { email: spelling }, headers: { 'cloudfront-viewer-address': randomViewer() } });
      const { code } = await latestSignIn(spelling.trim().toLowerCase());
      for (let i = 0; i < MAX_GUESSES / 2; i++, guesses++) {
        expect((await forged('POST', '/api/auth/token', { body: { email: spelling, code: wrongFor(code, i) } })).status).toBe(401);
      }
    }
    expect(guesses).toBe(MAX_GUESSES);
    await api('POST', '/api/auth/email', { body: { email: plain }, headers: { 'cloudfront-viewer-address': randomViewer() } });
    const paused = await api('POST', '/api/auth/token', { body: { email: plain, code: (await latestSignIn(plain)).code } });
    expectLimited(paused);
    expect(paused.body.error.code).toBe('sign_in_paused');
  });

  it('limits password guesses per address across spellings and made-up viewers, and an unknown address alike', async () => {
    const { plain, variants: tried } = spellings();
    const person = await signIn(plain);
    const password = 'a long and careful passphrase';
    expect((await api('PUT', '/api/me/password', { cookie: person.cookie, body: { password } })).status).toBe(200);
    // From a loopback network of this test's own, so its attempts count against no other test's caller address.
    const network = loopbackNetwork();
    const answers = [];
    for (let i = 0; i < MAX_GUESSES; i++) answers.push((await bypassing(`${network}.${1 + i}`, 'POST', '/api/auth/password', { email: tried[i % tried.length]!, password: `guess ${i}` })).status);
    expect(answers).toEqual(Array(MAX_GUESSES).fill(401));
    expectLimited(await api('POST', '/api/auth/password', { body: { email: person.email, password }, headers: { 'cloudfront-viewer-address': randomViewer() } }));

    const unknown = spellings();
    for (let i = 0; i < MAX_GUESSES; i++) await bypassing(`${network}.${1 + i}`, 'POST', '/api/auth/password', { email: unknown.variants[i % unknown.variants.length]!, password: `guess ${i}` });
    expectLimited(await api('POST', '/api/auth/password', { body: { email: unknown.plain, password }, headers: { 'cloudfront-viewer-address': randomViewer() } }));
  });

  it('limits password attempts per caller address, which a made-up viewer header does not change', async () => {
    await awayFromWindowEdge(passwordSignInLimits.perIp.windowSeconds, 180);
    const network = loopbackNetwork();
    // A few at a time: each is a real scrypt comparison.
    for (let i = 0; i < passwordSignInLimits.perIp.limit; i += 5) {
      const answers = await Promise.all(Array.from({ length: 5 }, (_, j) => bypassing(`${network}.${1 + j}`, 'POST', '/api/auth/password', { email: uniqueEmail(), password: `guess ${i + j}` })));
      expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    }
    expectLimited(await bypassing(`${network}.9`, 'POST', '/api/auth/password', { email: uniqueEmail(), password: 'one more' }));
  }, 300_000);
});

describe('abuse limits: invitations and joining', { timeout: 240_000 }, () => {
  it('limits invitations per inviter per day: spelling addresses differently or naming another viewer sends no more', async () => {
    await awayFromWindowEdge(86_400);
    const { admin, group } = await groupWithMembers(0);
    const limit = Number(process.env.INVITATIONS_PER_DAY ?? 60);
    const batch = Array.from({ length: limit }, () => uniqueEmail('bulk'));
    expect((await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: batch } })).status).toBe(201);
    const respelt = spellings().variants.slice(0, 3);
    expectLimited(await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: respelt } }));
    expectLimited(await forged('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [uniqueEmail()] } }));
    // Another group of the same inviter draws on the same allowance.
    const other = await createGroup(admin.cookie);
    expectLimited(await api('POST', `/api/groups/${other.id}/invitations`, { cookie: admin.cookie, body: { emails: [uniqueEmail()] } }));
  });

  it('limits invitation emails to one address from one group: its other spellings wait out the same cool-down', async () => {
    const { admin, group } = await groupWithMembers(0);
    const { plain, variants } = spellings();
    expect((await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [plain] } })).status).toBe(201);
    for (const spelling of variants.slice(1, 4)) {
      expectLimited(await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [spelling] } }));
    }
    expect(await mailTo(plain)).toHaveLength(1);
  });

  it('limits invitation resends: within the cool-down a resend waits, whichever spelling was invited and whatever viewer is named', async () => {
    const { admin, group } = await groupWithMembers(0);
    const { plain, variants } = spellings();
    const sent = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [variants[2]!] } });
    expect(sent.status).toBe(201);
    const id = sent.body.invitations[0].id as string;
    expectLimited(await api('POST', `/api/invitations/${id}/resend`, { cookie: admin.cookie }));
    expectLimited(await forged('POST', `/api/invitations/${id}/resend`, { cookie: admin.cookie }));
    // Withdrawn and invited again under another spelling: still cooling.
    expect((await api('DELETE', `/api/invitations/${id}`, { cookie: admin.cookie })).status).toBe(204);
    expectLimited(await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [plain] } }));
    expect(await mailTo(variants[2]!)).toHaveLength(1);
    expect(await mailTo(plain)).toHaveLength(0);
  });

  it('limits requests to join per person per day, even when each is ignored and made again', async () => {
    const { admin, group } = await groupWithMembers(0, { membershipGranting: 'approval' });
    const person = await signIn();
    for (let i = 0; i < joinRequestLimit.limit; i++) {
      expect((await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: person.cookie, body: {} })).status).toBe(201);
      expect((await api('POST', `/api/membership-requests/${group.id}.${person.userId}/ignore`, { cookie: admin.cookie })).status).toBe(200);
    }
    expectLimited(await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: person.cookie, body: {} }));
    expectLimited(await forged('POST', `/api/groups/${group.id}/membership-requests`, { cookie: person.cookie, body: {} }));
    const elsewhere = await groupWithMembers(0, { membershipGranting: 'approval' });
    expectLimited(await api('POST', `/api/groups/${elsewhere.group.id}/membership-requests`, { cookie: person.cookie, body: {} }));
  });
});

describe('abuse limits: exports and imports', { timeout: 240_000 }, () => {
  it('limits exports of one group per hour, whatever viewer is named', async () => {
    await awayFromWindowEdge(groupExportLimit.windowSeconds);
    const { admin, group } = await groupWithMembers(0);
    for (let i = 0; i < groupExportLimit.limit; i++) expect((await api('POST', `/api/groups/${group.id}/exports`, { cookie: admin.cookie })).status).toBe(202);
    expectLimited(await api('POST', `/api/groups/${group.id}/exports`, { cookie: admin.cookie }));
    expectLimited(await forged('POST', `/api/groups/${group.id}/exports`, { cookie: admin.cookie }));
  });

  it('limits personal archives per person per day, whatever viewer is named', async () => {
    await awayFromWindowEdge(86_400);
    const person = await signIn();
    for (let i = 0; i < 5; i++) expect((await api('POST', '/api/me/exports', { cookie: person.cookie })).status).toBe(202);
    expectLimited(await api('POST', '/api/me/exports', { cookie: person.cookie }));
    expectLimited(await forged('POST', '/api/me/exports', { cookie: person.cookie }));
  });

  it('limits imports per person per hour, whatever viewer is named', async () => {
    await awayFromWindowEdge(importLimit.windowSeconds);
    const person = await signIn();
    const upload = async () => {
      const gz = gzipSync('{"not":"an archive"}\n');
      const requested = await api('POST', '/api/imports/uploads', { cookie: person.cookie, body: { size: gz.length } });
      expect(requested.status).toBe(201);
      const form = new FormData();
      for (const [k, v] of Object.entries(requested.body.fields as Record<string, string>)) form.append(k, v);
      form.append('file', new Blob([new Uint8Array(gz)], { type: 'application/gzip' }), 'archive.ndjson.gz');
      expect((await fetch(requested.body.url, { method: 'POST', body: form })).status).toBeLessThan(300);
      return requested.body.uploadKey as string;
    };
    for (let i = 0; i < importLimit.limit; i++) expect((await api('POST', '/api/imports', { cookie: person.cookie, body: { uploadKey: await upload() } })).status).toBe(202);
    const uploadKey = await upload();
    expectLimited(await api('POST', '/api/imports', { cookie: person.cookie, body: { uploadKey } }));
    expectLimited(await forged('POST', '/api/imports', { cookie: person.cookie, body: { uploadKey } }));
  });
});

describe('abuse limits: announcements and uploads', { timeout: 240_000 }, () => {
  it('limits announcements per person per day, across threads and groups, whatever viewer is named', async () => {
    await awayFromWindowEdge(announcementLimit.windowSeconds);
    const { admin, group } = await groupWithMembers(0);
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Working bee' } })).body;
    const announce = (id: string) => ({ subject: { type: 'discussion', id }, audience: { kind: 'group' } });
    for (let i = 0; i < announcementLimit.limit; i++) expect((await api('POST', '/api/announcements', { cookie: admin.cookie, body: announce(thread.id) })).status).toBe(202);
    expectLimited(await api('POST', '/api/announcements', { cookie: admin.cookie, body: announce(thread.id) }));
    expectLimited(await forged('POST', '/api/announcements', { cookie: admin.cookie, body: announce(thread.id) }));
    const other = await createGroup(admin.cookie);
    const elsewhere = (await api('POST', `/api/groups/${other.id}/discussions`, { cookie: admin.cookie, body: { title: 'Elsewhere' } })).body;
    expectLimited(await api('POST', '/api/announcements', { cookie: admin.cookie, body: announce(elsewhere.id) }));

    // Every other way of emailing an audience spends the same allowance: announcing a new thread,
    // poll or outcome, and reminding voters. Refused before anything is written.
    const aWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const announced = await api('POST', `/api/groups/${other.id}/discussions`, { cookie: admin.cookie, body: { title: 'Announced thread', announce: { kind: 'group' } } });
    expectLimited(announced);
    const threads = await api('GET', `/api/groups/${other.id}/discussions`, { cookie: admin.cookie });
    expect(JSON.stringify(threads.body)).not.toContain('Announced thread');
    expectLimited(await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: other.id, title: 'Announced poll', type: 'proposal', closingAt: aWeek, announce: { kind: 'group' } } }));
    const poll = await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: other.id, title: 'Quiet poll', type: 'proposal', closingAt: aWeek } });
    expect(poll.status).toBe(201);
    expectLimited(await api('POST', `/api/polls/${poll.body.id}/remind`, { cookie: admin.cookie, body: {} }));
    expect((await api('POST', `/api/polls/${poll.body.id}/close`, { cookie: admin.cookie })).status).toBe(200);
    expectLimited(await api('POST', `/api/polls/${poll.body.id}/outcome`, { cookie: admin.cookie, body: { statement: 'Agreed.', announce: { kind: 'group' } } }));
    expect((await api('GET', `/api/polls/${poll.body.id}`, { cookie: admin.cookie })).body.outcome ?? null).toBeNull();
  });

  it('limits uploads per person per day by count, whatever viewer is named', async () => {
    await awayFromWindowEdge(uploadLimits.count.windowSeconds);
    const person = await signIn();
    const file = { filename: 'notes.txt', contentType: 'text/plain', size: 10 };
    for (let i = 0; i < uploadLimits.count.limit; i += 10) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => api('POST', '/api/uploads', { cookie: person.cookie, body: file })));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    }
    expectLimited(await api('POST', '/api/uploads', { cookie: person.cookie, body: file }));
    expectLimited(await forged('POST', '/api/uploads', { cookie: person.cookie, body: file }));
  });

  it('limits uploads per person per day by bytes, whatever viewer is named', async () => {
    await awayFromWindowEdge(uploadLimits.bytes.windowSeconds);
    const person = await signIn();
    const file = { filename: 'scan.pdf', contentType: 'application/pdf', size: MAX_ATTACHMENT_BYTES };
    const fit = Math.floor(uploadLimits.bytes.limit / MAX_ATTACHMENT_BYTES);
    for (let i = 0; i < fit; i++) expect((await api('POST', '/api/uploads', { cookie: person.cookie, body: file })).status).toBe(201);
    expectLimited(await api('POST', '/api/uploads', { cookie: person.cookie, body: file }));
    expectLimited(await forged('POST', '/api/uploads', { cookie: person.cookie, body: file }));
    // What is left of the day's bytes still takes a smaller file.
    const left = uploadLimits.bytes.limit - fit * MAX_ATTACHMENT_BYTES;
    if (left > 0) expect((await api('POST', '/api/uploads', { cookie: person.cookie, body: { ...file, size: left } })).status).toBe(201);
  });
});
