import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalReceipt, receiptFingerprint } from '../../shared/polls/receipts.ts';
import { startStack } from '../../scripts/test-support/stack.ts';
import {
  acceptInvitation,
  createGroup,
  expectHeading,
  expectNoAccessibilityViolations,
  launchChromium,
  screenshots as takeScreenshots,
  signIn,
  url,
  type TestStack,
} from './support.ts';

// A secret ballot with a receipt, in order: Aroha starts an anonymous proposal; Ben votes with the
// keyboard alone, keeps his receipt and changes his mind (his browser sends the receipt); on his
// phone, which has no receipt, the page tells him why he cannot change his vote until he pastes
// it; there he withdraws and votes again, and his laptop, voting without the new receipt, is told
// to paste it; Aroha closes the poll; Ben finds his ballot in the published list by his receipt,
// hashed in his browser, and downloads the list to count it himself; last, an anonymous election's
// list reads each ranking in words beside its BLT. Each step starts where the last ended.

let stack: TestStack;
let browser: Browser;
let arohaPage: Page;
let benContext: BrowserContext;
let benPage: Page;
let benPhone: Page;
const problems: string[] = [];

const run = Date.now();
const aroha = { email: `aroha.receipts.${run}@example.org`, name: 'Aroha Te Whare' };
const ben = { email: `ben.receipts.${run}@example.org`, name: 'Ben Okafor' };
const groupName = `Harbour Tenants Union ${run}`;
const title = 'Accept the landlord’s rent offer';
let pollPath = '';
let receipt = '';

/** Set SCREENSHOTS=1 to keep pictures of these screens at 360 and 1280 px, light and dark. */
const screenshots = (on: Page, name: string) => takeScreenshots(on, 'anonymous-receipts', name);

/**
 * Fails the journey on any uncaught page error or console error, on every page it opens. Chromium
 * logs each 4xx answer as a console error; those the journey causes on purpose are let through:
 * 401 (the session check before signing in), 409 (a vote without the receipt) and 422 (the wrong
 * receipts it pastes).
 */
function watch(page: Page, who: string): Page {
  page.on('pageerror', (error) => problems.push(`${who}: page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of (401|409|422)\b/.test(message.text())) return;
    problems.push(`${who}: console error: ${message.text()}`);
  });
  return page;
}

/** A datetime-local value some days ahead, at a given hour, in the browser's own time zone. */
function localTime(daysAhead: number, hour: number): string {
  const date = new Date(Date.now() + daysAhead * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(hour)}:00`;
}

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  arohaPage = watch(await (await browser.newContext()).newPage(), 'Aroha');
  benContext = await browser.newContext();
  await benContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.appUrl });
  benPage = watch(await benContext.newPage(), 'Ben');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('an anonymous proposal with receipts, from the first vote to checking the count', () => {
  it('starts an anonymous proposal in a group Ben has joined', async () => {
    // Prepare
    await signIn(stack, arohaPage, aroha);
    const handle = await createGroup(stack, arohaPage, groupName, 'Closed');
    await arohaPage.goto(url(stack, `/g/${handle}/invite`));
    await arohaPage.getByLabel('Email addresses').fill(ben.email);
    await arohaPage.getByRole('button', { name: 'Send invitation' }).click();
    await arohaPage.getByRole('status').filter({ hasText: `Invitation sent to ${ben.email}` }).waitFor();
    await acceptInvitation(stack, benPage, ben, handle);

    // Act
    await arohaPage.goto(url(stack, `/g/${handle}/polls/new`));
    await expectHeading(arohaPage, 'Start a poll');
    await arohaPage.getByLabel('Title').fill(title);
    await arohaPage.getByLabel('Closes at').fill(localTime(3, 17));
    await arohaPage.getByRole('checkbox', { name: /Anonymous/ }).check();
    await arohaPage.getByRole('button', { name: 'Start poll' }).click();

    // Assess
    await arohaPage.waitForURL((address) => address.pathname.startsWith('/polls/'));
    await expectHeading(arohaPage, title);
    pollPath = new URL(arohaPage.url()).pathname;
    expect(await arohaPage.locator('.facts').getByText('Anonymous').isVisible()).toBe(true);
  });

  it('counts Ben’s vote, cast with the keyboard alone, and shows his receipt once with what it is for', async () => {
    // Prepare
    await benPage.goto(url(stack, pollPath));
    await expectHeading(benPage, title);
    await benPage.getByText('When you vote you get a receipt', { exact: false }).waitFor();
    await expectNoAccessibilityViolations(benPage, ['light', 'dark']);
    await screenshots(benPage, '1-before-voting');

    // Act: Space chooses the focused radio, arrows move within the group, Tab reaches the button
    await benPage.getByRole('radio', { name: 'Abstain' }).focus();
    await benPage.keyboard.press('ArrowUp');
    await benPage.keyboard.press('Space');
    expect(await benPage.getByRole('radio', { name: 'Agree', exact: true }).isChecked()).toBe(true);
    await benPage.getByLabel('Your reason (optional)').focus();
    await benPage.keyboard.press('Tab');
    expect(await benPage.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Vote');
    const sent = benPage.waitForRequest((request) => request.method() === 'PUT' && request.url().endsWith('/vote'));
    await benPage.keyboard.press('Enter');

    // Assess
    expect((await sent).postDataJSON()).not.toHaveProperty('receipt');
    await benPage.getByRole('status').filter({ hasText: 'Your vote was counted.' }).waitFor();
    const panel = benPage.getByRole('region', { name: /Here is your receipt/ });
    await panel.waitFor();
    expect(await benPage.evaluate(() => document.activeElement?.id)).toBe('receipt-heading');
    expect(await panel.innerText()).toContain('This receipt is the only link to your ballot. Keep it to change your vote while the poll is open and to check your ballot was counted. Moot cannot show it again.');
    receipt = (await panel.locator('code').innerText()).replace(/\s/g, '');
    expect(receipt).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    expect(await benPage.evaluate((path) => localStorage.getItem(`moot.receipt.${path.split('/').pop()}`), pollPath)).toBe(receipt);
    expect(await benPage.getByText('You voted:').locator('..').innerText()).toContain('Agree');
    await expectNoAccessibilityViolations(benPage, ['light', 'dark']);
    await screenshots(benPage, '2-receipt');
  });

  it('copies the receipt and downloads it as a text file that says how to use it', async () => {
    // Act
    const panel = benPage.getByRole('region', { name: /Here is your receipt/ });
    await panel.getByRole('button', { name: 'Copy receipt' }).click();
    await panel.getByText('Receipt copied.').waitFor();
    const copied = await benPage.evaluate(() => navigator.clipboard.readText());
    const [download] = await Promise.all([benPage.waitForEvent('download'), panel.getByRole('button', { name: 'Download receipt (.txt)' }).click()]);

    // Assess
    expect(copied).toBe(receipt);
    expect(download.suggestedFilename()).toBe('receipt-accept-the-landlord-s-rent-offer.txt');
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain(title);
    expect(text).toContain(receipt);
    expect(text).toContain('Check my ballot');
  });

  it('changes Ben’s vote, his browser sending the receipt it kept, even after a reload', async () => {
    // Prepare: a reload forgets the vote the server cannot show; the kept receipt finds it
    await benPage.reload();
    await expectHeading(benPage, title);
    await benPage.getByText('You voted:').waitFor();
    expect(await benPage.getByRole('region', { name: /Here is your receipt/ }).count()).toBe(0);
    expect(await benPage.getByText('Your receipt for this poll is kept in this browser').isVisible()).toBe(true);

    // Act
    await benPage.getByRole('radio', { name: 'Disagree' }).check();
    await benPage.getByLabel('Your reason (optional)').fill('The offer ties us in for five years.');
    const sent = benPage.waitForRequest((request) => request.method() === 'PUT' && request.url().endsWith('/vote'));
    await benPage.getByRole('button', { name: 'Change vote' }).click();

    // Assess
    expect((await sent).postDataJSON().receipt).toBe(receipt);
    await benPage.getByRole('status').filter({ hasText: 'Your vote was changed.' }).waitFor();
    expect(await benPage.getByText('You voted:').locator('..').innerText()).toContain('Disagree');
    expect(await benPage.getByText('1 person voted').isVisible()).toBe(true);
    await expectNoAccessibilityViolations(benPage);
    await screenshots(benPage, '3-changed');
  });

  it('tells Ben on a browser without his receipt why he cannot change his vote, until he pastes it', async () => {
    // Prepare
    benPhone = watch(await (await browser.newContext()).newPage(), 'Ben’s phone');
    await signIn(stack, benPhone, ben);
    await benPhone.goto(url(stack, pollPath));
    await expectHeading(benPhone, title);
    await benPhone.getByText('You have voted in this poll, but this browser does not have your receipt.').waitFor();
    expect(await benPhone.getByRole('button', { name: 'Change vote' }).count()).toBe(0);
    await expectNoAccessibilityViolations(benPhone, ['light', 'dark']);
    await screenshots(benPhone, '4-no-receipt');

    // Act: a receipt for some other ballot first, then his own, typed loosely
    const field = benPhone.getByRole('textbox', { name: 'Your receipt' });
    await field.fill('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH');
    await benPhone.getByRole('button', { name: 'Find my vote' }).click();
    await benPhone.getByText('This receipt matches no ballot in this poll', { exact: false }).waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toContain('receipt-entry-error');
    expect(await benPhone.evaluate(() => document.activeElement?.id)).toBe('receipt-entry');
    await expectNoAccessibilityViolations(benPhone);
    await screenshots(benPhone, '5-wrong-receipt');
    await field.fill(receipt.toLowerCase().replaceAll('-', ' '));
    await benPhone.getByRole('button', { name: 'Find my vote' }).click();

    // Assess
    await benPhone.getByRole('status').filter({ hasText: 'Receipt accepted' }).waitFor();
    expect(await benPhone.getByText('You voted:').locator('..').innerText()).toContain('Disagree');
    expect(await benPhone.getByRole('radio', { name: 'Disagree' }).isChecked()).toBe(true);
    expect(await benPhone.getByRole('button', { name: 'Change vote' }).isVisible()).toBe(true);
    expect(await benPhone.getByRole('button', { name: 'Withdraw my vote' }).isVisible()).toBe(true);
    expect(await benPhone.evaluate(() => document.activeElement?.id)).toBe('vote-heading');
    await expectNoAccessibilityViolations(benPhone);
  });

  it('withdraws Ben’s vote on his phone with the pasted receipt, and his laptop then forgets the receipt it kept', async () => {
    // Act
    await benPhone.getByRole('button', { name: 'Withdraw my vote' }).click();
    const dialog = benPhone.getByRole('dialog', { name: 'Withdraw your vote?' });
    await dialog.getByText('Your receipt stops working').waitFor();
    const sent = benPhone.waitForRequest((request) => request.method() === 'DELETE' && request.url().endsWith('/vote'));
    await dialog.getByRole('button', { name: 'Withdraw vote' }).click();

    // Assess
    expect((await sent).postDataJSON()).toEqual({ receipt });
    await benPhone.getByRole('status').filter({ hasText: 'Your vote was withdrawn.' }).waitFor();
    expect(await benPhone.evaluate(() => document.activeElement?.id)).toBe('vote-heading');
    expect(await benPhone.getByText('0 people voted').isVisible()).toBe(true);
    await benPage.reload();
    await benPage.getByText('When you vote you get a receipt', { exact: false }).waitFor();
    expect(await benPage.evaluate((path) => localStorage.getItem(`moot.receipt.${path.split('/').pop()}`), pollPath)).toBeNull();
  });

  it('votes again on the phone with a new receipt, and the laptop, voting without it, is told to paste it', async () => {
    // Prepare
    await benPhone.getByRole('radio', { name: 'Disagree' }).check();
    await benPhone.getByLabel('Your reason (optional)').fill('The offer ties us in for five years.');
    await benPhone.getByRole('button', { name: 'Vote', exact: true }).click();
    const panel = benPhone.getByRole('region', { name: /Here is your receipt/ });
    await panel.waitFor();
    const fresh = (await panel.locator('code').innerText()).replace(/\s/g, '');
    expect(fresh).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    expect(fresh).not.toBe(receipt);
    receipt = fresh;
    await expectNoAccessibilityViolations(benPhone);

    // Act: the laptop still shows the empty ballot from before
    await benPage.getByRole('radio', { name: 'Agree', exact: true }).check();
    await benPage.getByRole('button', { name: 'Vote', exact: true }).click();

    // Assess
    const field = benPage.getByRole('textbox', { name: 'Your receipt' });
    await benPage.getByText('You have voted in this poll, but this browser does not have your receipt.').waitFor();
    await benPage.getByText('only the receipt you were given when you voted can change or withdraw it', { exact: false }).waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await benPage.waitForFunction(() => document.activeElement?.id === 'receipt-entry');
    await field.fill(receipt);
    await benPage.getByRole('button', { name: 'Find my vote' }).click();
    await benPage.getByRole('status').filter({ hasText: 'Receipt accepted' }).waitFor();
    expect(await benPage.getByText('You voted:').locator('..').innerText()).toContain('Disagree');
    expect(await benPage.evaluate((path) => localStorage.getItem(`moot.receipt.${path.split('/').pop()}`), pollPath)).toBe(receipt);
    await expectNoAccessibilityViolations(benPage);
  });

  it('closes the poll from Aroha’s page, and offers the count to check', async () => {
    // Act
    await arohaPage.reload();
    await arohaPage.getByRole('button', { name: 'Close poll' }).click();
    const dialog = arohaPage.getByRole('dialog', { name: 'Close this poll now?' });
    await dialog.getByRole('button', { name: 'Close poll' }).click();

    // Assess
    await arohaPage.getByRole('status').filter({ hasText: 'The poll is closed.' }).waitFor();
    const count = arohaPage.getByRole('region', { name: 'Check the count' });
    await count.getByText('1 ballot in the list; the results count 1 voter.').waitFor();
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('finds Ben’s ballot in the published list from the receipt his browser kept, without sending it', async () => {
    // Prepare
    const requests: string[] = [];
    benPage.on('request', (request) => requests.push(`${request.url()} ${request.postData() ?? ''}`));
    await benPage.reload();
    await expectHeading(benPage, title);
    const count = benPage.getByRole('region', { name: 'Check the count' });
    await count.getByText('They match.').waitFor();
    const field = count.getByRole('textbox', { name: 'Your receipt' });
    expect(await field.inputValue()).toBe(receipt);
    const fingerprint = await receiptFingerprint(canonicalReceipt(receipt)!);
    expect(await count.getByRole('table').innerText()).toContain(fingerprint);
    await expectNoAccessibilityViolations(benPage, ['light', 'dark']);

    // Act
    await count.getByRole('button', { name: 'Check my ballot' }).click();

    // Assess
    const verdict = count.getByText('Your ballot is in the count:').locator('..');
    await verdict.waitFor();
    expect(await verdict.innerText()).toContain('Disagree');
    expect(await benPage.evaluate(() => document.activeElement?.classList.contains('verdict'))).toBe(true);
    expect(await count.getByRole('row', { name: /Yours/ }).innerText()).toContain('Disagree');
    const canonical = canonicalReceipt(receipt)!;
    expect(requests.filter((line) => line.includes(receipt) || line.includes(canonical) || line.includes(fingerprint))).toEqual([]);
    await expectNoAccessibilityViolations(benPage, ['light', 'dark']);
    await screenshots(benPage, '6-checked');
  });

  it('says Not found for a receipt that is not in the list, and names a malformed one at its field', async () => {
    // Act
    const count = benPage.getByRole('region', { name: 'Check the count' });
    const field = count.getByRole('textbox', { name: 'Your receipt' });
    await field.fill('ABCD');
    await count.getByRole('button', { name: 'Check my ballot' }).click();
    await count.getByText('A receipt is 32 letters and digits', { exact: false }).waitFor();
    expect(await benPage.evaluate(() => document.activeElement?.id)).toBe('check-receipt');
    expect(await field.getAttribute('aria-describedby')).toContain('check-receipt-error');
    await field.fill('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH');
    await count.getByRole('button', { name: 'Check my ballot' }).click();

    // Assess
    await count.getByText('Not found.').waitFor();
    await expectNoAccessibilityViolations(benPage);
    await screenshots(benPage, '7-not-found');
  });

  it('downloads the whole ballot list as JSON and CSV, built in the browser', async () => {
    // Prepare
    const count = benPage.getByRole('region', { name: 'Check the count' });
    const fingerprint = await receiptFingerprint(canonicalReceipt(receipt)!);

    // Act
    const [json] = await Promise.all([benPage.waitForEvent('download'), count.getByRole('button', { name: 'Download the ballot list (JSON)' }).click()]);
    const [csv] = await Promise.all([benPage.waitForEvent('download'), count.getByRole('button', { name: 'Download the ballot list (CSV)' }).click()]);

    // Assess
    const list = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { voters: number; ballots: Array<{ fingerprint: string; choices: { option: string }; reason: string | null }> };
    expect(list.voters).toBe(1);
    expect(list.ballots).toHaveLength(1);
    expect(list.ballots[0]!.fingerprint).toBe(fingerprint);
    expect(list.ballots[0]!.reason).toBe('The offer ties us in for five years.');
    const rows = readFileSync((await csv.path())!, 'utf8').trim().split(/\r\n/);
    expect(rows[0]).toBe('fingerprint,choices,reason,choices_json');
    expect(rows[1]).toMatch(new RegExp(`^${fingerprint},Disagree,The offer ties us in for five years\\.,`));
  });

  it('publishes an election’s ballots with each ranking in words, beside the BLT to recount with npm run count', async () => {
    // Prepare: through the API from each person's page, so the requests carry their session and origin
    const send = (on: Page, method: string, path: string, body?: unknown) =>
      on.evaluate(
        async ([m, p, b]) => {
          const response = await fetch(p, { method: m, headers: { 'content-type': 'application/json' }, body: b === undefined ? undefined : JSON.stringify(b) });
          return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> | null };
        },
        [method, path, body] as const,
      );
    const groupId = pollPath.split('/').pop()!.split('.')[0]!;
    const started = await send(arohaPage, 'POST', '/api/polls', {
      groupId,
      type: 'election',
      title: 'Elect two delegates',
      closingAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      anonymous: true,
      options: ['Ana', 'Ben', 'Cy'],
      settings: { method: 'stv-scottish', seats: 2 },
    });
    expect(started.status).toBe(201);
    const election = started.body as { id: string; options: Array<{ id: string; name: string }> };
    const id = (name: string) => election.options.find((o) => o.name === name)!.id;
    expect((await send(arohaPage, 'PUT', `/api/polls/${election.id}/vote`, { choices: { ranking: [id('Ana'), id('Ben')] } })).status).toBe(200);
    const benVote = await send(benPage, 'PUT', `/api/polls/${election.id}/vote`, { choices: { ranking: [id('Cy'), id('Ana')] } });
    const benReceipt = benVote.body!.receipt as string;
    expect((await send(arohaPage, 'POST', `/api/polls/${election.id}/close`)).status).toBe(200);

    // Act
    await benPhone.goto(url(stack, `/polls/${election.id}`));
    await expectHeading(benPhone, 'Elect two delegates');
    const count = benPhone.getByRole('region', { name: 'Check the count' });
    await count.getByText('2 ballots in the list; the results count 2 voters. They match.').waitFor();
    await count.getByRole('textbox', { name: 'Your receipt' }).fill(benReceipt);
    await count.getByRole('button', { name: 'Check my ballot' }).click();

    // Assess
    const verdict = count.getByText('Your ballot is in the count:').locator('..');
    await verdict.waitFor();
    expect(await verdict.innerText()).toContain('1. Cy; 2. Ana');
    const table = await count.getByRole('table').innerText();
    expect(table).toContain('1. Ana; 2. Ben');
    expect(table).toContain('1. Cy; 2. Ana');
    expect(await count.getByRole('link', { name: 'Download the ballots as BLT' }).getAttribute('href')).toBe(`/api/polls/${election.id}/ballots.blt`);
    expect(await count.innerText()).toContain('npm run count -- --method stv-scottish ballots.blt');
    await expectNoAccessibilityViolations(benPhone, ['light', 'dark']);
    await screenshots(benPhone, '8-election-count');
    expect(problems).toEqual([]);
  });
});
