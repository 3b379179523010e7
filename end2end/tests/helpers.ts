// Shared steps: commenting through the real form, watching every request the page makes, and the CLI.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const DEMO = 'FTC-2023-0018';
export const CLOSED = 'FTC-2022-0001';
export const TRACKING = /^[0-9a-z]{3}-[0-9a-z]{4}-[0-9a-z]{4}$/;

/** Runs the opendocket CLI against the server's database. */
export function cli(...args: string[]): string {
  const bin = path.resolve(__dirname, '../..', process.env.OPENDOCKET_BIN ?? '');
  return execFileSync(bin, args, { env: process.env, encoding: 'utf8' });
}

export function receivedCount(docket: string): number {
  const match = /comments:\s+(\d+) received/.exec(cli('docket', 'show', docket));
  if (!match) throw new Error('docket show printed no comment count');
  return Number(match[1]);
}

/** Records every URL the page requests, so a test can prove none leaves the app's origin. */
export function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}

export function expectSameOrigin(urls: string[], baseURL: string) {
  const origin = new URL(baseURL).origin;
  expect(urls.length).toBeGreaterThan(0);
  for (const url of urls) {
    expect(new URL(url).origin, `request to ${url}`).toBe(origin);
  }
}

/** In the hydrated project, waits until the WebAssembly app has taken over the form. */
export async function ready(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) {
    await expect(page.locator('form.comment-form')).toHaveAttribute('data-hydrated', 'true');
  }
}

/** Submits a comment through the public form: anonymous, or for an organization. */
export async function comment(page: Page, text: string, organization?: string) {
  await commentOn(page, DEMO, text, organization);
}

/** Submits a comment on `docket` through the public form. */
export async function commentOn(page: Page, docket: string, text: string, organization?: string) {
  await page.goto(`/dockets/${docket}`);
  // With JavaScript, wait until the app has taken over the form before typing into it.
  await ready(page, test.info().project.use.javaScriptEnabled !== false);
  if (organization) {
    await page.getByRole('radio', { name: 'Organization' }).check();
    await page.getByRole('textbox', { name: 'Organization' }).fill(organization);
  } else {
    await page.getByRole('radio', { name: 'Anonymous' }).check();
  }
  await page.getByLabel('Comment', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/staff/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Moderators and admins land on the queue, analysts on search.
  await expect(page).toHaveURL(/\/staff(\/search)?$/);
}

/** Opens the moderation queue at the page that lists `text` (oldest first, so a new comment may
 * be several pages in), as a moderator would with "Next page". */
export async function openQueueAt(page: Page, text: string) {
  await page.goto('/staff');
  for (let turn = 0; turn < 100; turn++) {
    if (await page.locator('li.queue-item', { hasText: text }).count() > 0) {
      return;
    }
    const next = page.getByRole('link', { name: 'Next page' });
    if (await next.count() === 0) {
      break;
    }
    await next.click();
    await page.waitForLoadState();
  }
  throw new Error(`"${text}" is not in the queue`);
}

/** From a queue page, redacts `phrase` in the comment holding `text` and posts it, as a moderator
 * would: "Redact and post…" opens the comment's page, "Preview" shows it as it would be posted. */
export async function redactAndPost(page: Page, text: string, phrase: string) {
  await page.locator('li.queue-item', { hasText: text }).getByRole('link', { name: 'Redact and post…' }).click();
  await expect(page).toHaveURL(/\/staff\/comments\/\d+\?in=queue/);
  await page.getByLabel(/Redact before posting/).fill(phrase);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.locator('#redaction-preview')).toContainText('[redacted]');
  await expect(page.locator('#redaction-preview')).not.toContainText(phrase);
  await page.getByRole('button', { name: 'Post with these redactions' }).click();
  await expect(page.locator('#comment-outcome')).toContainText('Posted as');
}
