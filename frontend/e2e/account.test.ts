import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/test-support/stack.ts';
import {
  createGroup,
  emailsTo,
  expectHeading,
  expectNoAccessibilityViolations,
  launchChromium,
  signIn,
  url,
  type TestStack, screenshots as takeScreenshots
} from './support.ts';

// Tui's account, in order: she signs in, looks at what Moot keeps about her, adds a password,
// signs out and back in with it, reads the audit trail of the group she started, takes a break
// (deactivates), and comes back by email link. Each step starts where the last ended.

let stack: TestStack;
let browser: Browser;
let page: Page;

const run = Date.now();
const tui = { email: `tui.${run}@example.org`, name: 'Tui Ngata' };
const groupName = `Harbour Rowing Club ${run}`;
let groupHandle = '';
const password = 'kettle harbour lantern 47';

/** Set SCREENSHOTS=1 to keep a picture of every account screen at 360 and 1280 px, light and dark. */

/** Axe runs in both colour schemes here: dark mode has its own contrast to get right. */
const bothSchemes = ['light', 'dark'] as const;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const screenshots = (on: Page, name: string) => takeScreenshots(on, 'account', name);

async function signOut(on: Page): Promise<void> {
  await on.getByRole('button', { name: /^Account:/ }).click();
  await on.getByRole('button', { name: 'Sign out', exact: true }).click();
  await on.waitForURL((address) => address.pathname === '/sign-in');
}

describe('your account: your data, a password, the audit trail, and taking a break', () => {
  it('signs Tui in by email link and starts a group she administers', async () => {
    // Act
    await signIn(stack, page, tui);
    groupHandle = await createGroup(stack, page, groupName, 'Closed');

    // Assess
    expect(new URL(page.url()).pathname).toBe(`/g/${groupHandle}`);
    await expectHeading(page, groupName);
  });

  it('shows everything Moot stores about her, and emails a download of it on request', async () => {
    // Act
    await page.goto(url(stack, '/me/data'));

    // Assess
    await expectHeading(page, 'Your data');
    expect(await page.title()).toBe('Your data · Moot');
    const profile = page.getByRole('region', { name: 'Profile' });
    await expect(profile.getByText(tui.email).count()).resolves.toBe(1);
    await expect(profile.getByText(tui.name).count()).resolves.toBe(1);
    await expect(page.getByRole('region', { name: 'Groups' }).getByRole('link', { name: groupName }).count()).resolves.toBe(1);
    const sessions = page.getByRole('region', { name: 'Where you are signed in' });
    await expect(sessions.getByText('This device').count()).resolves.toBe(1);
    expect(await sessions.innerText()).toMatch(/\/24|\/48|unknown/);
    await expect(page.getByRole('list', { name: 'Account history, newest first' }).getByText('Account created').count()).resolves.toBe(1);
    await expectNoAccessibilityViolations(page, bothSchemes);
    await screenshots(page, 'me-data');

    // Act: ask for the archive.
    await page.getByRole('button', { name: 'Download my data' }).click();

    // Assess
    await page.getByRole('status').getByText(/email a download link/).waitFor();
    await page.getByRole('heading', { name: 'Past downloads' }).waitFor();
  });

  it('adds a password with a strength meter that follows what she types', async () => {
    // Prepare
    await page.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Password' }).click();
    await expectHeading(page, 'Password');
    const meter = page.locator('meter');
    expect(await meter.getAttribute('aria-valuetext')).toBe('Nothing typed yet');
    await expectNoAccessibilityViolations(page, bothSchemes);

    // Act: a weak one first.
    await page.getByLabel('New password', { exact: true }).fill('password1');
    await expect.poll(() => meter.getAttribute('aria-valuetext'), { timeout: 10_000 }).toMatch(/^Very weak/);
    const weak = Number(await meter.getAttribute('value'));

    // Act: then a strong one.
    await page.getByLabel('New password', { exact: true }).fill(password);
    await expect.poll(() => meter.getAttribute('aria-valuetext'), { timeout: 10_000 }).toMatch(/^(Strong|Very strong)/);
    expect(Number(await meter.getAttribute('value'))).toBeGreaterThan(weak);
    expect(await page.locator('#strength-text').innerText()).toMatch(/strong/i);
    await expectNoAccessibilityViolations(page, bothSchemes);
    await screenshots(page, 'me-security-typing');

    // Act: a mismatch is caught next to the field.
    await page.getByLabel('New password again').fill('something else');
    await page.getByRole('button', { name: 'Add password' }).click();
    await page.getByText('The two passwords are not the same.').waitFor();
    expect(await page.getByLabel('New password again').getAttribute('aria-invalid')).toBe('true');

    // Act: now as meant.
    await page.getByLabel('New password again').fill(password);
    await page.getByRole('button', { name: 'Add password' }).click();

    // Assess
    await page.getByRole('status').getByText('Your password is set.', { exact: false }).waitFor();
    await page.getByRole('heading', { name: 'Change your password' }).waitFor();
    expect((await emailsTo(stack, tui.email)).some((m) => /added a password/.test(m.subject))).toBe(true);
    await expectNoAccessibilityViolations(page, bothSchemes);
    await screenshots(page, 'me-security-set');
  });

  it('signs her out, and back in with the password', async () => {
    // Prepare
    await signOut(page);

    // Act
    await page.getByRole('button', { name: 'Sign in with a password instead' }).click();
    await expectHeading(page, 'Sign in with a password');
    await page.getByLabel('Email address').fill(tui.email);
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').getByText(/did not work/).waitFor();
    await expectNoAccessibilityViolations(page, bothSchemes);
    await screenshots(page, 'sign-in-password');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    // Assess
    await page.waitForURL((address) => address.pathname === '/');
    await expectHeading(page, 'Your groups');
    await page.goto(url(stack, '/me/data'));
    await expectHeading(page, 'Your data');
    const current = page.getByRole('region', { name: 'Where you are signed in' }).getByRole('listitem').filter({ hasText: 'This device' });
    expect(await current.innerText()).toMatch(/with password/);
  });

  it('shows her the audit trail of her group, paged, filtered and as CSV', async () => {
    // Prepare: more changes than one page holds (50).
    await page.evaluate(async (handle) => {
      const group = await (await fetch(`/api/groups/${handle}`)).json();
      for (let i = 1; i <= 55; i++) {
        const response = await fetch(`/api/groups/${group.id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ description: `Rules, revision ${i}` }),
        });
        if (!response.ok) throw new Error(`PATCH answered ${response.status}`);
      }
    }, groupHandle);

    // Act
    await page.goto(url(stack, `/g/${groupHandle}/audit`));

    // Assess
    await expectHeading(page, 'Audit trail');
    const entries = page.getByRole('list', { name: 'Changes, newest first' });
    await entries.waitFor();
    expect(await entries.getByRole('listitem').count()).toBe(50);
    expect(await entries.getByRole('listitem').first().innerText()).toMatch(/Group updated by Tui Ngata/);
    await expectNoAccessibilityViolations(page, bothSchemes);
    await screenshots(page, 'audit');

    // Act: the next page.
    await page.getByRole('button', { name: 'Show more' }).click();

    // Assess
    await expect.poll(() => entries.getByRole('listitem').count()).toBe(57);
    await expect(entries.getByText('Group created').count()).resolves.toBe(1);
    await expect(entries.getByText('Membership created').count()).resolves.toBe(1);
    expect(await page.getByRole('button', { name: 'Show more' }).count()).toBe(0);

    // Act: only memberships.
    await page.getByLabel('What happened').selectOption('MembershipCreated');
    await page.getByLabel('Who did it').selectOption({ label: tui.name });
    await page.getByRole('button', { name: 'Show changes' }).click();

    // Assess
    await expect.poll(() => entries.getByRole('listitem').count()).toBe(1);
    expect(await entries.innerText()).toContain('Membership created');
    const csv = page.getByRole('link', { name: 'Download CSV' });
    expect(await csv.getAttribute('href')).toMatch(/audit\.csv\?kind=MembershipCreated&actorId=/);
    const download = await page.evaluate(async (href) => {
      const response = await fetch(href!, { credentials: 'same-origin' });
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    }, await csv.getAttribute('href'));
    expect(download.status).toBe(200);
    expect(download.type).toMatch(/text\/csv/);
    expect(download.text.split('\r\n')[0]).toBe('at,kind,actor_id,actor_name,details');
    expect(download.text).toContain('MembershipCreated');
    expect(download.text).not.toContain('GroupCreated');
  });

  it('explains deactivating and deleting, and deactivates her account', async () => {
    // Prepare
    await page.goto(url(stack, '/me/delete'));
    await expectHeading(page, 'Deactivate or delete your account');
    expect(await page.getByText('This cannot be undone.').isVisible()).toBe(true);
    await expectNoAccessibilityViolations(page, bothSchemes);
    await screenshots(page, 'me-delete');

    // Act: deleting wants the word typed first (and nothing is deleted without it).
    await page.getByLabel('To confirm, type DELETE').fill('delete');
    await page.getByRole('button', { name: 'Delete my account forever' }).click();
    await page.getByText('Type DELETE in capital letters to confirm.').waitFor();
    expect(await page.getByLabel('To confirm, type DELETE').getAttribute('aria-invalid')).toBe('true');

    // Act: deactivate instead.
    await page.getByRole('button', { name: 'Deactivate my account…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deactivate your account?' });
    await dialog.waitFor();
    await expectNoAccessibilityViolations(page, bothSchemes);
    await dialog.getByRole('button', { name: 'Deactivate', exact: true }).click();

    // Assess
    await page.waitForURL((address) => address.pathname === '/sign-in');
    await page.getByText(/Your account is deactivated/).waitFor();
    expect(await page.evaluate(async () => (await fetch('/api/me')).status)).toBe(401);
  });

  it('reactivates her account when she signs in again by email link', async () => {
    // Act
    await signIn(stack, page, tui);
    await page.goto(url(stack, '/me/data'));

    // Assess
    await expectHeading(page, 'Your data');
    const history = page.getByRole('list', { name: 'Account history, newest first' });
    await expect(history.getByText('Account reactivated').count()).resolves.toBe(1);
    await expect(history.getByText('Account deactivated').count()).resolves.toBe(1);
    // The worker lifts the suspension of her membership shortly after.
    await expect
      .poll(async () => {
        await page.reload();
        await expectHeading(page, 'Your data');
        return page.getByRole('region', { name: 'Groups' }).innerText();
      }, { timeout: 20_000 })
      .toMatch(/Admin · Active/);
  });
});
