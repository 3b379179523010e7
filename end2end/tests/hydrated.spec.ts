// What JavaScript adds on top of the working HTML: live countdown, character counter, instant checks.
import { expect, test } from '@playwright/test';
import { DEMO, TRACKING, ready } from './helpers';

test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'needs JavaScript');

test('the countdown ticks and the counter counts', async ({ page }) => {
  await page.goto(`/dockets/${DEMO}`);
  await ready(page, true);
  const countdown = page.locator('#countdown');
  await expect(countdown).toHaveText(/^\d+ days?, \d\d:\d\d:\d\d left$/);
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first!, { timeout: 3_000 });

  await page.getByLabel('Comment', { exact: true }).fill('héllo');
  await expect(page.locator('#comment-count')).toHaveText('5 / 5,000 characters');
  await page.getByLabel('Comment', { exact: true }).fill('x'.repeat(5001));
  await expect(page.locator('#comment-count')).toHaveText('5,001 / 5,000 characters');
  await expect(page.locator('#comment-count')).toHaveClass(/over/);
});

test('invalid input is caught in the browser without a round trip', async ({ page }) => {
  await page.goto(`/dockets/${DEMO}`);
  await ready(page, true);
  let posts = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST') posts += 1;
  });
  await page.getByRole('radio', { name: 'Organization' }).check();
  await expect(page.getByRole('textbox', { name: 'Organization' })).toBeVisible();
  await page.getByLabel('Comment', { exact: true }).fill('x'.repeat(5001));
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#organization-error')).toHaveText('Organization is required for a comment from an organization.');
  await expect(page.getByRole('textbox', { name: 'Organization' })).toBeFocused();
  await expect(page.locator('#comment-error')).toHaveText('Comment is too long: 5001 characters, the limit is 5000.');
  expect(posts).toBe(0);
});

test('what is chosen and typed before the app has loaded is kept', async ({ page }) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/*.wasm', async (route) => {
    await gate;
    await route.continue();
  });
  await page.goto(`/dockets/${DEMO}`);
  await page.getByRole('radio', { name: 'Anonymous' }).check();
  await page.getByLabel('Comment', { exact: true }).fill('Typed before the app loaded.');
  release();
  await ready(page, true);
  await expect(page.getByLabel('First name')).toBeHidden();
  await expect(page.locator('#comment-count')).toHaveText('28 / 5,000 characters');
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);
  await expect(page.locator('#received-comment')).toHaveText('Typed before the app loaded.');
});
