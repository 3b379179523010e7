// The window closes by itself at its deadline, on the real clock, with nobody pressing a button.
import { expect, test } from '@playwright/test';
import { cli, ready } from './helpers';

test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'runs once');

test('a window closes at its deadline and refuses comments afterwards', async ({ page }) => {
  const id = 'FTC-2026-0900';
  const closesAt = new Date(Date.now() + 12_000);
  closesAt.setMilliseconds(0);
  cli('docket', 'create', '--id', id, '--title', 'Closes in seconds', '--agency', 'Federal Trade Commission',
    '--time-zone', 'America/New_York', '--opens-at', new Date(Date.now() - 60_000).toISOString(),
    '--closes-at', closesAt.toISOString());

  await page.goto(`/dockets/${id}`);
  await ready(page, true);
  await page.getByRole('radio', { name: 'Anonymous' }).check();
  await page.getByLabel('Comment', { exact: true }).fill('Typed before the deadline, sent after it.');

  await page.waitForTimeout(Math.max(0, closesAt.getTime() - Date.now()) + 1_500);
  expect(cli('docket', 'show', id)).toContain('scheduler recorded: closed');

  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#form-message')).toContainText('The comment period closed on');
  await expect(page.locator('#form-message')).toContainText('Your comment was not stored.');
  await expect(page.getByText('Typed before the deadline, sent after it.')).toBeVisible();
  expect(cli('docket', 'show', id)).toMatch(/comments:\s+0 received/);

  await page.goto(`/dockets/${id}`);
  await expect(page.locator('form.comment-form')).toHaveCount(0);
});
