import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { startStack } from '../../scripts/test-support/stack.ts';

// What every browser journey does the same way: launch Chromium, read the local SES mailbox,
// check a page with axe, and walk the few screens (sign in, create a group, join by invitation)
// that a journey passes through on its way to what it is about.

/** The local stack a journey runs against, as `startStack()` returns it. */
export type TestStack = Awaited<ReturnType<typeof startStack>>;

/** Someone who signs in during a journey. */
export interface Person {
  email: string;
  name: string;
}

/** One email as `GET /store` on aws-ses-v2-local returns it (only the parts the journeys read). */
export interface Email {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** The links the app emails, as they appear in the email's text. */
export const emailedLink = {
  signIn: /\/sign-in\/link#token=[A-Za-z0-9_-]{43}/,
  invitation: /\/invitations\/accept#token=[A-Za-z0-9_-]{43}/,
};

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

/** Launches Debian's headless Chromium; the journey closes it in its `afterAll`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumFlags });
}

/** The absolute address of `path` (which may carry a query or fragment) on the stack's web app. */
export function url(stack: TestStack, path: string): string {
  return new URL(path, stack.appUrl).href;
}

/** Every email the stack has sent to `address` so far, oldest first. */
export async function emailsTo(stack: TestStack, address: string): Promise<Email[]> {
  const response = await fetch(`${stack.mailUrl}/store`);
  const store = (await response.json()) as { emails: Email[] };
  return store.emails
    .filter((message) => message.destination.to.some((to) => to.toLowerCase().includes(address)))
    .sort((a, b) => a.at - b.at);
}

/**
 * Waits up to 20 seconds for `pick` to choose an email from those sent to `address` (oldest
 * first), and returns it. `what` names the awaited email in the error when none comes.
 */
export async function waitForEmail(
  stack: TestStack,
  address: string,
  pick: (emails: Email[]) => Email | undefined,
  what = 'email',
): Promise<Email> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const picked = pick(await emailsTo(stack, address));
    if (picked) return picked;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`No ${what} reached ${address}`);
}

/**
 * Waits for an email to `address` newer than the `seen` ones, and returns the newest.
 * With `subject`, only emails whose subject matches it are counted (`seen` included).
 */
export function nextEmail(stack: TestStack, address: string, seen: number, subject?: RegExp): Promise<Email> {
  return waitForEmail(
    stack,
    address,
    (emails) => {
      const counted = subject ? emails.filter((message) => subject.test(message.subject)) : emails;
      return counted.length > seen ? counted.at(-1) : undefined;
    },
    subject ? `email like ${subject}` : 'email',
  );
}

/** What an email says: its text part, or its HTML when it has no text. */
export function emailText(email: Email): string {
  return email.body.text ?? email.body.html ?? '';
}

/**
 * Waits for an email to `address` newer than the `seen` ones (counting only those whose subject
 * matches `subject`, if given), and returns the path of its link matching `pattern`.
 */
export async function nextLink(
  stack: TestStack,
  address: string,
  seen: number,
  pattern: RegExp,
  subject?: RegExp,
): Promise<string> {
  const email = await nextEmail(stack, address, seen, subject);
  const text = emailText(email);
  const link = pattern.exec(text)?.[0];
  if (!link) throw new Error(`The email "${email.subject}" has no link like ${pattern}:\n${text}`);
  return link;
}

/**
 * Checks the page with axe against WCAG 2.1 A and AA, and fails listing every violation. With
 * `colorSchemes`, checks once in each scheme (dark mode has its own contrast to get right) and
 * then goes back to light.
 */
export async function expectNoAccessibilityViolations(
  on: Page,
  colorSchemes?: ReadonlyArray<'light' | 'dark'>,
): Promise<void> {
  for (const colorScheme of colorSchemes ?? [undefined]) {
    if (colorScheme) await on.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page: on }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const violations = results.violations.map((violation) => ({
      ...(colorScheme && { scheme: colorScheme }),
      rule: violation.id,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
    expect(violations).toEqual([]);
  }
  if (colorSchemes) await on.emulateMedia({ colorScheme: 'light' });
}

/** Waits for the page's one and only h1 to read `text`. */
export async function expectHeading(on: Page, text: string): Promise<void> {
  await on.getByRole('heading', { level: 1, name: text, exact: true }).waitFor({ timeout: 10_000 });
  expect(await on.locator('h1').count()).toBe(1);
}

/**
 * Signs `person` in from the sign-in page (going there first unless already on it) with the
 * emailed link, and gives their name if asked for one. Only sign-in emails are counted, so other
 * mail arriving meanwhile is never taken for the link. Ends wherever the app then leads.
 */
export async function signIn(stack: TestStack, on: Page, person: Person): Promise<void> {
  const signInEmail = /sign-in code/;
  const seen = (await emailsTo(stack, person.email)).filter((message) => signInEmail.test(message.subject)).length;
  if (new URL(on.url()).pathname !== '/sign-in') await on.goto(url(stack, '/sign-in'));
  await on.getByLabel('Email address').fill(person.email);
  await on.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expectHeading(on, 'Check your email');
  await on.goto(url(stack, await nextLink(stack, person.email, seen, emailedLink.signIn, signInEmail)));
  await on.waitForURL((address) => address.pathname !== '/sign-in/link');
  if (new URL(on.url()).pathname === '/welcome') await giveName(on, person.name);
}

/** Gives `name` on the welcome page a first sign-in leads to, and waits to be sent on. */
export async function giveName(on: Page, name: string): Promise<void> {
  await expectHeading(on, 'Welcome to Moot');
  await on.getByLabel('Your name').fill(name);
  await on.getByRole('button', { name: 'Continue' }).click();
  await on.waitForURL((address) => address.pathname !== '/welcome');
}

/** Creates a group from the create-group page, waits for the group's own page, and returns its handle. */
export async function createGroup(
  stack: TestStack,
  on: Page,
  name: string,
  privacy: 'Open' | 'Closed' | 'Secret',
): Promise<string> {
  await on.goto(url(stack, '/groups/new'));
  await expectHeading(on, 'Create a group');
  await on.getByLabel('Group name').fill(name);
  await on.getByRole('radio', { name: privacy }).check();
  const handle = await on.getByLabel('Handle').inputValue();
  await on.getByRole('button', { name: 'Create group' }).click();
  await on.waitForURL((address) => address.pathname === `/g/${handle}`);
  await expectHeading(on, name);
  return handle;
}

/**
 * Opens the invitation link in the first email `person` was sent, accepts it, gives their name,
 * and waits for the group's page.
 */
export async function acceptInvitation(stack: TestStack, on: Page, person: Person, groupHandle: string): Promise<void> {
  await on.goto(url(stack, await nextLink(stack, person.email, 0, emailedLink.invitation)));
  await on.getByRole('button', { name: 'Accept and join' }).click();
  await on.waitForURL((address) => address.pathname === '/welcome');
  await giveName(on, person.name);
  await on.waitForURL((address) => address.pathname === `/g/${groupHandle}`);
}

/**
 * Pictures of the page at phone and desktop widths, in light and dark, into
 * `<tmp>/moot-<journey>-shots/` when SCREENSHOTS is set: for a person to look at, never compared.
 */
export async function screenshots(on: Page, journey: string, name: string): Promise<void> {
  if (!process.env.SCREENSHOTS) return;
  const dir = join(tmpdir(), `moot-${journey}-shots`);
  mkdirSync(dir, { recursive: true });
  const before = on.viewportSize();
  for (const width of [360, 1280]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await on.setViewportSize({ width, height: 900 });
      await on.emulateMedia({ colorScheme });
      await on.screenshot({ path: join(dir, `${name}-${width}-${colorScheme}.png`), fullPage: true });
    }
  }
  await on.emulateMedia({ colorScheme: 'light' });
  if (before) await on.setViewportSize(before);
}

/** What a person would type into a field of this kind (null: a picker, typed some other way). */
function typedValue(type: string, index: number): string | null {
  switch (type) {
    case 'number': return String(2 + (index % 3));
    case 'email': return `typed${index}@example.org`;
    case 'datetime-local': case 'date': case 'time': case 'range': return null;
    default: return `Typed ${index} — ünïcode ✓`;
  }
}

/**
 * Focuses each visible text, number and multi-line field inside `scope` in turn and types into it
 * by keyboard, as a person would; a slider moves by an arrow key. Returns how many it typed into.
 */
export async function typeIntoEveryField(on: Page, scope: Locator): Promise<number> {
  const fields = scope.locator('input:not([type=radio]):not([type=checkbox]):not([type=hidden]):not([type=file]), textarea');
  const count = await fields.count();
  let typed = 0;
  for (let i = 0; i < count; i++) {
    const field = fields.nth(i);
    if (!(await field.isVisible()) || (await field.isDisabled()) || (await field.getAttribute('readonly')) !== null) continue;
    const type = (await field.getAttribute('type')) ?? 'text';
    const value = typedValue(type, i);
    if (type === 'range') {
      const before = await field.inputValue();
      await field.focus();
      await on.keyboard.press(before === (await field.getAttribute('max')) ? 'ArrowLeft' : 'ArrowRight');
      expect(await field.inputValue()).not.toBe(before);
      typed++;
      continue;
    }
    if (value === null) continue;
    await field.focus();
    await on.keyboard.press('ControlOrMeta+a');
    await on.keyboard.press('Backspace');
    await on.keyboard.type(value);
    expect(await field.inputValue(), `field ${await field.getAttribute('id')}`).toBe(value);
    typed++;
  }
  return typed;
}
