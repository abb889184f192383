import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/test-support/stack.ts';
import { createGroup, expectHeading, launchChromium, signIn, url, type TestStack } from './support.ts';

// Hostile markdown, as a member might post it, rendered in a real browser: nothing in it may run.

const hostile = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '[click me](javascript:window.__pwned="link")',
  '[click me too](JaVaScRiPt:window.__pwned="link2")',
  '<a href="javascript:window.__pwned=1">raw link</a>',
  '<div onmouseover="window.__pwned=\'hover\'">hover me</div>',
  '<iframe src="javascript:parent.__pwned=\'frame\'"></iframe>',
  '<svg><script>window.__pwned="svg"</script></svg>',
  '![x](javascript:window.__pwned="image")',
  '<<script>script>window.__pwned="nested"<</script>/script>',
  '<style>body { display: none }</style>',
  '[data](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0iZGF0YSI8L3NjcmlwdD4=)',
].join('\n\n');

let stack: TestStack;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('hostile markdown in a thread', () => {
  it('renders as text and links that go nowhere, and runs nothing', async () => {
    // Prepare: a member posts the hostile text as a thread description and as a comment.
    const run = Date.now();
    await signIn(stack, page, { email: `mallory.${run}@example.org`, name: 'Mallory Test' });
    const handle = await createGroup(stack, page, `Safety ${run}`, 'Closed');
    const threadId = await page.evaluate(
      async ({ handle, hostile }) => {
        const group = await (await fetch(`/api/groups/${handle}`)).json();
        const thread = await (await fetch(`/api/groups/${group.id}/discussions`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Hostile', description: hostile }),
        })).json();
        await fetch(`/api/discussions/${thread.id}/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: hostile }) });
        return thread.id as string;
      },
      { handle, hostile },
    );

    // Act: open the thread and touch everything that could trigger a handler.
    await page.goto(url(stack, `/d/${threadId}`));
    await expectHeading(page, 'Hostile');
    await page.getByText('hover me').first().hover();
    for (const link of await page.getByRole('link', { name: /click me|raw link|data/ }).all()) await link.click({ trial: true }).catch(() => undefined);
    await page.waitForTimeout(300);

    // Assess: no script ran, no dangerous element or URL reached the page, the text is still shown.
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    const article = page.locator('main');
    expect(await article.locator('script, iframe, svg script, style, object, embed').count()).toBe(0);
    expect(await article.locator('[onerror], [onmouseover], [onclick]').count()).toBe(0);
    const hrefs = await article.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    for (const href of hrefs) expect(href).not.toMatch(/^\s*(javascript|vbscript|data):/i);
    expect(await page.getByText('hover me').count()).toBeGreaterThan(0);
  });
});
