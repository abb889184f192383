import { crc32, deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/test-support/stack.ts';
import {
  acceptInvitation,
  createGroup,
  expectHeading,
  expectNoAccessibilityViolations,
  launchChromium,
  screenshots,
  signIn,
  url,
  type TestStack,
} from './support.ts';

// A thread's life, in order: Aroha starts a group and a thread, comments, replies, reacts, edits
// with history, and attaches a photo; Ben joins by invitation and finds the thread unread until he
// has read it. Each step starts where the last ended.

let stack: TestStack;
let browser: Browser;

const run = Date.now();
const aroha = { email: `aroha.${run}@example.org`, name: 'Aroha Te Whare' };
const ben = { email: `ben.${run}@example.org`, name: 'Ben Okafor' };
const groupName = `Tenants Union ${run}`;
const threadTitle = 'Rent review for next year';
const firstComment = 'I think we should ask for a two-year freeze.';
const editedComment = 'I think we should ask for a **three-year** freeze.';

let arohaPage: Page;
let benPage: Page;
let groupHandle = '';
let threadPath = '';

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  arohaPage = await (await browser.newContext()).newPage();
  benPage = await (await browser.newContext()).newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A real PNG (a 96×64 block of one colour), built here so the test needs no fixture file. */
function png(width = 96, height = 64): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, Buffer.from([29, 90, 133]))]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The article of the first comment whose text includes `text`. */
const comment = (on: Page, text: string) => on.locator('article.comment').filter({ hasText: text }).first();

describe('a thread, from its start to a second member reading it', () => {
  it('shows a new group with no threads and a way to start one', async () => {
    // Prepare
    await arohaPage.goto(url(stack, '/sign-in'));
    await signIn(stack, arohaPage, aroha);

    // Act
    groupHandle = await createGroup(stack, arohaPage, groupName, 'Closed');

    // Assess
    expect(new URL(arohaPage.url()).pathname).toBe(`/g/${groupHandle}`);
    await expectHeading(arohaPage, groupName);
    await arohaPage.getByText('No threads yet.').waitFor();
    expect(await arohaPage.getByRole('link', { name: 'Start a thread' }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('invites Ben by email', async () => {
    // Act
    await arohaPage.goto(url(stack, `/g/${groupHandle}/invite`));
    await expectHeading(arohaPage, 'Invite people');
    await arohaPage.getByLabel('Email addresses').fill(ben.email);
    await arohaPage.getByRole('button', { name: 'Send invitation' }).click();

    // Assess
    await arohaPage.getByRole('status').filter({ hasText: `Invitation sent to ${ben.email}` }).waitFor();
  });

  it('starts a thread with a previewed description', async () => {
    // Prepare
    await arohaPage.goto(url(stack, `/g/${groupHandle}`));
    await arohaPage.getByRole('link', { name: 'Start a thread' }).click();
    await expectHeading(arohaPage, 'Start a thread');
    expect(await arohaPage.title()).toBe(`Start a thread: ${groupName} · Moot`);
    await expectNoAccessibilityViolations(arohaPage);

    // Act: an empty title is refused next to the field
    await arohaPage.getByRole('button', { name: 'Start thread' }).click();
    await arohaPage.locator('#title-error').waitFor();
    expect(await arohaPage.getByLabel('Title').getAttribute('aria-invalid')).toBe('true');

    await arohaPage.getByLabel('Title').fill(threadTitle);
    await arohaPage.getByLabel('Description (optional)').fill('Our lease ends in **March**. What should we ask for?');
    await arohaPage.getByRole('tab', { name: 'Preview' }).click();
    await arohaPage.getByRole('tabpanel').locator('strong', { hasText: 'March' }).waitFor();
    await expectNoAccessibilityViolations(arohaPage);
    await arohaPage.getByRole('tab', { name: 'Write' }).click();
    await arohaPage.getByRole('button', { name: 'Start thread' }).click();

    // Assess
    await arohaPage.waitForURL((address) => address.pathname.startsWith('/d/'));
    threadPath = new URL(arohaPage.url()).pathname;
    await expectHeading(arohaPage, threadTitle);
    expect(await arohaPage.title()).toBe(`${threadTitle} · ${groupName} · Moot`);
    expect(await arohaPage.locator('.context strong').innerText()).toBe('March');
    expect(await arohaPage.getByText('Private', { exact: true }).isVisible()).toBe(true);
    await arohaPage.getByText('No comments yet.', { exact: false }).waitFor();
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('posts a comment and a reply nested under it', async () => {
    // Act
    await arohaPage.getByLabel('Your comment').fill(firstComment);
    await arohaPage.getByRole('button', { name: 'Post comment' }).click();
    await comment(arohaPage, firstComment).waitFor();
    await arohaPage.getByRole('button', { name: `Reply to ${aroha.name}` }).click();
    await arohaPage.getByLabel(`Your reply to ${aroha.name}`).fill('Or at least a cap at inflation.');
    await arohaPage.getByRole('button', { name: 'Post reply' }).click();

    // Assess
    const replies = arohaPage.getByRole('list', { name: `Replies to ${aroha.name}` });
    await replies.getByText('Or at least a cap at inflation.').waitFor();
    expect(await arohaPage.getByLabel('Your comment').inputValue()).toBe('');
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('reacts to the comment, and shows who reacted on focus', async () => {
    // Act
    const first = comment(arohaPage, firstComment);
    await first.getByRole('button', { name: `Add a reaction to ${aroha.name}'s comment` }).first().click();
    await first.getByRole('group', { name: 'Choose a reaction' }).getByRole('button', { name: 'Thumbs up' }).click();

    // Assess
    const reaction = first.getByRole('button', { name: 'Thumbs up 1' });
    await reaction.waitFor();
    expect(await reaction.getAttribute('aria-pressed')).toBe('true');
    await reaction.focus();
    const tooltip = first.getByRole('tooltip').filter({ hasText: `${aroha.name} reacted with thumbs up` });
    expect(await tooltip.isVisible()).toBe(true);
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('edits the comment, marks it edited, and shows the earlier version in its history', async () => {
    // Act
    const first = comment(arohaPage, firstComment);
    await first.getByRole('button', { name: `Edit ${aroha.name}'s comment` }).click();
    await arohaPage.getByLabel('Edit comment').fill(editedComment);
    await arohaPage.getByRole('button', { name: 'Save', exact: true }).click();
    const edited = comment(arohaPage, 'three-year');
    await edited.locator('strong', { hasText: 'three-year' }).waitFor();
    await edited.getByRole('button', { name: /^edited/ }).click();

    // Assess
    const dialog = arohaPage.getByRole('dialog', { name: `History of ${aroha.name}'s comment` });
    await dialog.getByText(firstComment).waitFor();
    expect(await dialog.getByText(editedComment).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(arohaPage);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('attaches a PNG to a comment and shows it inline', async () => {
    // Act
    await arohaPage.getByLabel('Your comment').fill('The photo of the notice on the door.');
    await arohaPage.locator('#comment-files').setInputFiles({ name: 'notice.png', mimeType: 'image/png', buffer: png() });
    await arohaPage.getByRole('button', { name: 'Remove notice.png' }).waitFor({ timeout: 15_000 });
    await arohaPage.getByRole('button', { name: 'Post comment' }).click();

    // Assess
    const image = comment(arohaPage, 'The photo of the notice').getByRole('img', { name: 'notice.png' });
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBe(96);
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('offers the thread settings to its author', async () => {
    // Act
    await arohaPage.getByRole('link', { name: 'Thread settings' }).click();

    // Assess
    await expectHeading(arohaPage, 'Thread settings');
    expect(await arohaPage.getByLabel('Title').inputValue()).toBe(threadTitle);
    await expectNoAccessibilityViolations(arohaPage);
    await arohaPage.getByRole('button', { name: 'Pin to top' }).click();
    await arohaPage.getByRole('status').filter({ hasText: 'The thread is pinned' }).waitFor();
  });

  it('shows Ben, once he has joined, the thread as unread in the group', async () => {
    // Prepare
    await acceptInvitation(stack, benPage, ben, groupHandle);

    // Act
    const row = benPage.locator('.thread').filter({ hasText: threadTitle });
    await row.waitFor();

    // Assess: three comments, none read yet
    expect(await row.getByText('3 unread').isVisible()).toBe(true);
    expect(await row.getByText('Pinned').isVisible()).toBe(true);
    expect(await benPage.getByRole('button', { name: 'Mark all read' }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(benPage);
  });

  it('marks the thread read as Ben reads it', async () => {
    // Act: every item fits on the screen, so all are read as soon as the page shows them
    const allRead = benPage.waitForResponse(
      async (response) =>
        response.url().endsWith('/read') && response.request().method() === 'POST' && (await response.json()).unreadCount === 0,
    );
    await benPage.getByRole('link', { name: threadTitle }).click();
    await expectHeading(benPage, threadTitle);
    expect(new URL(benPage.url()).pathname).toBe(threadPath);
    await benPage.getByRole('link', { name: /Jump to first unread/ }).waitFor();
    await expectNoAccessibilityViolations(benPage);
    await benPage.getByRole('heading', { name: 'Add a comment' }).scrollIntoViewIfNeeded();
    await allRead;

    // Assess
    await benPage.getByRole('link', { name: groupName }).click();
    // Wait for the group page itself: the thread page's own article also has the class "thread".
    await expectHeading(benPage, groupName);
    const row = benPage.locator('li.thread').filter({ hasText: threadTitle });
    await row.waitFor();
    expect(await row.getByText(/unread/).count()).toBe(0);
    await expectNoAccessibilityViolations(benPage);
  });

  it('offers Edit and Delete on comments only, never on a vote or a poll in the timeline', async () => {
    // Prepare: Aroha starts a proposal in the thread and votes with a reason, as the app's API calls would.
    const threadId = threadPath.split('/').at(-1)!;
    const status = await arohaPage.evaluate(async ({ handle, threadId }) => {
      const group = await (await fetch(`/api/groups/${handle}`)).json();
      const poll = await (await fetch('/api/polls', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ groupId: group.id, discussionId: threadId, type: 'proposal', title: 'Ask for a freeze', closingAt: new Date(Date.now() + 3 * 86_400_000).toISOString() }),
      })).json();
      const vote = await fetch(`/api/polls/${poll.id}/vote`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ choices: { option: 'agree' }, reason: 'A freeze keeps us here.' }) });
      return vote.status;
    }, { handle: groupHandle, threadId });
    expect(status).toBe(200);

    // Act
    const vote = arohaPage.locator('article').filter({ hasText: 'A freeze keeps us here.' }).last();
    for (let tries = 0; ; tries++) {
      await arohaPage.goto(url(stack, threadPath));
      await expectHeading(arohaPage, threadTitle);
      if ((await vote.count()) > 0 || tries >= 60) break;
      await arohaPage.waitForTimeout(500);
    }

    // Assess
    await vote.waitFor();
    expect(await vote.getByRole('button', { name: /^Edit/ }).count()).toBe(0);
    expect(await vote.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    // Her comments keep theirs.
    expect(await arohaPage.getByRole('button', { name: `Edit ${aroha.name}'s comment` }).count()).toBeGreaterThan(0);
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);
    await screenshots(arohaPage, 'threads', 'vote-in-timeline');
  });
});
