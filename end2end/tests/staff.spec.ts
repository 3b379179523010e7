// A moderator signs in, posts one comment with a redaction and withholds another; the public sees only
// the posted one, with "[redacted]" where the moderator chose.
import { expect, test } from '@playwright/test';
import { comment, DEMO, openQueueAt } from './helpers';

test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'staff pages run once');


test('a moderator posts one comment and withholds another', async ({ page }) => {
  const stamp = Date.now();
  const keep = `Please publish this view (${stamp}), signed Jane Q. Citizen.`;
  const drop = `My phone number is 202-555-0143 (${stamp}).`;
  await comment(page, keep);
  await comment(page, drop);

  const denied = await page.goto('/staff');
  expect(denied?.status()).toBe(401);

  await page.goto('/staff/login');
  await page.getByLabel('Email').fill('moderator@ftc.gov');
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#form-message')).toHaveText('The email address or password is not right.');

  await page.getByLabel('Password').fill('moderator passphrase for tests');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByRole('heading', { name: 'Moderation queue' })).toBeVisible();

  // Redacting by selecting the text: the selection goes into the field, the preview shows it.
  await openQueueAt(page, keep);
  await page.locator('li.queue-item', { hasText: keep }).getByRole('link', { name: 'Redact and post…' }).click();
  await expect(page.locator('#add-selection')).toBeVisible();
  await page.locator('#comment-text').evaluate((element) => {
    const text = element.firstChild as Text;
    const start = text.data.indexOf('Jane Q. Citizen');
    const range = document.createRange();
    range.setStart(text, start);
    range.setEnd(text, start + 'Jane Q. Citizen'.length);
    const selection = window.getSelection()!;
    selection.removeAllRanges();
    selection.addRange(range);
  });
  await page.locator('#add-selection').click();
  await expect(page.getByLabel(/Redact before posting/)).toHaveValue('Jane Q. Citizen');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.locator('#redaction-preview')).toHaveText(`Please publish this view (${stamp}), signed [redacted].`);
  await page.getByRole('button', { name: 'Post with these redactions' }).click();
  await expect(page.locator('#comment-outcome')).toContainText('Posted as');
  await openQueueAt(page, drop);
  const withheld = page.locator('li.queue-item', { hasText: drop });
  await withheld.getByLabel('Reason').selectOption({ label: 'Personal information' });
  await withheld.getByRole('button', { name: 'Withhold' }).click();
  await expect(page.locator('li.queue-item', { hasText: drop })).toHaveCount(0);

  const published = `Please publish this view (${stamp}), signed [redacted].`;
  await page.goto(`/dockets/${DEMO}`);
  await expect(page.locator('.posted-comments')).toContainText(published);
  await expect(page.locator('body')).not.toContainText('Jane Q. Citizen');
  await expect(page.locator('body')).not.toContainText(drop);
  await expect(page.locator('#withheld-tally')).toContainText('Personal information: 1');
  await page.locator('.posted-comment', { hasText: published }).getByRole('link').click();
  await expect(page.locator('#comment-body')).toHaveText(published);

  await page.goto('/staff');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/staff\/login$/);
  const after = await page.goto('/staff');
  expect(after?.status()).toBe(401);
});

test('the queue works from the keyboard', async ({ page }) => {
  const stamp = Date.now();
  const first = `Keyboard first (${stamp}).`;
  const second = `Keyboard second (${stamp}).`;
  await comment(page, first);
  await comment(page, second);

  await page.goto('/staff/login');
  await page.getByLabel('Email').fill('moderator@ftc.gov');
  await page.getByLabel('Password').fill('moderator passphrase for tests');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await openQueueAt(page, first);
  await expect(page.locator('#keyboard-hint')).toHaveAttribute('data-ready', 'true');

  const firstItem = page.locator('li.queue-item', { hasText: first });
  const secondItem = page.locator('li.queue-item', { hasText: second });
  await firstItem.locator('.comment-copy').click();
  await expect(firstItem).toBeFocused();
  await page.keyboard.press('j');
  await expect(secondItem).toBeFocused();
  await page.keyboard.press('k');
  await expect(firstItem).toBeFocused();
  await page.keyboard.press('p');
  await expect(page.locator('li.queue-item', { hasText: first })).toHaveCount(0);

  // No reason is chosen beforehand: w asks for one, then withholds.
  await secondItem.locator('.comment-copy').click();
  await page.keyboard.press('w');
  const reason = secondItem.getByLabel('Reason');
  await expect(reason).toBeFocused();
  await expect(secondItem).toHaveCount(1);
  await reason.selectOption({ label: 'Spam' });
  await secondItem.locator('.comment-copy').click();
  await page.keyboard.press('w');
  await expect(page.locator('li.queue-item', { hasText: second })).toHaveCount(0);

  await page.goto(`/dockets/${DEMO}`);
  await expect(page.locator('.posted-comments')).toContainText(first);
  await expect(page.locator('.posted-comments')).not.toContainText(second);
});
