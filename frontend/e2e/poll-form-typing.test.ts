import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollTypes } from '../src/lib/polls/words.ts';
import { startStack } from '../../scripts/test-support/stack.ts';
import { createGroup, expectHeading, expectNoAccessibilityViolations, launchChromium, signIn, typeIntoEveryField, url, type TestStack, screenshots as takeScreenshots } from './support.ts';

// Someone new tries every kind of poll on the new-poll form, typing into every field with the
// keyboard, numbers included, before starting a two-seat election. Typing into a number field
// once crashed the page ("e.trim is not a function"), so any page error fails the journey.

let stack: TestStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const requestedOrigins = new Set<string>();

const run = Date.now();
const mere = { email: `mere.form.${run}@example.org`, name: 'Mere Tāwhiri' };
let handle = '';

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('request', (request) => requestedOrigins.add(new URL(request.url()).origin));
  await page.goto(url(stack, '/sign-in'));
  await signIn(stack, page, mere);
  handle = await createGroup(stack, page, `Tenants' Union ${run}`, 'Closed');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const screenshots = (on: Page, name: string) => takeScreenshots(on, 'poll-form', name);

describe('the new-poll form, typed into by keyboard', () => {
  it.each(pollTypes.map((t) => [t.label, t.value] as const))('takes typing in every field of a %s without a page error', async (label) => {
    // Prepare
    if (!new URL(page.url()).pathname.endsWith('/polls/new')) {
      await page.goto(url(stack, `/g/${handle}/polls/new`));
      await expectHeading(page, 'Start a poll');
    }
    const radio = page.getByRole('radio', { name: new RegExp(`^${label}\\b`) });
    await radio.focus();
    await page.keyboard.press('Space');
    expect(await radio.isChecked()).toBe(true);

    // Act
    const typed = await typeIntoEveryField(page, page.locator('#new-poll'));

    // Assess
    expect(typed).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });

  it('starts a two-seat election typed by keyboard, with its seats and candidates', async () => {
    // Prepare
    await page.goto(url(stack, `/g/${handle}/polls/new`));
    await expectHeading(page, 'Start a poll');
    await page.getByRole('radio', { name: /^Election\b/ }).focus();
    await page.keyboard.press('Space');

    // Act
    const typeInto = async (label: string | RegExp, text: string) => {
      const field = page.getByLabel(label, { exact: typeof label === 'string' }).first();
      await field.focus();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type(text);
    };
    await typeInto('Title', 'Committee for 2027');
    const candidates = page.getByRole('group', { name: 'Candidates' }).getByRole('textbox');
    for (const [i, name] of ['Anahera', 'Ben', 'Chen'].entries()) {
      while ((await candidates.count()) <= i) await page.getByRole('button', { name: /Add (an )?(option|candidate)/i }).click();
      await candidates.nth(i).focus();
      await page.keyboard.type(name);
    }
    await typeInto('Seats to fill', '2');
    const closes = new Date(Date.now() + 5 * 86_400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    await page.getByLabel('Closes at').fill(`${closes.getFullYear()}-${pad(closes.getMonth() + 1)}-${pad(closes.getDate())}T17:00`);
    await expectNoAccessibilityViolations(page, ['light', 'dark']);
    await screenshots(page, 'new-election-typed');
    await page.getByRole('button', { name: 'Start poll' }).click();

    // Assess
    await page.waitForURL((address) => address.pathname.startsWith('/polls/'));
    await expectHeading(page, 'Committee for 2027');
    const id = new URL(page.url()).pathname.split('/')[2];
    const poll = await page.evaluate(async (pollId) => (await fetch(`/api/polls/${pollId}`)).json(), id);
    expect(poll.settings).toMatchObject({ seats: 2 });
    expect(poll.options.map((o: { name: string }) => o.name)).toEqual(['Anahera', 'Ben', 'Chen']);
    expect(pageErrors).toEqual([]);
  });

  it('loaded nothing from any origin but Moot itself on the way', () => {
    expect([...requestedOrigins]).toEqual([new URL(stack.appUrl).origin]);
  });
});
