// Search: an analyst finds comments, narrows them by a facet and tags every match; the public
// searches a docket's posted comments, with and without JavaScript.
import { expect, test, type Page } from '@playwright/test';
import { comment, DEMO, openQueueAt, redactAndPost, signIn } from './helpers';



async function signOut(page: Page) {
  await page.goto('/staff/password');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/staff\/login$/);
}

test('an analyst searches, clicks a facet and bulk-tags every match', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'staff pages run once');
  const stamp = Date.now();
  await comment(page, `Consent before advertising, please (${stamp}).`, 'Consumer Reports');
  await comment(page, `No advertising without consent (${stamp}).`, 'EPIC');
  await comment(page, `I never gave consent to advertising (${stamp}).`);

  await signIn(page, 'analyst@ftc.gov', 'analyst passphrase for tests');
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  await page.getByLabel('Search for').fill(`consent advertising ${stamp}`);
  await page.getByLabel('Docket').selectOption(DEMO);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.locator('#result-count')).toHaveText('3 comments match');
  await expect(page.locator('.hit mark').first()).toBeVisible();

  await page.locator('[data-facet="type"]').getByRole('link', { name: /Organization/ }).click();
  await expect(page).toHaveURL(/type=organization/);
  await expect(page.locator('#result-count')).toHaveText('2 comments match');

  const tag = `orgs-${stamp}`;
  await page.getByRole('textbox', { name: 'New tag name' }).fill(tag);
  await page.getByRole('button', { name: 'Tag all 2 matches' }).click();
  await expect(page.locator('#bulk-tag-result')).toHaveText(`Tagged 2 of 2 matching comments with “${tag}”.`);
  const facet = page.locator('[data-facet="tag"]').getByRole('link', { name: new RegExp(tag) });
  await expect(facet).toContainText('2');

  await signOut(page);
});

test('an analyst opens a whole comment from a search result, tags it there and goes back', async ({ page }) => {
  const stamp = Date.now();
  const ending = `the very last words of a long letter (${stamp}).`;
  const text = `Share my therapy notes with nobody (${stamp}). ${'I want my data kept private. '.repeat(60)}${ending}`;
  await comment(page, text);

  await signIn(page, 'analyst@ftc.gov', 'analyst passphrase for tests');
  const tag = `whole-${stamp}`;
  await page.goto(`/staff/dockets/${DEMO}/tags`);
  await page.getByLabel('New tag').fill(tag);
  await page.getByRole('button', { name: 'Add tag' }).click();
  await expect(page.locator(`[data-tag="${tag}"]`)).toBeVisible();

  await page.goto(`/staff/search?docket=${DEMO}&q=${encodeURIComponent(`therapy ${stamp}`)}`);
  await expect(page.locator('#result-count')).toHaveText('1 comment matches');
  const results = page.url();
  await page.locator('.hit .meta a').first().click();
  await expect(page).toHaveURL(/\/staff\/comments\/\d+$/);
  await expect(page.locator('.comment-copy')).toContainText(ending);
  await expect(page.locator('#comment-outcome')).toHaveText('Waiting for a decision');
  await page.goBack();
  await expect(page).toHaveURL(results);
  await expect(page.locator('#result-count')).toHaveText('1 comment matches');
  await page.goForward();

  await page.getByRole('combobox', { name: 'Tag' }).selectOption({ label: tag });
  await page.getByRole('button', { name: 'Tag', exact: true }).click();
  await expect(page).toHaveURL(/\/staff\/comments\/\d+$/);
  await expect(page.getByRole('button', { name: `Remove tag ${tag}` })).toBeVisible();

  await page.goto(results);
  await expect(page.locator('.hit')).toContainText(tag);
  await signOut(page);
});

test('the public searches posted comments and sees only what was posted', async ({ page }) => {
  const stamp = Date.now();
  const text = `Share nothing with advertisers, call 202-555-0188 (${stamp}).`;
  await comment(page, text);
  await signIn(page, 'moderator@ftc.gov', 'moderator passphrase for tests');
  await openQueueAt(page, text);
  await redactAndPost(page, text, '202-555-0188');
  await signOut(page);

  await page.goto(`/dockets/${DEMO}`);
  await page.getByLabel('Search posted comments').fill(`advertisers ${stamp}`);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/dockets/${DEMO}/search\\?q=`));
  await expect(page.locator('#result-count')).toHaveText('1 comment matches');
  await expect(page.locator('.hit')).toContainText('[redacted]');
  await expect(page.locator('.hit mark').first()).toHaveText(/advertisers/i);
  await expect(page.locator('body')).not.toContainText('202-555-0188');

  await page.getByLabel('Search for').fill('202-555-0188');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.locator('#result-count')).toHaveText('0 comments match');

  const refused = await page.goto(`/dockets/${DEMO}/search?q=%22unclosed`);
  expect(refused?.status()).toBe(400);
  await expect(page.locator('#search-error')).toContainText('quotation mark is not closed');
});
