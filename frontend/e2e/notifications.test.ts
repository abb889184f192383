import type { Browser, Page } from 'playwright-core';
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
  waitForEmail,
  type Email,
  type TestStack,
} from './support.ts';

// Hearing about things, in order: Aroha starts a group and invites Ben; she starts a thread,
// mentions him and announces it. Ben's bell counts up, he opens the mention from his notifications,
// chooses a weekly digest, and later unsubscribes from mention emails with the link in one,
// signed out. Axe checks every screen, and the mention email itself.

let stack: TestStack;
let browser: Browser;

const run = Date.now();
const aroha = { email: `aroha.${run}@example.org`, name: 'Aroha Te Whare' };
const ben = { email: `ben.${run}@example.org`, name: 'Ben Okafor' };
const benHandle = 'ben-okafor';
const groupName = `Housing Co-op ${run}`;
const threadTitle = 'Budget for the roof repairs';

let arohaPage: Page;
let benPage: Page;
let groupHandle = '';
let threadPath = '';
let unsubscribeToken = '';

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

/** Waits for the email to `address` whose subject matches `subject`. */
function emailLike(address: string, subject: RegExp): Promise<Email> {
  const pick = (emails: Email[]) => emails.find((message) => subject.test(message.subject));
  return waitForEmail(stack, address, pick, `email like ${subject}`);
}

/** The header bell: a link named "Notifications", or "Notifications, 2 unread". */
const bell = (on: Page) => on.getByRole('banner').getByRole('link', { name: /^Notifications/ });

/** Whether the bell's accessible name is exactly `name` (its visual badge is hidden from it). */
const bellSays = async (on: Page, name: string) => (await on.getByRole('banner').getByRole('link', { name, exact: true }).count()) === 1;

describe('notifications, from a mention to an unsubscribe', () => {
  it('shows a new person an empty notifications page and a bell with nothing unread', async () => {
    // Prepare
    await arohaPage.goto(url(stack, '/sign-in'));
    await signIn(stack, arohaPage, aroha);

    // Act
    await bell(arohaPage).click();

    // Assess
    await expectHeading(arohaPage, 'Notifications');
    await arohaPage.getByRole('heading', { name: 'Nothing here yet' }).waitFor();
    expect(await bell(arohaPage).getAttribute('aria-current')).toBe('page');
    expect(await bell(arohaPage).innerText()).not.toMatch(/\d/);
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('lets Ben join by invitation, and choose how much he hears from the group', async () => {
    // Prepare
    groupHandle = await createGroup(stack, arohaPage, groupName, 'Closed');
    await arohaPage.goto(url(stack, `/g/${groupHandle}/invite`));
    await arohaPage.getByLabel('Email addresses').fill(ben.email);
    await arohaPage.getByRole('button', { name: 'Send invitation' }).click();
    await arohaPage.getByRole('status').filter({ hasText: `Invitation sent to ${ben.email}` }).waitFor();

    // Act
    await acceptInvitation(stack, benPage, ben, groupHandle);
    await expectHeading(benPage, groupName);
    await benPage.getByLabel('Email from this group').selectOption('normal');

    // Assess
    await benPage.getByRole('status').filter({ hasText: 'Saved: Normal.' }).waitFor();
    await expectNoAccessibilityViolations(benPage);
  });

  it('lets Aroha mention Ben in a thread and announce it to the group', async () => {
    // Prepare
    await arohaPage.goto(url(stack, `/g/${groupHandle}/threads/new`));
    await expectHeading(arohaPage, 'Start a thread');
    await arohaPage.getByLabel('Title').fill(threadTitle);
    await arohaPage.getByRole('button', { name: 'Start thread' }).click();
    await arohaPage.waitForURL((address) => address.pathname.startsWith('/d/'));
    threadPath = new URL(arohaPage.url()).pathname;
    await expectHeading(arohaPage, threadTitle);

    // Act
    await arohaPage.getByLabel('Your comment').fill(`@${benHandle} could you check the quotes before Friday?`);
    await arohaPage.getByRole('button', { name: 'Post comment' }).click();
    await arohaPage.locator('article.comment').filter({ hasText: 'could you check the quotes' }).waitFor();
    await arohaPage.getByRole('button', { name: 'Announce…' }).click();
    const dialog = arohaPage.getByRole('dialog', { name: 'Announce this thread' });
    await dialog.getByRole('radio', { name: 'Chosen members' }).check();
    await dialog.getByRole('checkbox', { name: ben.name }).waitFor();
    await expectNoAccessibilityViolations(arohaPage);
    await dialog.getByRole('radio', { name: `Everyone in ${groupName}` }).check();
    await dialog.getByRole('button', { name: 'Send announcement' }).click();

    // Assess
    const sent = arohaPage.getByRole('dialog', { name: 'Announcement sent' });
    await sent.getByText(`We're letting everyone in ${groupName} know about this thread`).waitFor();
    await expectNoAccessibilityViolations(arohaPage);
    await sent.getByRole('button', { name: 'Done' }).click();
  });

  it("counts up Ben's bell as the notifications arrive", async () => {
    // Act: the bell asks again on every navigation; the stream worker delivers within seconds
    await expect
      .poll(
        async () => {
          await benPage.goto(url(stack, '/'));
          await expectHeading(benPage, 'Your groups');
          return bellSays(benPage, 'Notifications, 3 unread');
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(true);

    // Assess: the count is text to screen readers, a badge to the eye
    expect(await bell(benPage).getAttribute('aria-current')).toBeNull();
    await expect.poll(() => bell(benPage).locator('.bell__count').innerText()).toBe('3');
    await expectNoAccessibilityViolations(benPage);
  });

  it('lists the notifications, unread first in weight, and follows one to the comment', async () => {
    // Prepare
    await bell(benPage).click();
    await expectHeading(benPage, 'Notifications');
    const list = benPage.getByRole('list', { name: 'Notifications, newest first' });
    await list.getByRole('listitem').nth(2).waitFor();
    expect(await list.getByRole('listitem').count()).toBe(3);
    await expectNoAccessibilityViolations(benPage);

    // Act
    await list.getByRole('link', { name: `Unread: ${aroha.name} mentioned you in ${threadTitle}` }).click();

    // Assess
    await benPage.waitForURL((address) => address.pathname === threadPath);
    await expectHeading(benPage, threadTitle);
    await expect.poll(() => bellSays(benPage, 'Notifications, 2 unread')).toBe(true);
    await benPage.goBack();
    await expectHeading(benPage, 'Notifications');
    await list.getByRole('link', { name: `${aroha.name} mentioned you in ${threadTitle}`, exact: true }).waitFor();
  });

  it('marks everything read at once', async () => {
    // Act
    await benPage.getByRole('button', { name: 'Mark all read' }).click();

    // Assess
    await benPage.getByRole('status').filter({ hasText: 'All notifications are marked read.' }).waitFor();
    expect(await benPage.getByRole('link', { name: /^Unread:/ }).count()).toBe(0);
    await expect.poll(() => bellSays(benPage, 'Notifications')).toBe(true);
    await expectNoAccessibilityViolations(benPage);
  });

  it('keeps Ben’s choice of a weekly digest on Monday, in Auckland time, across a reload', async () => {
    // Prepare
    await benPage.getByRole('button', { name: /^Account:/ }).click();
    await benPage.getByRole('link', { name: 'Profile & email settings' }).click();
    await expectHeading(benPage, 'Profile and email settings');
    expect(await benPage.getByLabel('Your name').inputValue()).toBe(ben.name);
    await expectNoAccessibilityViolations(benPage);

    // Act
    await benPage.getByRole('radio', { name: /^Weekly/ }).check();
    await benPage.getByLabel('Day of the week').selectOption({ label: 'Monday' });
    await benPage.getByLabel('Time zone').selectOption('Pacific/Auckland');
    await benPage.getByRole('button', { name: 'Save email settings' }).click();
    await benPage.getByRole('status').filter({ hasText: 'Your email settings are saved.' }).waitFor();
    await expectNoAccessibilityViolations(benPage);
    await benPage.reload();

    // Assess
    await expectHeading(benPage, 'Profile and email settings');
    expect(await benPage.getByRole('radio', { name: /^Weekly/ }).isChecked()).toBe(true);
    expect(await benPage.getByLabel('Day of the week').inputValue()).toBe('1');
    expect(await benPage.getByLabel('Time zone').inputValue()).toBe('Pacific/Auckland');
    expect(await benPage.getByRole('radio', { name: /^Normal/ }).isChecked()).toBe(true);
  });

  it('sends Ben a mention email that passes axe', async () => {
    // Prepare
    const email = await emailLike(ben.email, /mentioned you/);
    expect(email.body.html).toBeTruthy();
    unsubscribeToken = /\/unsubscribe\?token=([A-Za-z0-9_.-]+)/.exec(email.body.html!)?.[1] ?? '';
    expect(unsubscribeToken).not.toBe('');
    const reader = await (await browser.newContext()).newPage();

    // Act
    await reader.setContent(email.body.html!);

    // Assess
    await expectNoAccessibilityViolations(reader);
    await reader.context().close();
  });

  it('turns the unsubscribe link into a designed error when the token is wrong', async () => {
    // Prepare
    const stranger = await (await browser.newContext()).newPage();

    // Act
    await stranger.goto(url(stack, `/unsubscribe?token=${unsubscribeToken.slice(0, -4)}abcd`));

    // Assess
    await expectHeading(stranger, "This unsubscribe link isn't valid");
    await expectNoAccessibilityViolations(stranger);
    await stranger.context().close();
  });

  it('unsubscribes Ben from mention emails, signed out, with the link in one', async () => {
    // Prepare
    const signedOut = await (await browser.newContext()).newPage();
    await signedOut.goto(url(stack, `/unsubscribe?token=${unsubscribeToken}`));
    await expectHeading(signedOut, 'Unsubscribe');
    await signedOut.getByText('Stop emails about mentions and replies').waitFor();
    await expectNoAccessibilityViolations(signedOut);

    // Act
    await signedOut.getByRole('button', { name: 'Unsubscribe' }).click();

    // Assess
    await expectHeading(signedOut, "You're unsubscribed");
    await signedOut.getByText('You will get no more emails about mentions and replies.').waitFor();
    await expectNoAccessibilityViolations(signedOut);
    await signedOut.context().close();
    await benPage.reload();
    await expectHeading(benPage, 'Profile and email settings');
    expect(await benPage.getByRole('checkbox', { name: /^Mentions and replies/ }).isChecked()).toBe(false);
    expect(await benPage.getByRole('checkbox', { name: /^Polls/ }).isChecked()).toBe(true);
    expect(await benPage.getByRole('radio', { name: /^Weekly/ }).isChecked()).toBe(true);
  });
});
