import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptInjections } from '../../scripts/test-support/naughty-strings.ts';
import { startStack } from '../../scripts/test-support/stack.ts';
import { createGroup, launchChromium, signIn, url, type TestStack } from './support.ts';

// The script-injection strings of the Big List of Naughty Strings, stored through the API in every
// place people write text (names, titles, descriptions, comments, poll options, vote reasons) and
// then shown in a real browser: none of them may run, and the plain-text ones read as written.
// Each payload that would call alert() also sets window.__xss first.

const payloads = scriptInjections();
/** Plain-text fields show exactly what was stored; markdown fields render it, so only "nothing ran" applies. */
const fitting = (max: number) => payloads.filter((s) => s.length <= max && s === s.trim() && /\S/.test(s));

let stack: TestStack;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Calls the API from the page, as the app does: same origin, the session cookie, JSON. */
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const response = await fetch(path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : null };
    },
    { method, path, body },
  );
}

async function created(method: string, path: string, body: unknown, status = 201): Promise<any> {
  const answer = await call(method, path, body);
  if (answer.status !== status) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.json).slice(0, 300)}`);
  return answer.json;
}

/** Nothing ran: no dialog, no error, no sentinel, and no live element or handler in the page. */
async function expectNothingRan(where: string): Promise<void> {
  // Let anything deferred (onload, onerror of a broken image, autofocus) have its chance.
  await page.waitForLoadState('load');
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), where).toBeUndefined();
  expect(dialogs, where).toEqual([]);
  expect(pageErrors, where).toEqual([]);
  const main = page.locator('main');
  expect(await main.locator('script, iframe, object, embed, frame, frameset, base, form[action], meta, link, style').count(), where).toBe(0);
  const handlers = await main.locator('*').evaluateAll((elements) =>
    elements.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name) || /^\s*(javascript|vbscript|data):/i.test(a.value)).map((a) => `${e.tagName} ${a.name}=${a.value}`)));
  expect(handlers, where).toEqual([]);
}

/** The page's one h1 reads `text`, as text. */
async function expectH1(text: string, where: string): Promise<void> {
  const heading = page.locator('h1');
  await heading.first().waitFor({ timeout: 15_000 });
  await page.waitForFunction((expected) => document.querySelector('h1')?.textContent?.replace(/\s+/g, ' ').trim() === expected.replace(/\s+/g, ' ').trim(), text, { timeout: 15_000 })
    .catch(() => undefined);
  expect((await heading.first().textContent())?.replace(/\s+/g, ' ').trim(), where).toBe(text.replace(/\s+/g, ' ').trim());
  expect(await heading.count(), where).toBe(1);
}

async function expectText(texts: string[], where: string): Promise<void> {
  const shown = await page.locator('main').innerText();
  const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();
  const missing = texts.filter((t) => !normalise(shown).includes(normalise(t)));
  expect(missing, `${where}: shown as text`).toEqual([]);
}

describe('the naughty strings in a real browser', () => {
  it('would see a payload that ran: the same strings put raw into a page set the sentinel and open a dialog', async () => {
    // A positive control for the journey below: these payloads do run when HTML is not escaped.
    const control = await (await browser.newContext()).newPage();
    const seen: string[] = [];
    control.on('dialog', async (dialog) => {
      seen.push(dialog.message());
      await dialog.dismiss();
    });
    const raw = payloads.filter((p) => /<img[^>]+onerror=/i.test(p)).slice(0, 3);
    expect(raw.length).toBeGreaterThan(0);
    await control.setContent(`<main>${raw.join('\n')}</main>`);
    await control.waitForFunction(() => (window as unknown as { __xss?: unknown }).__xss === 1);
    expect(seen.length).toBeGreaterThan(0);
    await control.context().close();
  });

  it('stores every script-injection string as names, titles, descriptions, comments, options and reasons, and runs none of them', async () => {
    // Prepare: a person whose own name is a payload, a group, threads, comments and a poll, all through the API.
    const run = Date.now();
    await signIn(stack, page, { email: `naughty.${run}@example.org`, name: 'Naughty Tester' });
    const handle = await createGroup(stack, page, `Naughty ${run}`, 'Closed');
    const group = await created('GET', `/api/groups/${handle}`, undefined, 200);
    const personName = fitting(100)[0]!;
    await created('PATCH', '/api/me', { name: personName }, 200);
    const groupName = fitting(250)[1]!;
    await created('PATCH', `/api/groups/${group.id}`, { name: groupName, description: payloads.join('\n\n').slice(0, 20_000) }, 200);

    const titles = fitting(150).slice(0, 25);
    const threads: string[] = [];
    for (const [i, title] of titles.entries()) {
      const thread = await created('POST', `/api/groups/${group.id}/discussions`, { title, ...(i < 5 ? { description: payloads.slice(i * 50, i * 50 + 50).join('\n\n').slice(0, 20_000) } : {}) });
      threads.push(thread.id);
    }
    // Every payload as a comment of its own, 50 to a thread, so each page shows its whole set.
    for (const [i, payload] of payloads.entries()) {
      await created('POST', `/api/discussions/${threads[Math.floor(i / 50)]}/comments`, { body: payload });
    }

    const options = fitting(200).filter((s, i, all) => all.findIndex((o) => o.toLowerCase() === s.toLowerCase()) === i).slice(0, 40);
    const pollTitle = fitting(250)[2]!;
    const poll = await created('POST', '/api/polls', {
      groupId: group.id, discussionId: threads[0], type: 'poll', title: pollTitle, details: payloads.join('\n\n').slice(0, 20_000),
      options, settings: { minChoices: 1, maxChoices: 1 }, closingAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const reason = fitting(500).find((s) => (s.match(/\S/gu)?.length ?? 0) >= 5)!;
    await created('PUT', `/api/polls/${poll.id}/vote`, { choices: { option: poll.options[0].id }, reason }, 200);

    // Act and assess: open each page that shows them.
    await page.goto(url(stack, `/g/${handle}`));
    await expectH1(groupName, 'group page');
    await expectNothingRan('group page');
    await expectText([groupName], 'group page');

    for (const [i, id] of threads.slice(0, Math.ceil(payloads.length / 50)).entries()) {
      await page.goto(url(stack, `/d/${id}`));
      await expectH1(titles[i]!, `thread ${i}`);
      await expectNothingRan(`thread ${i}`);
      await expectText([titles[i]!, personName], `thread ${i}`);
    }

    await page.goto(url(stack, `/polls/${poll.id}`));
    await expectH1(pollTitle, 'poll page');
    await expectNothingRan('poll page');
    await expectText([pollTitle, ...options, reason], 'poll page');

    await page.goto(url(stack, `/g/${handle}/polls`));
    await page.getByText(pollTitle, { exact: true }).first().waitFor();
    await expectNothingRan('poll list');
  });
});
