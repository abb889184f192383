import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/test-support/stack.ts';
import { createGroup, expectHeading, launchChromium, signIn, typeIntoEveryField, url, type TestStack } from './support.ts';

// Every form of the app takes typing by keyboard into every field, numbers included, without a
// page error: one number field once crashed the new-poll form, so each screen with a form is
// visited and typed into (nothing is submitted; the other journeys do that). The new-poll form has
// its own journey (poll-form-typing.test.ts), one pass per poll type; the export and import pages
// take no typed fields.

let stack: TestStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const run = Date.now();
const tui = { email: `tui.forms.${run}@example.org`, name: 'Tui Ngata' };
let handle = '';
let threadPath = '';
let pollPath = '';

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  await page.goto(url(stack, '/sign-in'));
  await signIn(stack, page, tui);
  handle = await createGroup(stack, page, `Forms Co-op ${run}`, 'Closed');
  // A thread and a poll in it, as the API would be called, for the screens that show them.
  const made = await page.evaluate(async ({ handle }) => {
    const json = { 'content-type': 'application/json' };
    const group = await (await fetch(`/api/groups/${handle}`)).json();
    const thread = await (await fetch(`/api/groups/${group.id}/discussions`, { method: 'POST', headers: json, body: JSON.stringify({ title: 'Forms thread' }) })).json();
    const poll = await (await fetch('/api/polls', { method: 'POST', headers: json, body: JSON.stringify({ groupId: group.id, type: 'score', title: 'Forms poll', options: ['A', 'B'], settings: { min: 0, max: 5 }, closingAt: new Date(Date.now() + 86_400_000).toISOString() }) })).json();
    return { thread: thread.id as string, poll: poll.id as string };
  }, { handle });
  threadPath = `/d/${made.thread}`;
  pollPath = `/polls/${made.poll}`;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The screens with forms, signed in as the group's admin, and the heading each shows. */
const screens: Array<[string, () => string, string | RegExp]> = [
  ['the account settings', () => '/settings', /settings/i],
  ['the sign-in security page', () => '/me/security', /./],
  ['the account deletion page', () => '/me/delete', /./],
  ['the new-group form', () => '/groups/new', /./],
  ['the group settings', () => `/g/${handle}/settings`, /./],
  ['the invitation form', () => `/g/${handle}/invite`, /./],
  ['the new-thread form', () => `/g/${handle}/threads/new`, /./],
  ['a thread and its comment box', () => threadPath, 'Forms thread'],
  ['the thread settings', () => `${threadPath}/settings`, /./],
  ['a poll and its vote form', () => pollPath, 'Forms poll'],
];

describe('every form, typed into by keyboard', () => {
  it.each(screens)('takes typing in every field of %s without a page error', async (_, path, heading) => {
    // Prepare
    await page.goto(url(stack, path()));
    await expectHeading(page, heading as string);
    await page.locator('main').getByRole('textbox').first().waitFor();

    // Act
    const typed = await typeIntoEveryField(page, page.locator('main'));

    // Assess
    expect(typed, path()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });

  it('takes typing in the sign-in form when signed out, without a page error', async () => {
    const signedOut = await (await browser.newContext()).newPage();
    signedOut.on('pageerror', (error) => pageErrors.push(`sign-in: ${error.message}`));
    await signedOut.goto(url(stack, '/sign-in'));
    await signedOut.getByRole('textbox').first().waitFor();
    expect(await typeIntoEveryField(signedOut, signedOut.locator('main'))).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
    await signedOut.context().close();
  });
});
