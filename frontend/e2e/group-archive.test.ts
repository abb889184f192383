import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/test-support/stack.ts';
import {
  acceptInvitation,
  createGroup,
  expectHeading,
  expectNoAccessibilityViolations,
  launchChromium,
  signIn,
  url,
  type TestStack, screenshots as takeScreenshots
} from './support.ts';

// A group's archive, in order: Aroha starts a group with a thread and a comment, exports it,
// downloads the archive and imports it back as a new group that shows the same thread. A damaged
// archive is refused, both screens work from the keyboard alone, and Ben, a member but no admin,
// finds no export page. Each step starts where the last ended.

let stack: TestStack;
let browser: Browser;
let folder = '';

const run = Date.now();
const aroha = { email: `aroha.${run}@example.org`, name: 'Aroha Te Whare' };
const ben = { email: `ben.${run}@example.org`, name: 'Ben Okafor' };
const tama = { email: `tama.${run}@example.org`, name: 'Tama Ngata' };
const groupName = `Allotment Society ${run}`;
const threadTitle = 'Water butts for the east plots';
const commentText = 'Two more butts would see us through August.';

let arohaPage: Page;
let groupHandle = '';
let archive: Buffer = Buffer.alloc(0);
let archivePath = '';

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  arohaPage = await (await browser.newContext()).newPage();
  folder = await mkdtemp(join(tmpdir(), 'moot-archive-'));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** Writes `bytes` to a file named `name` in the journey's own folder, for a file input to pick. */
async function file(name: string, bytes: Buffer): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, bytes);
  return path;
}

/** Presses Tab until `target` has focus (at most 40 times), as someone using only the keyboard would. */
async function tabTo(on: Page, target: Locator): Promise<void> {
  for (let presses = 0; presses < 40; presses++) {
    await on.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error('Tab never reached the element');
}


const screenshots = (on: Page, name: string) => takeScreenshots(on, 'archive', name);

/** Chooses `path` in the import form's file input and starts the import. */
async function importArchive(on: Page, path: string): Promise<void> {
  await on.getByLabel('Group archive').setInputFiles(path);
  await on.getByRole('button', { name: 'Import', exact: true }).click();
}

describe('a group archive, from export to import', () => {
  it('offers an admin the export page from the group, saying what an export holds', async () => {
    // Prepare: a group with one thread and one comment
    await signIn(stack, arohaPage, aroha);
    groupHandle = await createGroup(stack, arohaPage, groupName, 'Closed');
    await arohaPage.getByRole('link', { name: 'Start a thread' }).click();
    await expectHeading(arohaPage, 'Start a thread');
    await arohaPage.getByLabel('Title').fill(threadTitle);
    await arohaPage.getByRole('button', { name: 'Start thread' }).click();
    await arohaPage.waitForURL((address) => address.pathname.startsWith('/d/'));
    await arohaPage.getByLabel('Your comment').fill(commentText);
    await arohaPage.getByRole('button', { name: 'Post comment' }).click();
    await arohaPage.locator('article.comment').filter({ hasText: commentText }).waitFor();

    // Act
    await arohaPage.goto(url(stack, `/g/${groupHandle}`));
    await arohaPage.getByRole('navigation', { name: 'Manage this group' }).getByRole('link', { name: 'Export' }).click();

    // Assess
    await expectHeading(arohaPage, 'Export group');
    expect(await arohaPage.title()).toBe(`Export: ${groupName} · Moot`);
    await arohaPage.getByText('You have not exported this group in the last 7 days.').waitFor();
    expect(await arohaPage.getByText('Members’ email addresses are included only for groups where you are an admin.', { exact: false }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);
  });

  it('exports the group, announces when the export is ready, and links each file by name', async () => {
    // Act
    await arohaPage.getByRole('button', { name: 'Export this group' }).click();

    // Assess
    await arohaPage.getByRole('status').filter({ hasText: 'We’re preparing the export.' }).waitFor();
    await arohaPage.getByRole('status').filter({ hasText: 'Your export is ready.' }).waitFor({ timeout: 30_000 });
    const files = arohaPage.getByRole('list', { name: /^Files of the export from/ });
    const labels = await files.getByRole('link').allInnerTexts();
    expect(labels).toEqual([
      'Archive for import (.ndjson.gz)',
      'Readable archive (HTML)',
      'Members (CSV)',
      'Threads (CSV)',
      'Comments (CSV)',
      'Polls (CSV)',
      'Votes (CSV)',
      'Outcomes (CSV)',
    ]);
    expect(await arohaPage.getByText('Ready', { exact: true }).isVisible()).toBe(true);
    expect(await arohaPage.getByText(/\d+ records, [\d.]+ (bytes|KB|MB)/).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);

    const href = await files.getByRole('link', { name: 'Archive for import (.ndjson.gz)' }).getAttribute('href');
    const download = await arohaPage.request.get(href!);
    expect(download.ok()).toBe(true);
    archive = await download.body();
    expect([...archive.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    archivePath = await file(`${groupHandle}.ndjson.gz`, archive);
  });

  it('imports the downloaded archive as a new group with the same thread', async () => {
    // Prepare
    await arohaPage.goto(url(stack, '/'));
    await arohaPage.getByRole('link', { name: 'Import a group' }).click();
    await expectHeading(arohaPage, 'Import a group');
    await arohaPage.getByText('You have not imported any groups yet.').waitFor();
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);

    // Act
    await importArchive(arohaPage, archivePath);

    // Assess
    await arohaPage.getByRole('heading', { level: 2, name: `Imported ${groupName}` }).waitFor({ timeout: 30_000 });
    const report = arohaPage.locator('section.result');
    expect(await report.getByRole('heading', { level: 3, name: 'People kept their accounts' }).isVisible()).toBe(true);
    expect(await report.getByText(/carries a verified signature from \S+, a Moot this one trusts/).isVisible()).toBe(true);
    expect(await report.getByText('1 person matched to an account here by email').isVisible()).toBe(true);
    expect(await report.getByText('0 new accounts created').isVisible()).toBe(true);
    const counts = report.getByRole('table', { name: /Records imported/ });
    expect(await counts.getByRole('row', { name: 'Threads 1' }).isVisible()).toBe(true);
    expect(await counts.getByRole('row', { name: 'Groups 1' }).isVisible()).toBe(true);
    await arohaPage.getByRole('list', { name: 'Your imports, newest first' }).getByText('Imported', { exact: true }).waitFor();
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);

    await report.getByRole('link', { name: groupName }).click();
    await arohaPage.waitForURL((address) => address.pathname.startsWith(`/g/${groupHandle}-`));
    await expectHeading(arohaPage, groupName);
    await arohaPage.getByRole('link', { name: threadTitle }).click();
    await expectHeading(arohaPage, threadTitle);
    await arohaPage.locator('article.comment').filter({ hasText: commentText }).waitFor();
  });

  it('imports an edited archive with its people as placeholders, says why, and marks their names imported on the thread', async () => {
    // Prepare: the archive with one more member, who is named as the comment's author, and checksums written again.
    const records = gunzipSync(archive).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    const group = records.find((r) => r.type === 'group')!;
    const mere = { type: 'member', groupId: group.groupId, userId: 'M'.repeat(22), role: 'member', title: null, name: 'Mere Tūhoe', email: `mere.${run}@example.org`, joinedAt: '2024-01-01T00:00:00.000Z', via: 'invitation' };
    const edited = records.flatMap((r) => (r.type === 'group' ? [r, mere] : r.type === 'item' && r.body === commentText ? [{ ...r, authorId: mere.userId, authorName: mere.name }] : [r]));
    const body = edited.slice(0, -1).map((r) => `${JSON.stringify(r)}\n`).join('');
    const manifest = { ...edited.at(-1), records: edited.length, recordsSha256: createHash('sha256').update(body).digest('hex') };
    const path = await file('edited.ndjson.gz', gzipSync(body + `${JSON.stringify(manifest)}\n`));
    // Tama, who is in none of it, imports it (Aroha has used most of her five imports this hour).
    const tamaPage = await (await browser.newContext()).newPage();
    await signIn(stack, tamaPage, tama);
    await tamaPage.goto(url(stack, '/imports'));
    await expectHeading(tamaPage, 'Import a group');

    // Act
    await importArchive(tamaPage, path);

    // Assess: the report says placeholders and why.
    await tamaPage.getByRole('heading', { level: 2, name: `Imported ${groupName}` }).waitFor({ timeout: 30_000 });
    const report = tamaPage.locator('section.result');
    expect(await report.getByRole('heading', { level: 3, name: 'People were imported as placeholders' }).isVisible()).toBe(true);
    expect(await report.getByText('Because the archive was changed after it was signed, nobody was made a member and no account was created.', { exact: false }).isVisible()).toBe(true);
    expect(await report.getByText('2 people invited by email', { exact: false }).isVisible()).toBe(true);
    expect(await report.getByText('matched to an account here by email').count()).toBe(0);
    await expectNoAccessibilityViolations(tamaPage, ['light', 'dark']);
    await screenshots(tamaPage, 'import-placeholders');

    // The comment shows the archived name, marked imported.
    await report.getByRole('link', { name: groupName }).click();
    await tamaPage.waitForURL((address) => address.pathname.startsWith(`/g/${groupHandle}-`));
    await tamaPage.getByRole('link', { name: threadTitle }).click();
    await expectHeading(tamaPage, threadTitle);
    const comment = tamaPage.locator('article.comment').filter({ hasText: commentText });
    await comment.waitFor();
    expect(await comment.getByRole('heading', { level: 3 }).innerText()).toBe(mere.name);
    expect(await comment.getByText('imported', { exact: true }).isVisible()).toBe(true);
    expect(await tamaPage.getByText(`Started by ${aroha.name} imported`).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(tamaPage, ['light', 'dark']);
    await screenshots(tamaPage, 'thread-imported');
    await tamaPage.context().close();
  });

  it.each([
    { what: 'a truncated archive', name: 'truncated.ndjson.gz', bytes: () => archive.subarray(0, Math.floor(archive.length / 2)), problem: /truncated/ },
    { what: 'random bytes named .gz', name: 'noise.gz', bytes: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)), problem: /not a complete gzip stream/ },
    { what: 'a file with no newlines', name: 'one-line.ndjson.gz', bytes: () => gzipSync(Buffer.alloc(3 * 1024 * 1024, 'a')), problem: /a line is longer than 2 MB/ },
  ])('refuses $what with an alert naming the problem, and imports nothing', async ({ name, bytes, problem }) => {
    // Prepare
    const damaged = await file(name, bytes());
    await arohaPage.goto(url(stack, '/imports'));
    await expectHeading(arohaPage, 'Import a group');
    const mine = arohaPage.getByRole('list', { name: 'Your imports, newest first' });
    await mine.waitFor();
    const imported = await mine.getByText('Imported', { exact: true }).count();

    // Act
    await importArchive(arohaPage, damaged);

    // Assess
    const alert = arohaPage.getByRole('alert').filter({ hasText: 'The archive was refused' });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.innerText()).toContain('Nothing was imported.');
    expect(await alert.innerText()).toMatch(problem);
    await mine.getByText('Refused', { exact: true }).first().waitFor();
    expect(await mine.getByText('Imported', { exact: true }).count()).toBe(imported);
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);
  });
});

describe('the export and import screens, with the keyboard alone', () => {
  it('reaches the export button with Tab and exports with Enter', async () => {
    // Prepare
    await arohaPage.goto(url(stack, `/g/${groupHandle}/export`));
    await expectHeading(arohaPage, 'Export group');
    await arohaPage.getByRole('list', { name: /^Files of the export from/ }).first().waitFor();

    // Act
    await tabTo(arohaPage, arohaPage.getByRole('button', { name: 'Export this group' }));
    await arohaPage.keyboard.press('Enter');

    // Assess
    await arohaPage.getByRole('status').filter({ hasText: 'Your export is ready.' }).waitFor({ timeout: 30_000 });
    expect(await arohaPage.getByRole('list', { name: /^Files of the export from/ }).count()).toBe(2);
  });

  it('reaches the file input with Tab, chooses the archive with Space and imports with Enter', async () => {
    // Prepare
    await arohaPage.goto(url(stack, '/imports'));
    await expectHeading(arohaPage, 'Import a group');
    const input = arohaPage.getByLabel('Group archive');

    // Act
    await tabTo(arohaPage, input);
    const choosing = arohaPage.waitForEvent('filechooser');
    await arohaPage.keyboard.press('Space');
    await (await choosing).setFiles(archivePath);
    await tabTo(arohaPage, arohaPage.getByRole('button', { name: 'Import', exact: true }));
    await arohaPage.keyboard.press('Enter');

    // Assess: the result takes focus, so reading goes on from there
    const heading = arohaPage.getByRole('heading', { level: 2, name: `Imported ${groupName}` });
    await heading.waitFor({ timeout: 30_000 });
    expect(await heading.evaluate((element) => element === document.activeElement)).toBe(true);
  });
});

describe('an export that could not be built', () => {
  it('shows as failed, with what to do, on a page that stays accessible', async () => {
    // Prepare: the newest export of the group failed its last attempt, as the jobs worker marks it.
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient, ScanCommand, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const table = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    const { Items = [] } = await table.send(new ScanCommand({ TableName: stack.tableName, FilterExpression: '#type = :t', ExpressionAttributeNames: { '#type': 'type' }, ExpressionAttributeValues: { ':t': 'groupExport' } }));
    const newest = Items.sort((a, b) => String(b.requestedAt).localeCompare(String(a.requestedAt)))[0]!;
    await table.send(new UpdateCommand({ TableName: stack.tableName, Key: { pk: newest.pk, sk: newest.sk }, UpdateExpression: 'SET #status = :failed REMOVE objects', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':failed': 'failed' } }));

    // Act
    await arohaPage.goto(url(stack, `/g/${groupHandle}/export`));
    await expectHeading(arohaPage, 'Export group');

    // Assess
    await arohaPage.getByText('Failed', { exact: true }).waitFor();
    await arohaPage.getByText('It could not be built after three attempts. Export the group again.').waitFor();
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);
  });
});

describe('an import that could not be finished', () => {
  it('shows as failed in the list, with what to do, on a page that stays accessible', async () => {
    // Prepare: Aroha's newest import failed its last attempt, as the jobs worker marks it.
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient, ScanCommand, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const table = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    const { Items = [] } = await table.send(new ScanCommand({ TableName: stack.tableName, FilterExpression: '#type = :t', ExpressionAttributeNames: { '#type': 'type' }, ExpressionAttributeValues: { ':t': 'groupImport' } }));
    const newest = Items.sort((a, b) => String(b.requestedAt).localeCompare(String(a.requestedAt)))[0]!;
    await table.send(new UpdateCommand({ TableName: stack.tableName, Key: { pk: newest.pk, sk: newest.sk }, UpdateExpression: 'SET #status = :failed, attempts = :three REMOVE report', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':failed': 'failed', ':three': 3 } }));

    // Act
    await arohaPage.goto(url(stack, '/imports'));
    await expectHeading(arohaPage, 'Import a group');

    // Assess
    const mine = arohaPage.getByRole('list', { name: 'Your imports, newest first' });
    const failed = mine.getByRole('listitem').first();
    await failed.getByText('Failed', { exact: true }).waitFor();
    expect(await failed.innerText()).toContain('It could not be finished after three attempts. Import the archive again.');
    // Nothing is being followed: the page does not wait on an import that has ended.
    expect(await arohaPage.getByText('Checking and importing…').count()).toBe(0);
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);
    await screenshots(arohaPage, 'imports-failed');
  });
});

describe('the export page, for anyone but the group’s admins', () => {
  it('answers a member who is not an admin with the not-found page, and shows them no export link', async () => {
    // Prepare
    await arohaPage.goto(url(stack, `/g/${groupHandle}/invite`));
    await expectHeading(arohaPage, 'Invite people');
    await arohaPage.getByLabel('Email addresses').fill(ben.email);
    await arohaPage.getByRole('button', { name: 'Send invitation' }).click();
    await arohaPage.getByRole('status').filter({ hasText: `Invitation sent to ${ben.email}` }).waitFor();
    const benPage = await (await browser.newContext()).newPage();
    await acceptInvitation(stack, benPage, ben, groupHandle);
    expect(await benPage.getByRole('link', { name: 'Export', exact: true }).count()).toBe(0);

    // Act
    await benPage.goto(url(stack, `/g/${groupHandle}/export`));

    // Assess
    await expectHeading(benPage, "We can't find that page");
    expect(await benPage.title()).toBe('Page not found · Moot');
    expect(await benPage.content()).not.toContain('Export this group');
    await benPage.context().close();
  });
});
