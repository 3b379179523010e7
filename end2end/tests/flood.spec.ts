// A docket that asks every browser for a proof of work: with JavaScript the browser finds it and
// the comment is taken as any other; without JavaScript the comment is still taken, held for a
// moderator with the flag "unproven".
import { expect, test } from '@playwright/test';
import { ready, signIn, TRACKING } from './helpers';

const WORK = 'FTC-2026-0042';

test('the proof of work is solved in the browser, and without JavaScript the comment is held', async ({ page, javaScriptEnabled }) => {
  const stamp = `work${Date.now()}${javaScriptEnabled ? 'js' : 'plain'}`;
  await page.goto(`/dockets/${WORK}`);
  await expect(page.locator('input[name="form_token"]')).toHaveValue(/^\d+\.\d+\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
  await ready(page, javaScriptEnabled);
  await page.getByRole('radio', { name: 'Anonymous' }).check();
  await page.getByLabel('Comment', { exact: true }).fill(`Please make the order stronger. ${stamp}`);
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);

  await signIn(page, 'analyst@ftc.gov', 'analyst passphrase for tests');
  const search = (flag: string) => `/staff/search?docket=${WORK}&q=${stamp}${flag}`;
  // The index follows the database within a second or so.
  await expect(async () => {
    await page.goto(search(''));
    await expect(page.locator('#result-count')).toHaveText('1 comment matches', { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await page.goto(search('&flag=unproven'));
  await expect(page.locator('#result-count')).toHaveText(javaScriptEnabled ? '0 comments match' : '1 comment matches');
});
