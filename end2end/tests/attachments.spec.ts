// Attachments on the public form: a letter goes with the comment, with and without JavaScript, and a
// file that is not what its name says is refused with a sentence.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO, ready, signIn, TRACKING } from './helpers';

const PDF =
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
  '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

test('a person attaches a letter to a comment', async ({ page, javaScriptEnabled }) => {
  await page.goto(`/dockets/${DEMO}`);
  await ready(page, javaScriptEnabled);
  await page.getByRole('radio', { name: 'Anonymous' }).check();
  await page.getByLabel('Comment', { exact: true }).fill('See attached');
  await page.getByLabel('Attachments').setInputFiles([
    { name: 'letter.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF) },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Plain notes about the order.\n') },
  ]);
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#tracking-number')).toHaveText(TRACKING);
  const files = page.locator('#received-attachments');
  await expect(files).toContainText('letter.pdf (PDF, 1 KB)');
  await expect(files).toContainText('notes.txt (text file, 1 KB)');
});

test('a program named like a letter is refused and the text is kept', async ({ page, javaScriptEnabled }) => {
  await page.goto(`/dockets/${DEMO}`);
  await ready(page, javaScriptEnabled);
  await page.getByRole('radio', { name: 'Anonymous' }).check();
  await page.getByLabel('Comment', { exact: true }).fill('My letter is attached.');
  await page.getByLabel('Attachments').setInputFiles({
    name: 'letter.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00]),
  });
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#form-message')).toContainText(
    'letter.pdf is not a PDF, Word (.docx), RTF or text file, or a JPEG or PNG image.',
  );
  await expect(page.getByLabel('Comment', { exact: true })).toHaveValue('My letter is attached.');
});

test('a letter attached without JavaScript is found by a phrase inside it', async ({ page, javaScriptEnabled }) => {
  test.skip(javaScriptEnabled, 'the case the issue names: no JavaScript');
  const letter = readFileSync(path.resolve(__dirname, '../../server/tests/fixtures/letter.pdf'));
  await page.goto(`/dockets/${DEMO}`);
  await page.getByRole('radio', { name: 'Anonymous' }).check();
  await page.getByLabel('Comment', { exact: true }).fill(`See attached (${Date.now()})`);
  await page.getByLabel('Attachments').setInputFiles({ name: 'letter.pdf', mimeType: 'application/pdf', buffer: letter });
  await page.getByRole('button', { name: 'Submit comment' }).click();
  await expect(page.locator('#received-attachments')).toContainText('letter.pdf (PDF, 1 KB)');

  await signIn(page, 'analyst@ftc.gov', 'analyst passphrase for tests');
  // The text is read in the background; the search finds it within seconds.
  await expect(async () => {
    await page.goto(`/staff/search?q=${encodeURIComponent('"anxiety medication"')}&docket=${DEMO}`);
    await expect(page.locator('#result-count')).toHaveText(/^[1-9]\d* comments? match/);
  }).toPass({ timeout: 30_000 });
});
