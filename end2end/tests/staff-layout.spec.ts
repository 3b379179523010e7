// Every staff page on a 375 px phone: nothing scrolls sideways and the staff menu is there, with
// and without JavaScript; with it, axe finds nothing.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { DEMO } from './helpers';

test.use({ viewport: { width: 375, height: 740 } });

test('every staff page fits a 375 px phone', async ({ page, javaScriptEnabled }) => {
  await page.goto('/staff/login');
  await page.getByLabel('Email').fill('admin@ftc.gov');
  await page.getByLabel('Password').fill('admin passphrase for tests');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('nav.staff-bar')).toBeVisible();

  const paths = [
    '/staff',
    '/staff/decided',
    '/staff/search',
    `/staff/search?docket=${DEMO}&q=order`,
    '/staff/dockets',
    `/staff/dockets/${DEMO}/edit`,
    `/staff/dockets/${DEMO}/tags`,
    `/staff/dockets/${DEMO}/campaigns`,
    `/staff/dockets/${DEMO}/summary`,
    '/staff/users',
    '/staff/api-keys',
    '/staff/import',
    '/staff/audit',
    '/staff/password',
  ];
  await page.goto(`/staff/dockets/${DEMO}/campaigns`);
  const campaigns = page.locator('main a[href*="/campaigns/"]');
  if ((await campaigns.count()) > 0) {
    const campaign = await campaigns.first().getAttribute('href');
    if (campaign) paths.push(campaign);
  }
  await page.goto(`/staff/search?docket=${DEMO}`);
  const comments = page.locator('.hit .meta a');
  if ((await comments.count()) > 0) {
    const comment = await comments.first().getAttribute('href');
    if (comment) paths.push(comment);
  }
  const overflowing: string[] = [];
  const violations: string[] = [];
  for (const path of paths) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBeLessThan(400);
    await expect(page.locator('nav.staff-bar'), path).toBeVisible();
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    if (scroll > client) overflowing.push(`${path}: ${scroll} px wide`);
    // axe runs as a script in the page, so only where scripts run.
    if (javaScriptEnabled) {
      const axe = await new AxeBuilder({ page }).analyze();
      for (const v of axe.violations) {
        violations.push(`${path}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
      }
    }
  }
  expect(overflowing).toEqual([]);
  expect(violations).toEqual([]);
});
