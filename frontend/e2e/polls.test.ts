import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/test-support/stack.ts';
import {
  createGroup,
  expectHeading,
  expectNoAccessibilityViolations,
  launchChromium,
  signIn,
  url,
  type TestStack, screenshots as takeScreenshots
} from './support.ts';

// A group decides: Aroha starts a proposal, votes, changes her mind, closes it and states the
// outcome; then she finds a meeting time, answering the grid with the keyboard alone.
// Each step starts where the last ended.

let stack: TestStack;
let browser: Browser;
let page: Page;

const run = Date.now();
const aroha = { email: `aroha.polls.${run}@example.org`, name: 'Aroha Te Whare' };
const groupName = `Harbour Food Co-op ${run}`;
let handle = '';

/** Set SCREENSHOTS=1 to keep pictures of the poll screens at 360 and 1280 px, light and dark. */

const screenshots = (on: Page, name: string) => takeScreenshots(on, 'poll', name);

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A datetime-local value some days ahead, at a given hour, in the browser's own time zone. */
function localTime(daysAhead: number, hour: number): string {
  const date = new Date(Date.now() + daysAhead * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(hour)}:00`;
}

describe('a proposal, from starting it to its outcome', () => {
  it('shows a new group designed empty lists of open and closed polls, with a way to start one', async () => {
    // Prepare
    await page.goto(url(stack, '/sign-in'));
    await signIn(stack, page, aroha);
    handle = await createGroup(stack, page, groupName, 'Closed');

    // Act
    await page.goto(url(stack, `/g/${handle}/polls`));

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
    await page.goto(url(stack, `/g/${handle}/polls/new`));
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

  it('reopens the proposal with a new closing time typed by keyboard, and keeps its outcome, marked as from before', async () => {
    // Prepare
    await page.getByRole('link', { name: 'Switch to a local organic supplier' }).click();
    await page.getByRole('heading', { name: 'Reopen voting' }).waitFor();

    // Act
    const closing = page.getByLabel('New closing time');
    await closing.focus();
    await closing.fill(localTime(6, 12));
    await page.getByRole('button', { name: 'Reopen poll' }).focus();
    await page.keyboard.press('Enter');

    // Assess
    await page.getByRole('status').filter({ hasText: 'The poll is open again.' }).waitFor();
    const earlier = page.getByRole('region', { name: 'Earlier outcome' });
    expect(await earlier.innerText()).toContain('We stay with our current supplier');
    expect(await earlier.innerText()).toContain('Stated before the poll was reopened');
    await page.reload();
    await page.getByRole('region', { name: 'Earlier outcome' }).waitFor();
    expect(await page.getByRole('radio', { name: 'Agree', exact: true }).count()).toBe(1);
    await expectNoAccessibilityViolations(page, ['light', 'dark']);
    await screenshots(page, 'poll-reopened-earlier-outcome');
    await page.getByRole('link', { name: 'Polls', exact: true }).click();
    await expectHeading(page, 'Polls and proposals');
  });

  it('says a poll\u2019s results are hidden in the list instead of counting its voters', async () => {
    // Prepare: a proposal whose results stay hidden until it closes, started as the API would be called.
    const started = await page.evaluate(async ({ handle, closingAt }) => {
      const group = await (await fetch(`/api/groups/${handle}`)).json();
      const response = await fetch('/api/polls', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ groupId: group.id, type: 'proposal', title: 'Rename the co-op', hideResults: 'until_closed', closingAt }),
      });
      return response.status;
    }, { handle, closingAt: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    expect(started).toBe(201);

    // Act
    await page.reload();

    // Assess
    const open = page.getByRole('region', { name: 'Open' });
    const item = open.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Rename the co-op' }) });
    await item.getByText('results hidden', { exact: false }).waitFor();
    expect(await item.getByText(/\d+ voters?/).count()).toBe(0);
    await expectNoAccessibilityViolations(page, ['light', 'dark']);
    await screenshots(page, 'poll-list-hidden-results');
  });
});

describe('a meeting poll, answered with the keyboard', () => {
  it('offers two times in local time', async () => {
    // Prepare
    await page.goto(url(stack, `/g/${handle}/polls/new`));
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
