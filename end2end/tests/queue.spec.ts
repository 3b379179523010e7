// Two moderators work one docket's queue at once: each takes the next two comments and never sees
// the other's; giving them back returns them to everyone. Plain forms, so both projects run it,
// each on a docket of its own.
import { Browser, expect, Page, test } from '@playwright/test';
import { commentOn, signIn } from './helpers';

async function moderator(browser: Browser, javaScriptEnabled: boolean, email: string, password: string) {
  const context = await browser.newContext({ javaScriptEnabled, baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await signIn(page, email, password);
  return page;
}

/** The stamped comments a moderator's filtered queue lists. */
async function listed(page: Page, stamp: number): Promise<string[]> {
  return page.locator('li.queue-item .comment-copy', { hasText: `(${stamp})` }).allTextContents();
}

test('two moderators take batches from one queue and never see each other\'s', async ({ browser, page }, info) => {
  const javaScriptEnabled = info.project.use.javaScriptEnabled !== false;
  const docket = javaScriptEnabled ? 'FTC-2026-0043' : 'FTC-2026-0044';
  const stamp = Date.now();
  const texts = [1, 2, 3, 4].map((n) => `Claim test comment ${n} (${stamp}).`);
  for (const text of texts) {
    await commentOn(page, docket, text);
  }
  const ada = await moderator(browser, javaScriptEnabled, 'moderator@ftc.gov', 'moderator passphrase for tests');
  const bo = await moderator(browser, javaScriptEnabled, 'moderator2@ftc.gov', 'second moderator passphrase for tests');

  for (const page of [ada, bo]) {
    await page.goto('/staff');
    await page.getByLabel('Docket').selectOption(docket);
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page).toHaveURL(new RegExp(`/staff\\?docket=${docket}&`));
  }
  await expect(ada.locator('#queue-counts')).toContainText('matching the filter');
  expect(await listed(ada, stamp)).toHaveLength(4);

  // Both take two at once.
  for (const page of [ada, bo]) {
    await page.getByLabel('Take the next').fill('2');
  }
  await Promise.all([
    ada.getByRole('button', { name: /^Take them for 30 minutes$/ }).click(),
    bo.getByRole('button', { name: /^Take them for 30 minutes$/ }).click(),
  ]);
  for (const page of [ada, bo]) {
    await expect(page).toHaveURL(new RegExp(`/staff\\?docket=${docket}$`));
  }
  // Each page was drawn as its own take finished; drawn again, both takes show.
  for (const page of [ada, bo]) {
    await page.reload();
    await expect(page.locator('#queue-counts')).toContainText('2 taken by you, listed first');
    await expect(page.locator('#queue-counts')).toContainText('2 more taken by other moderators for now');
  }
  const adaSees = await listed(ada, stamp);
  const boSees = await listed(bo, stamp);
  expect(adaSees).toHaveLength(2);
  expect(boSees).toHaveLength(2);
  expect(adaSees.filter((text) => boSees.includes(text))).toEqual([]);
  expect([...adaSees, ...boSees].sort()).toEqual([...texts].sort());

  // A decision keeps Ada's place (the next comment, focused with JavaScript) and can be undone.
  const nextId = await ada.locator('li.queue-item').nth(1).getAttribute('id');
  await ada.locator('li.queue-item').first().getByRole('button', { name: 'Post', exact: true }).click();
  await expect(ada).toHaveURL(new RegExp(`decided=\\d+#${nextId}$`));
  await expect(ada.locator('#decision-done')).toContainText('Posted as');
  if (javaScriptEnabled) {
    await expect(ada.locator(`#${nextId}`)).toBeFocused();
  }
  await ada.locator('#decision-done').getByRole('button', { name: 'Undo' }).click();
  await expect(ada.locator('#decision-done')).toContainText('Waiting for a decision');
  await expect(ada.locator('#queue-counts')).toContainText('2 taken by you');

  // Ada gives hers back: Bo now sees all four, his own first.
  await ada.getByRole('button', { name: 'Give back my 2' }).click();
  await bo.reload();
  const boNow = await listed(bo, stamp);
  expect(boNow).toHaveLength(4);
  expect(boNow.slice(0, 2)).toEqual(boSees);
  await bo.getByRole('button', { name: 'Give back my 2' }).click();
  await expect(bo.locator('#queue-counts')).not.toContainText('taken by you');
});

test('a moderator undoes a decision from the decided list, filtered, and stays there', async ({ browser, page }, info) => {
  const javaScriptEnabled = info.project.use.javaScriptEnabled !== false;
  const docket = javaScriptEnabled ? 'FTC-2026-0043' : 'FTC-2026-0044';
  const text = `Decided list undo test (${Date.now()}).`;
  await commentOn(page, docket, text);
  const mod = await moderator(browser, javaScriptEnabled, 'moderator@ftc.gov', 'moderator passphrase for tests');
  await mod.goto(`/staff?docket=${docket}`);
  const item = mod.locator('li.queue-item', { hasText: text });
  await item.getByRole('button', { name: 'Post', exact: true }).click();
  await expect(mod.locator('#decision-done')).toContainText('Posted as');

  // The decided list, narrowed to this docket's posted comments, shows who sent it and who decided.
  await mod.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Decided' }).click();
  await mod.getByLabel('Docket').selectOption(docket);
  await mod.getByLabel('Decision').selectOption('posted');
  await mod.getByRole('button', { name: 'Show' }).click();
  // A plain GET form: the address names every field, the empty ones too.
  await expect(mod).toHaveURL(new RegExp(`/staff/decided\\?outcome=posted&docket=${docket}&`));
  const entry = mod.locator('li.decided', { hasText: text });
  await expect(entry).toContainText('Anonymous (anonymous)');
  await expect(entry).toContainText('by moderator@ftc.gov');
  await expect(entry.getByRole('link', { name: new RegExp(`^${docket}-\\d{4}$`) })).toBeVisible();

  await entry.getByRole('button', { name: 'Undo: back to the queue' }).click();
  await expect(mod).toHaveURL(new RegExp(`/staff/decided\\?docket=${docket}&outcome=posted&returned=\\d+$`));
  await expect(mod.locator('#decision-done')).toContainText('is back in the queue');
  await expect(mod.locator('li.decided', { hasText: text })).toHaveCount(0);
  await mod.goto(`/staff?docket=${docket}`);
  await expect(mod.locator('li.queue-item', { hasText: text })).toHaveCount(1);
});
