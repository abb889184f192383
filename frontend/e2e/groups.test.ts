import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/test-support/stack.ts';
import {
  createGroup,
  emailedLink,
  emailsTo,
  expectHeading,
  expectNoAccessibilityViolations,
  giveName,
  launchChromium,
  nextLink,
  signIn,
  screenshots,
  url,
  type TestStack,
} from './support.ts';

// A group's first days, in order: Aroha starts a closed group and invites Ben by email; Ben
// joins, becomes an admin, and leaves; Caro joins through the shared join link. Along the way,
// what a signed-out visitor sees of open and secret groups. Each step starts where the last ended.

let stack: TestStack;
let browser: Browser;

const run = Date.now();
const aroha = { email: `aroha.${run}@example.org`, name: 'Aroha Te Whare' };
const ben = { email: `ben.${run}@example.org`, name: 'Ben Okafor' };
const caro = { email: `caro.${run}@example.org`, name: 'Caro Lindqvist' };
const groupName = `River Housing Co-op ${run}`;
const groupHandle = `river-housing-co-op-${run}`;

let arohaPage: Page;
let benContext: BrowserContext;
let benPage: Page;
let joinLink = '';
let secretHandle = '';

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  arohaPage = await (await browser.newContext()).newPage();
  benContext = await browser.newContext();
  benPage = await benContext.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('a group, from its creation to people joining and leaving', () => {
  it('shows a newly signed-in person an empty list of groups with a way to create one', async () => {
    // Act
    await arohaPage.goto(url(stack, '/'));
    await arohaPage.waitForURL((address) => address.pathname === '/sign-in');
    await signIn(stack, arohaPage, aroha);

    // Assess
    await expectHeading(arohaPage, 'Your groups');
    expect(await arohaPage.title()).toBe('Your groups · Moot');
    expect(await arohaPage.getByRole('link', { name: 'Create a group' }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('suggests a handle from the name, and creates a closed group with its creator as admin', async () => {
    // Prepare
    await arohaPage.getByRole('link', { name: 'Create a group' }).click();
    await expectHeading(arohaPage, 'Create a group');
    await expectNoAccessibilityViolations(arohaPage);

    // Act
    await arohaPage.getByLabel('Group name').fill(groupName);
    expect(await arohaPage.getByLabel('Handle').inputValue()).toBe(groupHandle);
    expect(await arohaPage.getByRole('radio', { name: 'Closed' }).isChecked()).toBe(true);
    await arohaPage.getByLabel('Description (optional)').fill('Forty-eight households on the **river flats**.');
    await arohaPage.getByRole('button', { name: 'Create group' }).click();

    // Assess
    await arohaPage.waitForURL((address) => address.pathname === `/g/${groupHandle}`);
    await expectHeading(arohaPage, groupName);
    expect(await arohaPage.locator('.prose strong').innerText()).toBe('river flats');
    expect(await arohaPage.getByText('You are an admin').isVisible()).toBe(true);
    expect(await arohaPage.getByRole('link', { name: 'Settings' }).isVisible()).toBe(true);
    await arohaPage.locator('.members').getByText(aroha.email, { exact: true }).waitFor();
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('refuses a handle that is already taken, next to the handle field', async () => {
    // Act
    await arohaPage.goto(url(stack, '/groups/new'));
    await arohaPage.getByLabel('Group name').fill(groupName);
    await arohaPage.getByRole('button', { name: 'Create group' }).click();

    // Assess
    await arohaPage.locator('#handle-error').waitFor();
    expect(await arohaPage.getByLabel('Handle').getAttribute('aria-invalid')).toBe('true');
    expect(await arohaPage.getByLabel('Handle').getAttribute('aria-describedby')).toContain('handle-error');
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('checks each address as it is typed and invites Ben by email', async () => {
    // Prepare
    await arohaPage.goto(url(stack, `/g/${groupHandle}`));
    await arohaPage.getByRole('link', { name: 'Invite people' }).click();
    await expectHeading(arohaPage, 'Invite people');

    // Act: one address is mistyped, and is shown as such before anything is sent
    await arohaPage.getByLabel('Email addresses').fill(`${ben.email}, not-an-address`);
    await arohaPage.getByText('1 address ready, 1 to fix').waitFor();
    await expectNoAccessibilityViolations(arohaPage);
    await arohaPage.getByRole('button', { name: 'Send invitation' }).click();
    await arohaPage.locator('#emails-error').waitFor();
    await arohaPage.getByLabel('Email addresses').fill(ben.email);
    await arohaPage.getByRole('button', { name: 'Send invitation' }).click();

    // Assess
    await arohaPage.getByRole('status').filter({ hasText: `Invitation sent to ${ben.email}` }).waitFor();
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('lists the pending invitation for those who review requests', async () => {
    // Act
    await arohaPage.goto(url(stack, `/g/${groupHandle}/requests`));

    // Assess
    await expectHeading(arohaPage, 'Requests and invitations');
    await arohaPage.getByText(ben.email, { exact: true }).waitFor();
    expect(await arohaPage.getByText('No one is waiting.', { exact: false }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('refuses to send Ben\u2019s invitation again moments after the first, and says when it can be', async () => {
    // Act: by keyboard, as the row's own button
    const resend = arohaPage.locator('li', { hasText: ben.email }).getByRole('button', { name: /^Send again/ });
    await resend.focus();
    await arohaPage.keyboard.press('Enter');

    // Assess
    const refusal = arohaPage.getByRole('alert').filter({ hasText: 'Not sent' });
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/You can send it again in \d+ minutes\./);
    expect(await emailsTo(stack, ben.email)).toHaveLength(1);
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);
  });

  it('lets Ben accept the emailed invitation, asks his name, and takes him to the group', async () => {
    // Prepare
    const link = await nextLink(stack, ben.email, 0, emailedLink.invitation);

    // Act
    await benPage.goto(url(stack, link));
    await expectHeading(benPage, `Join ${groupName}`);
    expect(benPage.url()).not.toContain('token');
    await expectNoAccessibilityViolations(benPage);
    await benPage.getByRole('button', { name: 'Accept and join' }).click();
    await benPage.waitForURL((address) => address.pathname === '/welcome');
    await giveName(benPage, ben.name);

    // Assess
    await benPage.waitForURL((address) => address.pathname === `/g/${groupHandle}`);
    await expectHeading(benPage, groupName);
    expect(await benPage.getByText('You are a member').isVisible()).toBe(true);
  });

  it('shows Ben the members by name, without Aroha’s email address', async () => {
    // Act
    const members = benPage.locator('.members');
    await members.getByText(aroha.name, { exact: true }).waitFor();

    // Assess
    expect(await members.innerText()).toContain(ben.name);
    expect(await benPage.content()).not.toContain(aroha.email);
    expect(await benPage.getByRole('button', { name: /Make admin/ }).count()).toBe(0);
    expect(await benPage.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await expectNoAccessibilityViolations(benPage);
  });

  it('says an invitation link works only once', async () => {
    // Prepare
    const link = await nextLink(stack, ben.email, 0, emailedLink.invitation);

    // Act
    await benPage.goto(url(stack, link));

    // Assess
    await expectHeading(benPage, 'This invitation was already used or withdrawn');
    await expectNoAccessibilityViolations(benPage);
  });

  it('lets Aroha make Ben an admin from the member list', async () => {
    // Prepare
    await arohaPage.goto(url(stack, `/g/${groupHandle}`));
    await arohaPage.locator('.members').getByText(ben.name, { exact: true }).waitFor();

    // Act
    await arohaPage.getByRole('button', { name: new RegExp(`^Make admin\\W+${ben.name}$`) }).click();

    // Assess
    await arohaPage.getByRole('status').filter({ hasText: `${ben.name} is now an admin.` }).waitFor();
    expect(await arohaPage.getByRole('button', { name: new RegExp(`^Remove admin\\W+${ben.name}$`) }).isVisible()).toBe(true);
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('lets Ben leave the group after confirming', async () => {
    // Prepare
    await benPage.goto(url(stack, `/g/${groupHandle}`));
    await expectHeading(benPage, groupName);
    expect(await benPage.getByText('You are an admin').isVisible()).toBe(true);

    // Act
    await benPage.getByRole('button', { name: 'Leave group' }).click();
    const dialog = benPage.getByRole('dialog', { name: `Leave ${groupName}?` });
    await dialog.waitFor();
    await expectNoAccessibilityViolations(benPage);
    await dialog.getByRole('button', { name: 'Leave group' }).click();

    // Assess
    await benPage.waitForURL((address) => address.pathname === '/');
    await benPage.getByRole('status').filter({ hasText: `You left ${groupName}.` }).waitFor();
    expect(await benPage.getByRole('link', { name: groupName }).count()).toBe(0);
  });

  it('tells Aroha, now the only admin, why she cannot leave', async () => {
    // Prepare
    await arohaPage.goto(url(stack, `/g/${groupHandle}`));
    await expectHeading(arohaPage, groupName);

    // Act
    await arohaPage.getByRole('button', { name: 'Leave group' }).click();
    const dialog = arohaPage.getByRole('dialog', { name: `Leave ${groupName}?` });
    await dialog.getByRole('button', { name: 'Leave group' }).click();

    // Assess
    await dialog.getByRole('alert').waitFor();
    expect(new URL(arohaPage.url()).pathname).toBe(`/g/${groupHandle}`);
    await expectNoAccessibilityViolations(arohaPage);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('resets the join link in the settings and shows the new one once', async () => {
    // Prepare
    await arohaPage.getByRole('link', { name: 'Settings' }).click();
    await expectHeading(arohaPage, 'Group settings');
    await expectNoAccessibilityViolations(arohaPage);

    // Act
    await arohaPage.getByRole('button', { name: 'Reset join link' }).click();

    // Assess
    const field = arohaPage.getByLabel('New join link');
    await field.waitFor();
    joinLink = await field.inputValue();
    expect(joinLink).toMatch(/\/join#token=[A-Za-z0-9_-]{43}$/);
    await expectNoAccessibilityViolations(arohaPage);
  });

  it('keeps the join link through sign-in and lets Caro join with it', async () => {
    // Prepare
    const caroPage = await (await browser.newContext()).newPage();

    // Act: signed out, the link asks Caro to sign in first
    await caroPage.goto(joinLink);
    await expectHeading(caroPage, `Sign in to join ${groupName}`);
    expect(caroPage.url()).not.toContain('token');
    await expectNoAccessibilityViolations(caroPage);
    await caroPage.getByRole('link', { name: 'Sign in to join' }).click();
    await caroPage.waitForURL((address) => address.pathname === '/sign-in');
    await signIn(stack, caroPage, caro);

    // ...and brings her back to the link once she is signed in
    await caroPage.waitForURL((address) => address.pathname === '/join');
    await expectHeading(caroPage, `Join ${groupName}`);
    await expectNoAccessibilityViolations(caroPage);
    await caroPage.getByRole('button', { name: `Join ${groupName}` }).click();

    // Assess
    await caroPage.waitForURL((address) => address.pathname === `/g/${groupHandle}`);
    await expectHeading(caroPage, groupName);
    expect(await caroPage.getByText('You are a member').isVisible()).toBe(true);
    await caroPage.context().close();
  });

  it('takes Aroha from the notice that Caro joined to the member list, where Caro is', async () => {
    // Prepare: the notice arrives through the stream worker.
    const notice = arohaPage.getByRole('link', { name: new RegExp(`${caro.name} joined`) });
    for (let tries = 0; ; tries++) {
      await arohaPage.goto(url(stack, '/notifications'));
      await expectHeading(arohaPage, 'Notifications');
      if ((await notice.count()) > 0 || tries >= 60) break;
      await arohaPage.waitForTimeout(500);
    }

    // Act
    await notice.first().click();

    // Assess
    await arohaPage.waitForURL((address) => address.pathname === `/g/${groupHandle}` && address.hash === '#members');
    const members = arohaPage.getByRole('region', { name: /^Members/ });
    await members.getByText(caro.name, { exact: true }).first().waitFor();
    expect(await members.isVisible()).toBe(true);
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);
    await screenshots(arohaPage, 'groups', 'joined-notice-members');
  });

  it('shows an open group to a signed-out visitor, with a way to sign in and join', async () => {
    // Prepare
    const openName = `Tramways Union ${run}`;
    const handle = await createGroup(stack, arohaPage, openName, 'Open');
    const visitor = await (await browser.newContext()).newPage();

    // Act
    await visitor.goto(url(stack, `/g/${handle}`));

    // Assess
    await expectHeading(visitor, openName);
    expect(await visitor.getByRole('link', { name: 'Sign in to join' }).isVisible()).toBe(true);
    await visitor.locator('.members').getByText(aroha.name, { exact: true }).waitFor();
    expect(await visitor.content()).not.toContain(aroha.email);
    await expectNoAccessibilityViolations(visitor);
    await visitor.context().close();
  });

  it('answers a secret group’s address with the not-found page for anyone outside it', async () => {
    // Prepare
    const handle = await createGroup(stack, arohaPage, `Strike Committee ${run}`, 'Secret');
    secretHandle = handle;
    const visitor = await (await browser.newContext()).newPage();

    // Act
    await visitor.goto(url(stack, `/g/${handle}`));

    // Assess
    await expectHeading(visitor, "We can't find that group");
    expect(await visitor.title()).toBe('Group not found · Moot');
    expect(await visitor.content()).not.toContain('Strike Committee');
    await expectNoAccessibilityViolations(visitor);
    await visitor.context().close();
  });

  it('makes a subgroup of a secret group secret, with a handle that does not name the parent, and hides it from outsiders', async () => {
    // Prepare: the secret group made in the step before
    const parentName = `Strike Committee ${run}`;
    await arohaPage.goto(url(stack, `/g/${secretHandle}`));
    await expectHeading(arohaPage, parentName);
    await arohaPage.getByRole('link', { name: 'Create subgroup' }).click();
    await expectHeading(arohaPage, 'Create a subgroup');

    // Act
    await arohaPage.getByLabel('Group name').fill('Hardship Fund');
    expect(await arohaPage.getByRole('radio', { name: 'Secret' }).isChecked()).toBe(true);
    expect(await arohaPage.getByLabel('Handle').inputValue()).toBe('');
    await expectNoAccessibilityViolations(arohaPage, ['light', 'dark']);
    await arohaPage.getByRole('button', { name: 'Create subgroup' }).click();

    // Assess
    await arohaPage.waitForURL((address) => /^\/g\/hardship-fund-[0-9a-f]{6}$/.test(address.pathname));
    await expectHeading(arohaPage, 'Hardship Fund');
    const subPath = new URL(arohaPage.url()).pathname;
    expect(subPath).not.toContain(secretHandle);
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(url(stack, subPath));
    await expectHeading(visitor, "We can't find that group");
    expect(await visitor.content()).not.toContain('Hardship Fund');
    expect(await visitor.content()).not.toContain('Strike Committee');
    await visitor.context().close();
  });
});
