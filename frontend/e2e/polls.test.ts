import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/test-support/stack.ts';

// A group decides: Aroha starts a proposal, votes, changes her mind, closes it and states the
// outcome; then she finds a meeting time, answering the grid with the keyboard alone.
// Each step starts where the last ended.

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

let stack: Awaited<ReturnType<typeof startStack>>;
let browser: Browser;
let page: Page;

const run = Date.now();
const aroha = { email: `aroha.polls.${run}@example.org`, name: 'Aroha Te Whare' };
const groupName = `Harbour Food Co-op ${run}`;
let handle = '';

beforeAll(async () => {
  stack = await startStack();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumFlags });
  page = await (await browser.newContext()).newPage();
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

/** Waits for an email to `address`, newer than the `seen` ones, with a link matching `pattern`. */
async function nextLink(address: string, seen: number, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const messages = await emailsTo(address);
    if (messages.length > seen) {
      const newest = messages.sort((a, b) => a.at - b.at).at(-1)!;
      const text = newest.body.text ?? newest.body.html ?? '';
      const link = pattern.exec(text)?.[0];
      if (!link) throw new Error(`The email "${newest.subject}" has no link like ${pattern}:\n${text}`);
      return link;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`No email reached ${address}`);
}

async function expectNoAccessibilityViolations(on: Page): Promise<void> {
  const results = await new AxeBuilder({ page: on }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
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

/** Signs in from the sign-in page with the emailed link, and gives a name if asked for one. */
async function signIn(on: Page, person: { email: string; name: string }): Promise<void> {
  const seen = (await emailsTo(person.email)).length;
  if (new URL(on.url()).pathname !== '/sign-in') await on.goto(url('/sign-in'));
  await on.getByLabel('Email address').fill(person.email);
  await on.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expectHeading(on, 'Check your email');
  const link = await nextLink(person.email, seen, /\/sign-in\/link#token=[A-Za-z0-9_-]{43}/);
  await on.goto(url(link));
  await on.waitForURL((address) => address.pathname !== '/sign-in/link');
  if (new URL(on.url()).pathname === '/welcome') {
    await expectHeading(on, 'Welcome to Moot');
    await on.getByLabel('Your name').fill(person.name);
    await on.getByRole('button', { name: 'Continue' }).click();
    await on.waitForURL((address) => address.pathname !== '/welcome');
  }
}

/** A datetime-local value some days ahead, at a given hour, in the browser's own time zone. */
function localTime(daysAhead: number, hour: number): string {
  const date = new Date(Date.now() + daysAhead * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(hour)}:00`;
}

describe('a proposal, from starting it to its outcome', () => {
  it('shows a new group designed empty lists of open and closed polls, with a way to start one', async () => {
    // Prepare
    await page.goto(url('/sign-in'));
    await signIn(page, aroha);
    await page.goto(url('/groups/new'));
    await expectHeading(page, 'Create a group');
    await page.getByLabel('Group name').fill(groupName);
    await page.getByRole('radio', { name: 'Closed' }).check();
    handle = await page.getByLabel('Handle').inputValue();
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.waitForURL((address) => address.pathname === `/g/${handle}`);

    // Act
    await page.goto(url(`/g/${handle}/polls`));

    // Assess
    await expectHeading(page, 'Polls and proposals');
    expect(await page.title()).toBe(`Polls: ${groupName} · Moot`);
    await page.getByText('No polls are open. Start one when the group is ready to decide something.').waitFor();
    await page.getByText('No polls have closed yet.', { exact: false }).waitFor();
    expect(await page.getByRole('link', { name: 'Start a poll' }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(page);
  });

  it('starts a proposal from the new-poll page, with a closing time in local time', async () => {
    // Prepare
    await page.goto(url(`/g/${handle}/polls/new`));
    await expectHeading(page, 'Start a poll');
    await expectNoAccessibilityViolations(page);
    expect(await page.getByRole('radio', { name: 'Proposal' }).isChecked()).toBe(true);

    // Act: first without a title, then with one
    await page.getByRole('button', { name: 'Start poll' }).click();
    await page.getByText('Enter a title.').first().waitFor();
    expect(await page.getByLabel('Title').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Title').fill('Switch to a local organic supplier');
    await page.getByLabel('Closes at').fill(localTime(4, 17));
    await page.getByRole('button', { name: 'Start poll' }).click();

    // Assess
    await page.waitForURL((address) => address.pathname.startsWith('/polls/'));
    await expectHeading(page, 'Switch to a local organic supplier');
    await page.getByText('Closes', { exact: false }).first().waitFor();
    await expectNoAccessibilityViolations(page);
  });

  it('counts a vote for agree, then changes it to disagree', async () => {
    // Act
    await page.getByRole('radio', { name: 'Agree', exact: true }).check();
    await page.getByRole('button', { name: 'Vote', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Your vote was counted.' }).waitFor();
    await page.getByRole('radio', { name: 'Disagree' }).check();
    await page.getByLabel('Your reason (optional)').fill('The new supplier cannot deliver on Mondays.');
    await page.getByRole('button', { name: 'Change vote' }).click();

    // Assess
    await page.getByRole('status').filter({ hasText: 'Your vote was changed.' }).waitFor();
    expect(await page.getByText('You voted:').locator('..').innerText()).toContain('Disagree');
    const results = page.getByRole('region', { name: 'Results so far' });
    expect(await results.getByText('1 person voted').isVisible()).toBe(true);
    await page.getByText('Show the results as a table').click();
    const table = page.getByRole('table', { name: 'Results by option' });
    expect(await table.getByRole('row', { name: /Disagree/ }).innerText()).toMatch(/Disagree\s+1\s+100%/);
    expect(await table.getByRole('row', { name: /Agree/ }).first().innerText()).toMatch(/Agree\s+0\s+0%/);
    await expectNoAccessibilityViolations(page);
  });

  it('closes the proposal and publishes its outcome', async () => {
    // Act
    await page.getByRole('button', { name: 'Close poll' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close this poll now?' });
    await dialog.waitFor();
    await expectNoAccessibilityViolations(page);
    await dialog.getByRole('button', { name: 'Close poll' }).click();
    await page.getByRole('status').filter({ hasText: 'The poll is closed.' }).waitFor();
    await page.getByRole('textbox', { name: 'Outcome' }).fill('We stay with our current supplier and ask again in spring.');
    await page.getByLabel('Chosen option (optional)').selectOption({ label: 'Disagree' });
    await expectNoAccessibilityViolations(page);
    await page.getByRole('button', { name: 'Publish outcome' }).click();

    // Assess
    await page.getByRole('status').filter({ hasText: 'The outcome is published.' }).waitFor();
    const outcome = page.getByRole('region', { name: 'Outcome' });
    expect(await outcome.innerText()).toContain('We stay with our current supplier');
    expect(await outcome.innerText()).toContain('Chosen: Disagree');
    expect(await page.getByText('Voting has closed.').isVisible()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Agree', exact: true }).count()).toBe(0);
    await expectNoAccessibilityViolations(page);
  });

  it('lists the proposal under closed polls', async () => {
    // Act
    await page.getByRole('link', { name: 'Polls', exact: true }).click();

    // Assess
    await expectHeading(page, 'Polls and proposals');
    const closed = page.getByRole('region', { name: 'Closed' });
    await closed.getByRole('link', { name: 'Switch to a local organic supplier' }).waitFor();
    await expectNoAccessibilityViolations(page);
  });
});

describe('a meeting poll, answered with the keyboard', () => {
  it('offers two times in local time', async () => {
    // Prepare
    await page.goto(url(`/g/${handle}/polls/new`));
    await expectHeading(page, 'Start a poll');

    // Act
    await page.getByRole('radio', { name: 'Meeting time' }).check();
    await page.getByLabel('Title').fill('Next general meeting');
    await page.getByLabel('Time 1').fill(localTime(9, 18));
    await page.getByLabel('Time 2').fill(localTime(10, 18));
    await expectNoAccessibilityViolations(page);
    await page.getByRole('button', { name: 'Start poll' }).click();

    // Assess
    await page.waitForURL((address) => address.pathname.startsWith('/polls/'));
    await expectHeading(page, 'Next general meeting');
    expect(await page.getByRole('radio', { name: 'Maybe' }).count()).toBe(2);
    await expectNoAccessibilityViolations(page);
  });

  it('takes yes for the first time and maybe for the second from the keyboard, and totals the grid', async () => {
    // Act: Space picks Yes; Tab moves to the next time; an arrow key moves Yes to Maybe
    await page.getByRole('radio', { name: 'Yes' }).first().focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Tab'); // the reason
    await page.keyboard.press('Tab'); // the vote button
    await page.keyboard.press('Enter');

    // Assess
    await page.getByRole('status').filter({ hasText: 'Your vote was counted.' }).waitFor();
    const grid = page.getByRole('table', { name: "Each voter's answer for each time, with totals" });
    await grid.waitFor();
    const mine = await grid.getByRole('row', { name: new RegExp(aroha.name) }).innerText();
    expect(mine).toMatch(/Yes\s+Maybe/);
    const totals = await grid.getByRole('row', { name: /Total/ }).innerText();
    expect(totals).toMatch(/1 yes, 0 maybe\s+0 yes, 1 maybe/);
    await expectNoAccessibilityViolations(page);
  });
});
