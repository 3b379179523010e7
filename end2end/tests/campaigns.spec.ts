// Campaigns and the docket summary: copies of a letter with small edits become one campaign that
// an analyst can open, and the summary page draws its chart and downloads.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { cli, comment, DEMO, signIn } from './helpers';



test('copies of a letter with small edits become a campaign, and the summary charts and downloads', async ({
  page,
  javaScriptEnabled,
}) => {
  test.skip(!javaScriptEnabled, 'staff pages run once');
  const stamp = Date.now().toString(36);
  // Words unique to this run keep the letter apart from letters of earlier runs.
  const marks = Array.from({ length: 12 }, (_, i) => `m${stamp}q${i}`).join(' ');
  const letter =
    `I support the proposed order because therapy apps must never share health data with advertisers. ` +
    `Reference ${marks}. Please make the ban permanent.`;
  await comment(page, letter);
  await comment(page, letter.replace('advertisers', 'advertizers') + '\n\nSincerely, Pat');
  await comment(
    page,
    letter + ' My own therapist app showed me ads about my diagnosis for weeks after I signed up.',
  );

  await signIn(page, 'analyst@ftc.gov', 'analyst passphrase for tests');
  await page.goto(`/staff/dockets/${DEMO}/campaigns`);
  const row = page.locator('tr.campaign-row', { hasText: `m${stamp}q0` });
  await expect(row).toHaveCount(1);
  await expect(row.locator('td.received')).toHaveText('3');
  await row.getByRole('link', { name: /Campaign \d+/ }).click();
  await expect(page.locator('.campaign-facts')).toContainText('3 received');
  await page.getByRole('link', { name: 'Show only copies with substantial additions' }).click();
  await expect(page.locator('li.campaign-member')).toHaveCount(1);
  await expect(page.locator('.edits-added')).toContainText('showed me ads about my diagnosis');

  await page.goto(`/staff/dockets/${DEMO}/campaigns`);
  await page.getByRole('link', { name: 'Docket summary' }).click();
  await expect(page).toHaveURL(new RegExp(`/staff/dockets/${DEMO}/summary$`));
  const chart = page.locator('.summary-chart svg');
  await expect(chart).toBeVisible();
  expect(await chart.locator('rect').count()).toBeGreaterThan(0);
  await expect(page.locator('.summary-body h1')).toContainText('Docket summary');

  const [markdown] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Markdown' }).first().click(),
  ]);
  expect(markdown.suggestedFilename()).toBe(`${DEMO}-summary.md`);
  const text = readFileSync((await markdown.path())!, 'utf8');
  expect(text).toContain('# Docket summary');
  expect(text).toContain('## Campaigns');

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'CSV, one row per comment' }).click(),
  ]);
  expect(csv.suggestedFilename()).toBe(`${DEMO}-summary.csv`);
  const rows = readFileSync((await csv.path())!, 'utf8');
  expect(rows.startsWith('Document ID,Agency ID,Docket ID,Tracking Number')).toBe(true);
  expect(rows).toContain(`m${stamp}q0`);
});

test('the public reads a published summary, with and without JavaScript', async ({ page }) => {
  cli('summary', DEMO, '--publish');
  await page.goto(`/dockets/${DEMO}`);
  await page.locator('#summary-link').click();
  await expect(page).toHaveURL(new RegExp(`/dockets/${DEMO}/summary$`));
  await expect(page.locator('.summary-body h1')).toContainText('Docket summary');
  await expect(page.locator('.summary-chart svg')).toBeVisible();
  await expect(page.locator('.summary-actions')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText('@');
});
