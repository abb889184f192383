import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployments } from '../../infra/deployments.ts';
import { startStack } from '../../scripts/test-support/stack.ts';
import {
  emailedLink,
  emailsTo,
  expectHeading,
  expectNoAccessibilityViolations,
  launchChromium,
  nextEmail,
  url,
  type Email,
  type TestStack,
  screenshots as takeScreenshots,
} from './support.ts';

// Someone meets a deployment that is not Moot's own: the government one, with its own name,
// wordmark and colours, on every screen they pass and in the email they get.

const government = deployments.find((d) => d.profile === 'government')!;
const { name } = government.branding;

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const email = `tane.${Date.now()}@example.govt.nz`;

beforeAll(async () => {
  stack = await startStack({ brand: government.id });
  browser = await launchChromium();
  context = await browser.newContext();
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const screenshots = (shot: string) => takeScreenshots(page, 'brand', shot);

/** The value of a custom property on the document, in the scheme emulated now. */
const token = (property: string) => page.evaluate((p) => getComputedStyle(document.documentElement).getPropertyValue(p).trim(), property);

describe(`the ${government.id} deployment's brand`, () => {
  it('names the deployment in the title, the header and the heading, and shows its wordmark', async () => {
    await page.goto(url(stack, '/sign-in'));
    await expectHeading(page, `Sign in to ${name}`);

    expect(await page.title()).toBe(`Sign in · ${name}`);
    const home = page.getByRole('link', { name: `${name} home` });
    await home.waitFor();
    const logo = home.locator('img');
    await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await logo.getAttribute('src')).toBe('/brand/logo.svg');
    expect(pageErrors).toEqual([]);
  });

  it("wears the deployment's colours in light and in dark, with no accessibility violations in either", async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const colours = government.branding.colours[scheme];
      expect(await token('--brand-primary')).toBe(colours.primary);
      expect(await token('--brand-primary-hover')).toBe(colours.primaryHover);
      expect(await token('--brand-primary-contrast')).toBe(colours.primaryContrast);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await expectNoAccessibilityViolations(page, ['light', 'dark']);
    await screenshots('sign-in');
  });

  it('sends its sign-in email from the deployment, with its name and colour in the header', async () => {
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await expectHeading(page, 'Check your email');
    await expectNoAccessibilityViolations(page, ['light', 'dark']);
    await screenshots('check-your-email');

    const message = (await nextEmail(stack, email, 0)) as Email & { from: string };

    expect(message.from).toContain(`"${name}" <`);
    expect(message.subject).toMatch(new RegExp(`^Your ${name} sign-in code`));
    expect(message.body.html).toContain(`background:${government.branding.colours.light.primary};color:${government.branding.colours.light.primaryContrast}`);
    expect(message.body.html).toContain(`>${name}</span>`);
    expect(pageErrors).toEqual([]);
  });

  it('welcomes a new person by the deployment name and brings them home under it', async () => {
    const [signIn] = await emailsTo(stack, email);
    const link = emailedLink.signIn.exec(signIn!.body.text ?? '')![0];
    await page.goto(url(stack, link));
    await page.waitForURL((address) => address.pathname === '/welcome');
    await expectHeading(page, `Welcome to ${name}`);
    await expectNoAccessibilityViolations(page, ['light', 'dark']);
    await screenshots('welcome');

    await page.getByLabel('Your name').fill('Tāne Mahuta');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((address) => address.pathname !== '/welcome');
    expect(await page.title()).toContain(name);
    await expectNoAccessibilityViolations(page, ['light', 'dark']);
    await screenshots('home');
    expect(pageErrors).toEqual([]);
  });
});
