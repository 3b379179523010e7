// The public side, run twice: hydrated and with JavaScript disabled. Both must work completely.
import { expect, test } from '@playwright/test';
import { CLOSED, DEMO, TRACKING, expectSameOrigin, ready, receivedCount, recordRequests } from './helpers';

test.beforeEach(async ({ page, javaScriptEnabled }) => {
  if (javaScriptEnabled) {
    page.on('console', (message) => {
      // A 404 page is reported by Chromium as a failed resource; anything else is a real error.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        throw new Error(`console error: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => {
      throw error;
    });
  }
});

test('home lists the demo docket and links to it', async ({ page }) => {
  await page.goto('/');
  const open = page.locator('#open');
  await expect(open.getByRole('link', { name: /BetterHelp/ })).toBeVisible();
  await expect(page.locator('#closed')).toContainText(CLOSED);
  await open.getByRole('link', { name: /BetterHelp/ }).click();
  await expect(page).toHaveURL(new RegExp(`/dockets/${DEMO}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('FTC File No. 202 3169');
});

test('a member of the public reads the order and submits a comment', async ({ page, baseURL, javaScriptEnabled }) => {
  const requests = recordRequests(page);
  await page.goto(`/dockets/${DEMO}`);
  await expect(page.locator('.citation')).toHaveText('88 FR 15717');
  await expect(page.locator('.document-body')).toContainText('$7.8 million');
  await expect(page.locator('.status-open')).toContainText(/11:59:59 PM E[SD]T/);
  await ready(page, javaScriptEnabled);

  await expect(page.getByRole('radio', { name: 'Individual' })).toBeChecked();
  await page.getByLabel('First name').fill('Grace');
  await page.getByLabel('Last name').fill('Hopper');
  await page.getByLabel('Email (optional, never published)').fill('grace@example.org');
  const text = `Therapy intake answers are health data. <b>Never</b> share them. (${test.info().project.name})`;
  await page.getByLabel('Comment', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Submit comment' }).click();

  await expect(page).toHaveURL(/\/receipts\/[0-9a-z-]+$/);
  await expect(page.getByRole('heading', { name: 'Comment received' })).toBeVisible();
  await expect(page.getByText('Tracking number')).toBeVisible();
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);
  await expect(page.locator('#received-comment')).toHaveText(text);
  await expect(page.locator('body')).not.toContainText('grace@example.org');
  await expect(page.getByText('What happens next')).toBeVisible();
  expectSameOrigin(requests, baseURL!);
});

test('missing names are explained next to the fields and nothing is stored', async ({ page, javaScriptEnabled }) => {
  const before = receivedCount(DEMO);
  await page.goto(`/dockets/${DEMO}`);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Comment', { exact: true }).fill('A comment without a name.');
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#first_name-error')).toHaveText('First name is required for a comment from an individual.');
  await expect(page.locator('#last_name-error')).toHaveText('Last name is required for a comment from an individual.');
  await expect(page.getByLabel('Comment', { exact: true })).toHaveValue('A comment without a name.');
  expect(receivedCount(DEMO)).toBe(before);

  await page.getByLabel('First name').fill('Katherine');
  await page.getByLabel('Last name').fill('Johnson');
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);
  expect(receivedCount(DEMO)).toBe(before + 1);
});

test('an anonymous comment needs only the text', async ({ page, javaScriptEnabled }) => {
  await page.goto(`/dockets/${DEMO}`);
  await ready(page, javaScriptEnabled);
  await page.getByRole('radio', { name: 'Anonymous' }).check();
  if (javaScriptEnabled) {
    await expect(page.getByLabel('First name')).toBeHidden();
  }
  await page.getByLabel('Comment', { exact: true }).fill('I would rather not give my name.');
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);
  await expect(page.locator('.received')).toContainText('Anonymous');
});

test('markup typed into the form is shown as text, never run', async ({ page, javaScriptEnabled }) => {
  let dialogs = 0;
  page.on('dialog', async (dialog) => {
    dialogs += 1;
    await dialog.dismiss();
  });
  await page.goto(`/dockets/${DEMO}`);
  await ready(page, javaScriptEnabled);
  await page.getByRole('radio', { name: 'Organization' }).check();
  await page.getByRole('textbox', { name: 'Organization' }).fill('<img src=x onerror=alert(1)>');
  const text = '</textarea><script>alert(2)</script>';
  await page.getByLabel('Comment', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#received-comment')).toHaveText(text);
  await expect(page.locator('.received')).toContainText('<img src=x onerror=alert(1)>');
  expect(dialogs).toBe(0);
});

test('a double click stores one comment', async ({ page, javaScriptEnabled }) => {
  const before = receivedCount(DEMO);
  await page.goto(`/dockets/${DEMO}`);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('First name').fill('Double');
  await page.getByLabel('Last name').fill('Clicker');
  await page.getByLabel('Comment', { exact: true }).fill('Clicked twice.');
  await page.getByRole('button', { name: 'Submit comment' }).dblclick();
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);
  await page.reload();
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);
  expect(receivedCount(DEMO)).toBe(before + 1);
});

test('resubmitting the same form after going back stores nothing new', async ({ page, javaScriptEnabled }) => {
  await page.goto(`/dockets/${DEMO}`);
  await ready(page, javaScriptEnabled);
  await page.getByRole('radio', { name: 'Anonymous' }).check();
  await page.getByLabel('Comment', { exact: true }).fill('Sent once, even if sent again.');
  const submit = page.waitForRequest((r) => r.method() === 'POST');
  await page.getByRole('button', { name: 'Submit comment' }).click();
  const post = await submit;
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);
  const tracking = await page.locator('#tracking-number').textContent();
  const before = receivedCount(DEMO);
  // The browser's "resubmit form?" path: the same body posted again.
  const again = await page.request.post(post.url(), {
    headers: { 'content-type': post.headers()['content-type'] },
    data: post.postDataBuffer() ?? '',
    maxRedirects: 0,
  });
  expect(again.status()).toBe(303);
  expect(again.headers()['location']).toBe(`/receipts/${tracking}`);
  expect(receivedCount(DEMO)).toBe(before);
});

test('a closed docket shows no form', async ({ page }) => {
  await page.goto(`/dockets/${CLOSED}`);
  await expect(page.locator('.status-closed')).toContainText('February 2, 2022, 11:59:59 PM EST');
  await expect(page.getByText('This comment period is closed')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Submit comment' })).toHaveCount(0);
  await expect(page.locator('form.comment-form')).toHaveCount(0);
});

test('an unknown docket is a clear 404', async ({ page }) => {
  const response = await page.goto('/dockets/FTC-2099-0001');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('the field only scripts fill in is never seen, reached by keyboard or announced', async ({ page, javaScriptEnabled }) => {
  await page.goto(`/dockets/${DEMO}`);
  await ready(page, javaScriptEnabled);
  await expect(page.locator('input[name="form_token"]')).toHaveValue(/^\d+\.0\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
  await expect(page.locator('#website')).toBeHidden();
  expect(await page.locator('form.comment-form').ariaSnapshot()).not.toContain('Leave this empty');
  await page.getByRole('radio', { name: 'Individual' }).focus();
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).not.toBe('website');
  }
});

test('a form with a made-up token is refused and gives the text back with a good one', async ({ page }) => {
  await page.goto(`/dockets/${DEMO}`);
  await page.getByRole('radio', { name: 'Anonymous' }).check();
  await page.getByLabel('Comment', { exact: true }).fill('Kept even when the token is bad.');
  await page.locator('input[name="form_token"]').evaluate((input: HTMLInputElement) => {
    input.value = '1.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef';
  });
  const before = receivedCount(DEMO);
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#form-message')).toContainText('not valid for this docket');
  await expect(page.getByLabel('Comment', { exact: true })).toHaveValue('Kept even when the token is bad.');
  expect(receivedCount(DEMO)).toBe(before);
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);
  expect(receivedCount(DEMO)).toBe(before + 1);
});
