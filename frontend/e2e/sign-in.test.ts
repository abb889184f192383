import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/test-support/stack.ts';
import {
  emailedLink,
  emailText,
  emailsTo,
  expectHeading,
  expectNoAccessibilityViolations,
  launchChromium,
  nextEmail,
  url,
  type TestStack, screenshots as takeScreenshots
} from './support.ts';

// One person's first weeks with Moot, in order: each step starts where the last one left off.

interface SignInEmail {
  /** Path and fragment of the emailed link, e.g. `/sign-in/link#token=…`. */
  link: string;
  code: string;
}

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const email = `ngaio.${Date.now()}@example.org`;
const name = 'Ngaio Marsh';
let firstLink = '';

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  context = await browser.newContext();
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Waits for a sign-in email newer than the `seen` ones, and reads its link and code. */
async function nextSignInEmail(address: string, seen: number): Promise<SignInEmail> {
  const text = emailText(await nextEmail(stack, address, seen));
  const link = emailedLink.signIn.exec(text)?.[0];
  const code = /(?<![\w-])\d{6}(?![\w-])/.exec(text.replaceAll(/\S*sign-in\/link#token=\S*/g, ''))?.[0];
  if (!link || !code) throw new Error(`The sign-in email has no link or no code:\n${text}`);
  return { link, code };
}

async function requestSignIn(on: Page, address: string): Promise<SignInEmail> {
  const seen = (await emailsTo(stack, address)).length;
  await on.goto(url(stack, '/sign-in'));
  await on.getByLabel('Email address').fill(address);
  await on.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await on.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
  return nextSignInEmail(address, seen);
}


const screenshots = (on: Page, name: string) => takeScreenshots(on, 'sign-in', name);

async function sessionStatus(on: Page): Promise<number> {
  return on.evaluate(async () => (await fetch('/api/me', { credentials: 'same-origin' })).status);
}

describe('signing in to Moot', () => {
  it('sends a signed-out visitor from the home page to the sign-in page', async () => {
    // Act
    await page.goto(url(stack, '/'));
    await page.waitForURL((address) => address.pathname === '/sign-in');

    // Assess
    await expectHeading(page, 'Sign in to Moot');
    expect(await page.title()).toBe('Sign in · Moot');
    await expectNoAccessibilityViolations(page);
  });

  it('tells a new person to check their email after they ask for a sign-in link', async () => {
    // Act
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();

    // Assess
    await expectHeading(page, 'Check your email');
    await expect(page.getByText(email, { exact: true }).innerText()).resolves.toBe(email);
    expect(await page.getByLabel('Email address').inputValue()).toBe(email);
    const code = page.getByLabel('6-digit code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    await expectNoAccessibilityViolations(page);
  });

  it('signs them in from the emailed link, takes the token out of the address bar and asks for their name', async () => {
    // Prepare
    const { link } = await nextSignInEmail(email, 0);
    firstLink = link;

    // Act
    await page.goto(url(stack, link));
    await page.waitForURL((address) => address.pathname === '/welcome');

    // Assess
    expect(page.url()).not.toContain('token');
    await expectHeading(page, 'Welcome to Moot');
    await expectNoAccessibilityViolations(page);
  });

  it('shows an error next to the name field when the name is left empty', async () => {
    // Act
    await page.getByRole('button', { name: 'Continue' }).click();

    // Assess
    const field = page.getByLabel('Your name');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toContain('name-error');
    expect(await page.locator('#name-error').innerText()).toContain('Enter your name.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('name');
    await expectNoAccessibilityViolations(page);
  });

  it('shows their name and an empty list of groups once they have given their name', async () => {
    // Act
    await page.getByLabel('Your name').fill(name);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((address) => address.pathname === '/');

    // Assess
    await expectHeading(page, 'Your groups');
    expect(await page.getByRole('button', { name: new RegExp(name) }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: "You're not in any groups yet" }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(page);
  });

  it('opens the account menu with its sign-out choices', async () => {
    // Act
    await page.getByRole('button', { name: /Account/ }).click();

    // Assess
    expect(await page.getByRole('button', { name: /Account/ }).getAttribute('aria-expanded')).toBe('true');
    expect(await page.getByRole('button', { name: 'Sign out', exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Sign out everywhere…' }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(page);
    await page.keyboard.press('Escape');
  });

  it('says the link has expired or was already used when it is opened a second time', async () => {
    // Act
    await page.goto(url(stack, firstLink));

    // Assess
    await expectHeading(page, 'This link has expired or was already used');
    expect(page.url()).not.toContain('token');
    await expectNoAccessibilityViolations(page);
  });

  it('shows the designed not-found page for an unknown address', async () => {
    // Act
    await page.goto(url(stack, '/no-such-page'));

    // Assess
    await expectHeading(page, "We can't find that page");
    expect(await page.getByRole('link', { name: 'Go to your home page' }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(page);
  });

  it('signs out on this device and says so on the sign-in page', async () => {
    // Prepare
    await page.goto(url(stack, '/'));
    await expectHeading(page, 'Your groups');

    // Act
    await page.getByRole('button', { name: /Account/ }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL((address) => address.pathname === '/sign-in');

    // Assess
    expect(await page.getByRole('status').filter({ hasText: 'You are signed out.' }).isVisible()).toBe(true);
    expect(await sessionStatus(page)).toBe(401);
    await expectNoAccessibilityViolations(page);
  });

  it('rejects a wrong code next to the code field', async () => {
    // Prepare
    const { code } = await requestSignIn(page, email);
    const wrong = code === '000000' ? '111111' : '000000';

    // Act
    await page.getByLabel('6-digit code').fill(wrong);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    // Assess
    await page.locator('#code-error').waitFor();
    expect(await page.getByLabel('6-digit code').getAttribute('aria-describedby')).toContain('code-error');
    expect(await page.getByLabel('6-digit code').getAttribute('aria-invalid')).toBe('true');
    await expectNoAccessibilityViolations(page);
  });

  it('signs them in again with the emailed 6-digit code and goes straight home', async () => {
    // Prepare: the newest email to this address carries the code
    const { code } = await nextSignInEmail(email, (await emailsTo(stack, email)).length - 1);

    // Act
    await page.getByLabel('6-digit code').fill(code);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((address) => address.pathname === '/');

    // Assess
    await expectHeading(page, 'Your groups');
    expect(await sessionStatus(page)).toBe(200);
  });

  it('signs out everywhere, after a confirmation, ending the sessions on other devices too', async () => {
    // Prepare: a second device signed in to the same account
    const otherDevice = await browser.newContext();
    const other = await otherDevice.newPage();
    const { link } = await requestSignIn(other, email);
    await other.goto(url(stack, link));
    await other.waitForURL((address) => address.pathname === '/');
    expect(await sessionStatus(other)).toBe(200);

    // Act
    await page.getByRole('button', { name: /Account/ }).click();
    await page.getByRole('button', { name: 'Sign out everywhere…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign out everywhere?' });
    await dialog.waitFor();
    await expectNoAccessibilityViolations(page);
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL((address) => address.pathname === '/sign-in');

    // Assess
    expect(await page.getByRole('status').filter({ hasText: 'You are signed out on every device.' }).isVisible()).toBe(
      true,
    );
    expect(await sessionStatus(page)).toBe(401);
    expect(await sessionStatus(other)).toBe(401);
    await other.goto(url(stack, '/'));
    await other.waitForURL((address) => address.pathname === '/sign-in');
    await otherDevice.close();
  });

  it('says codes and passwords are paused for an address after too many wrong ones, for how long, and that links still work', async () => {
    // Prepare: ten wrong passwords for an address that has no account
    const guessed = await browser.newContext();
    const on = await guessed.newPage();
    const address = `guessed.${Date.now()}@example.org`;
    await on.goto(url(stack, '/sign-in'));
    const statuses = await on.evaluate(async (email) => {
      const answers: number[] = [];
      for (let i = 0; i < 10; i++) {
        const body = JSON.stringify({ email, password: `wrong guess ${i}` });
        answers.push((await fetch('/api/auth/password', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status);
      }
      return answers;
    }, address);
    expect(statuses).toEqual(Array(10).fill(401));

    // Act: the right code from a fresh email
    const { code } = await requestSignIn(on, address);
    await on.getByLabel('6-digit code').fill(code);
    await on.getByRole('button', { name: 'Sign in', exact: true }).click();

    // Assess: told why, for how long, and what still works; focus stays on the code
    const alert = on.getByRole('alert').filter({ hasText: 'Too many wrong codes or passwords' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/paused them for the next 24 hours\. Open the link in your newest sign-in email instead; links keep working\./);
    expect(await on.evaluate(() => document.activeElement?.id)).toBe('code');
    await expectNoAccessibilityViolations(on, ['light', 'dark']);
    await screenshots(on, 'sign-in-code-paused');

    // The password form says the same
    await on.getByRole('button', { name: 'Use a different email' }).click();
    await on.getByRole('button', { name: 'Sign in with a password instead' }).click();
    await on.getByLabel('Email address').fill(address);
    await on.getByLabel('Password').fill('one more guess');
    await on.getByRole('button', { name: 'Sign in', exact: true }).click();
    await on.getByRole('alert').filter({ hasText: 'Sign in with an email link instead; links keep working.' }).waitFor();
    await expectNoAccessibilityViolations(on, ['light', 'dark']);
    await screenshots(on, 'sign-in-password-paused');

    // And the emailed link still signs them in
    const { link } = await nextSignInEmail(address, (await emailsTo(stack, address)).length - 1);
    await on.goto(url(stack, link));
    await on.waitForURL((at) => at.pathname !== '/sign-in/link');
    expect(await sessionStatus(on)).toBe(200);
    await guessed.close();
  });

  it('lets someone ask for a sign-in link with the keyboard alone', async () => {
    // Prepare
    const keyboardOnly = await browser.newContext();
    const tabPage = await keyboardOnly.newPage();
    await tabPage.goto(url(stack, '/sign-in'));
    await expectHeading(tabPage, 'Sign in to Moot');
    const focused = () =>
      tabPage.evaluate(() => ({ id: document.activeElement?.id, text: document.activeElement?.textContent?.trim() }));

    // Act: the first Tab reaches the skip link, which leads into the main content
    await tabPage.keyboard.press('Tab');
    expect((await focused()).text).toBe('Skip to main content');
    await tabPage.keyboard.press('Enter');
    for (let presses = 0; presses < 5 && (await focused()).id !== 'email'; presses++) {
      await tabPage.keyboard.press('Tab');
    }
    expect((await focused()).id).toBe('email');

    // An empty address is refused in place, with the reason read out with the field
    await tabPage.keyboard.press('Enter');
    await tabPage.locator('#email-error').waitFor();
    expect((await focused()).id).toBe('email');
    expect(await tabPage.getByLabel('Email address').getAttribute('aria-describedby')).toContain('email-error');

    await tabPage.keyboard.type(`keys.${Date.now()}@example.org`);
    await tabPage.keyboard.press('Enter');

    // Assess
    await expectHeading(tabPage, 'Check your email');
    expect(await tabPage.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await keyboardOnly.close();
  });
});
