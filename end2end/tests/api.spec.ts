// The regulations.gov-compatible API and the bulk downloads, against the real server: a download
// script written for regulations.gov fetches a whole docket by changing only its base URL, and the
// docket page links the bulk files, with and without JavaScript.
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli, DEMO } from './helpers';

type Json = any;

/**
 * A downloader as people write them for regulations.gov (following its documented recipe):
 * the docket's documents, then each document's comments by objectId, 250 a page, then each
 * comment's details with its attachments. Only `base` differs from the regulations.gov version.
 */
async function downloadDocket(base: string, apiKey: string, docketId: string): Promise<Json[]> {
  const get = async (url: string) => {
    const response = await fetch(url, { headers: { 'X-Api-Key': apiKey } });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const documents = await get(`${base}/documents?filter[docketId]=${docketId}`);
  const comments: Json[] = [];
  for (const document of documents.data) {
    const objectId = document.attributes.objectId;
    for (let page = 1; ; page++) {
      const listing = await get(
        `${base}/comments?filter[commentOnId]=${objectId}&page[size]=250&page[number]=${page}&sort=lastModifiedDate,documentId`,
      );
      for (const item of listing.data) {
        const detail = await get(`${base}/comments/${item.id}?include=attachments`);
        comments.push(detail.data);
      }
      if (!listing.meta.hasNextPage) break;
    }
  }
  return comments;
}

/** Comments as a regulations.gov export holds them, for the demo docket. */
function exportFile(stamp: number): string {
  const lines = [1, 2, 3].map((n) =>
    JSON.stringify({
      data: {
        id: `${DEMO}-${8000 + n}`,
        type: 'comments',
        attributes: {
          agencyId: 'FTC',
          comment: `Imported comment ${n} (${stamp}): keep health data away from advertisers.`,
          commentOn: '0900006485aa0001',
          commentOnDocumentId: `${DEMO}-0001`,
          docketId: DEMO,
          documentType: 'Public Submission',
          duplicateComments: 0,
          firstName: 'Pat',
          lastName: `Example${n}`,
          organization: null,
          postedDate: '2023-03-20T04:00:00Z',
          receiveDate: '2023-03-16T04:00:00Z',
          modifyDate: '2023-03-20T12:00:00Z',
          trackingNbr: `lf${n}-8000-${String(stamp).slice(-4)}`,
          title: `Comment from Pat Example${n}`,
          withdrawn: false,
        },
      },
    }),
  );
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'opendocket-import-')), 'export.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

test('a script written for regulations.gov downloads a whole docket from here', async ({ baseURL, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'the API has no pages; it runs once');
  const stamp = Date.now();
  const imported = cli('import', exportFile(stamp), '--docket', DEMO);
  expect(imported).toContain('Imported 3 comments');
  const again = cli('import', exportFile(stamp), '--docket', DEMO);
  expect(again).toContain('Imported 0 comments');
  const key = cli('apikey', 'create', '--name', 'e2e downloader').trim();
  expect(key).toMatch(/^odk_/);

  const comments = await downloadDocket(`${baseURL}/v4`, key, DEMO);
  const ours = comments.filter((c) => String(c.attributes.comment).includes(`(${stamp})`));
  expect(ours.map((c) => c.id).sort()).toEqual([`${DEMO}-8001`, `${DEMO}-8002`, `${DEMO}-8003`]);
  const first = ours.find((c) => c.id === `${DEMO}-8001`);
  expect(first.attributes.trackingNbr).toBe(`lf1-8000-${String(stamp).slice(-4)}`);
  expect(first.attributes.receiveDate).toBe('2023-03-16T04:00:00Z');
  expect(first.attributes.email).toBeNull();
  expect(first.links.self).toBe(`${baseURL}/v4/comments/${DEMO}-8001`);

  // The same comments are in the public CSV download.
  const csv = await (await fetch(`${baseURL}/dockets/${DEMO}/comments.csv`)).text();
  for (const c of ours) expect(csv).toContain(c.id);
  expect(csv.trim().split('\n').length - 1).toBeGreaterThanOrEqual(comments.length);

  const refused = await fetch(`${baseURL}/v4/comments?page[size]=4`);
  expect(refused.status).toBe(400);
  expect((await refused.json()).errors[0].detail).toContain('between 5 and 250');
  expect(refused.headers.get('x-ratelimit-limit')).not.toBeNull();
});

test('the docket page links the bulk downloads', async ({ page }) => {
  await page.goto(`/dockets/${DEMO}`);
  const links = page.locator('#bulk-download');
  await expect(links).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    links.getByRole('link', { name: 'JSON Lines' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${DEMO}-comments.jsonl`);
  const file = await download.path();
  const lines = fs.readFileSync(file!, 'utf8').trim().split('\n');
  expect(lines.length).toBeGreaterThan(0);
  const first = JSON.parse(lines[0]);
  expect(first.data.type).toBe('comments');
  expect(first.data.attributes.docketId).toBe(DEMO);
});
