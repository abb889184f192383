import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/test-support/stack.ts';

// One person's first weeks with Moot, in order: each step starts where the last one left off.

const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The shape of `GET /store` on aws-ses-v2-local (only the parts read here). */
interface MailStore {
  emails: Array<{ destination: { to: string[] }; subject: string; body: { text?: string; html?: string }; at: number }>;
}

interface SignInEmail {
  /** Path and fragment of the emailed link, e.g. `/sign-in/link#token=…`. */
  link: string;
  code: string;
}

let stack: Awaited<ReturnType<typeof startStack>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const email = `ngaio.${Date.now()}@example.org`;
const name = 'Ngaio Marsh';
let firstLink = '';

beforeAll(async () => {
  stack = await startStack();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumFlags });
  context = await browser.newContext();
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

function url(path: string): string {
  return new URL(path, stack.appUrl).href;
}

async function emailsTo(address: string): Promise<MailStore['emails']> {
  const response = await fetch(`${stack.mailUrl}/store`);
  const store = (await response.json()) as MailStore;
  return store.emails.filter((message) => message.destination.to.some((to) => to.toLowerCase().includes(address)));
}

/** Waits for a sign-in email newer than the `seen` ones, and reads its link and code. */
async function nextSignInEmail(address: string, seen: number): Promise<SignInEmail> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const messages = await emailsTo(address);
    if (messages.length > seen) {
      const newest = messages.sort((a, b) => a.at - b.at).at(-1)!;
      const text = newest.body.text ?? newest.body.html ?? '';
      const link = /\/sign-in\/link#token=[A-Za-z0-9_-]{43}/.exec(text)?.[0];
      const code = /(?<![\w-])\d{6}(?![\w-])/.exec(text.replaceAll(/\S*sign-in\/link#token=\S*/g, ''))?.[0];
      if (!link || !code) throw new Error(`The sign-in email has no link or no code:\n${text}`);
      return { link, code };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`No sign-in email reached ${address}`);
}

async function requestSignIn(on: Page, address: string): Promise<SignInEmail> {
  const seen = (await emailsTo(address)).length;
  await on.goto(url('/sign-in'));
  await on.getByLabel('Email address').fill(address);
  await on.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await on.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
  return nextSignInEmail(address, seen);
}

async function expectNoAccessibilityViolations(on: Page): Promise<void> {
  const results = await new AxeBuilder({ page: on })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const violations = results.violations.map((violation) => ({
    rule: violation.id,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  }));
  expect(violations).toEqual([]);
}

/** Waits for the page's one and only h1 to read `text`. */
async function expectHeading(on: Page, text: string): Promise<void> {
  await on.getByRole('heading', { level: 1, name: text, exact: true }).waitFor({ timeout: 10_000 });
  expect(await on.locator('h1').count()).toBe(1);
}

async function sessionStatus(on: Page): Promise<number> {
  return on.evaluate(async () => (await fetch('/api/me', { credentials: 'same-origin' })).status);
}

describe('signing in to Moot', () => {
  it('sends a signed-out visitor from the home page to the sign-in page', async () => {
    // Act
    await page.goto(url('/'));
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
    await page.goto(url(link));
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
    await page.goto(url(firstLink));

    // Assess
    await expectHeading(page, 'This link has expired or was already used');
    expect(page.url()).not.toContain('token');
    await expectNoAccessibilityViolations(page);
  });

  it('shows the designed not-found page for an unknown address', async () => {
    // Act
    await page.goto(url('/no-such-page'));

    // Assess
    await expectHeading(page, "We can't find that page");
    expect(await page.getByRole('link', { name: 'Go to your home page' }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(page);
  });

  it('signs out on this device and says so on the sign-in page', async () => {
    // Prepare
    await page.goto(url('/'));
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
    const { code } = await nextSignInEmail(email, (await emailsTo(email)).length - 1);

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
    await other.goto(url(link));
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
    await other.goto(url('/'));
    await other.waitForURL((address) => address.pathname === '/sign-in');
    await otherDevice.close();
  });

  it('lets someone ask for a sign-in link with the keyboard alone', async () => {
    // Prepare
    const keyboardOnly = await browser.newContext();
    const tabPage = await keyboardOnly.newPage();
    await tabPage.goto(url('/sign-in'));
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
