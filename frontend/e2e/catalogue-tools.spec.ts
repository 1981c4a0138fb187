import { expect, Page, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';

import {
  apiGet,
  expectAccessible,
  horizontalOverflow,
  parseCsv,
  PHOTO_DIR,
  register,
  screenshot,
  storedZip,
  uniqueEmail,
} from './support';

interface Job {
  id: string;
  status: string;
}
interface Analysis {
  attributes: { name: string; value: string; metadata: { reasons?: string[] } }[];
  duplicate_of: { image_id: string } | null;
}
interface ProductReadiness {
  status: string;
  fixes: string[];
}
interface ProductDetail {
  id: string;
  title: string;
  images: { id: string; original_filename: string; is_primary: boolean }[];
}

const photo = (name: string) => readFileSync(join(PHOTO_DIR, name));

/** Serves tests/data/photos over http on 127.0.0.1, like a shop's image host. */
async function photoServer(): Promise<{ server: Server; base: string }> {
  const server = createServer((request, response) => {
    const name = (request.url ?? '/').slice(1);
    try {
      const body = photo(name.replace(/[^\w.-]/g, ''));
      response.writeHead(200, { 'Content-Type': 'image/png' }).end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function waitForJob(page: Page, jobId: string): Promise<void> {
  await expect
    .poll(async () => (await apiGet<Job>(page, `/jobs/${jobId}`)).status, { timeout: 120_000 })
    .toMatch(/^completed/);
}

async function productByTitle(page: Page, title: string): Promise<ProductDetail> {
  const list = await apiGet<{ data: { id: string; title: string }[] }>(
    page,
    `/products?q=${encodeURIComponent(title)}&limit=10`,
  );
  const found = list.data.find((product) => product.title === title);
  expect(found, `product ${title}`).toBeTruthy();
  return apiGet<ProductDetail>(page, `/products/${found!.id}`);
}

test('a seller imports products in bulk, checks readiness and grades, handles a duplicate, searches by photo, teaches a category and exports', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const external = Boolean(process.env['E2E_BASE_URL']);
  await register(page, uniqueEmail());

  await test.step('import a ZIP with a mapping file and follow its batch job', async () => {
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import products' });
    await expect(dialog.getByRole('button', { name: 'Choose a ZIP file' })).toBeVisible();
    // A CSV is refused for a ZIP import before anything is sent.
    await dialog.getByTestId('import-file-input').setInputFiles({
      name: 'list.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('url\n'),
    });
    await expect(dialog.getByRole('alert')).toContainText('not a ZIP archive');
    await expectAccessible(page, 'import dialog');

    const mapping =
      'filename,title,description\n' +
      'red_coffee_cup_scratch.jpg,Red cup,Espresso cup on a saucer\n' +
      'red_coffee_cup.jpg,Red cup,\n' +
      'grey_duffel_bag.jpg,Grey duffel bag,Canvas weekender\n';
    const archive = storedZip([
      { name: 'red_coffee_cup_scratch.jpg', data: photo('red_coffee_cup_scratch.jpg') },
      { name: 'red_coffee_cup.jpg', data: photo('red_coffee_cup.jpg') },
      { name: 'grey_duffel_bag.jpg', data: photo('grey_duffel_bag.jpg') },
      { name: 'notes.txt', data: Buffer.from('not a photo') },
      { name: 'mapping.csv', data: Buffer.from(mapping) },
    ]);
    await dialog.getByTestId('import-file-input').setInputFiles({
      name: 'shop-photos.zip',
      mimeType: 'application/zip',
      buffer: archive,
    });
    await expect(dialog.getByTestId('import-file')).toContainText('shop-photos.zip');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(dialog.getByTestId('import-summary')).toHaveText(
      /3 photos imported into 2 products/,
    );
    await expect(dialog.getByTestId('import-products').getByRole('link')).toHaveText([
      'Red cup',
      'Grey duffel bag',
    ]);
    await expect(dialog.getByTestId('import-skipped')).toContainText('notes.txt');
    // The batch job's progress arrives over the WebSocket while the dialog is open.
    await expect(dialog.getByTestId('import-job-status')).toHaveAttribute(
      'data-status',
      /^completed/,
      { timeout: 120_000 },
    );
    await expectAccessible(page, 'import result');
    await screenshot(page, 'import');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(page.locator('app-product-card')).toHaveCount(2);
  });

  await test.step('import a copy of a photo from a CSV of image URLs', async () => {
    if (external) {
      // A deployment cannot reach this machine's image server: the copy comes in a ZIP.
      await page.getByRole('button', { name: 'Import' }).click();
      const dialog = page.getByRole('dialog', { name: 'Import products' });
      await dialog.getByTestId('import-file-input').setInputFiles({
        name: 'copy.zip',
        mimeType: 'application/zip',
        buffer: storedZip([
          { name: 'red_coffee_cup.png', data: photo('red_coffee_cup.png') },
          {
            name: 'mapping.csv',
            data: Buffer.from('filename,title\nred_coffee_cup.png,Red cup copy\n'),
          },
        ]),
      });
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      await expect(dialog.getByTestId('import-job-status')).toHaveAttribute(
        'data-status',
        /^completed/,
        {
          timeout: 120_000,
        },
      );
      await dialog.getByRole('button', { name: 'Done' }).click();
      return;
    }
    const { server, base } = await photoServer();
    try {
      await page.getByRole('button', { name: 'Import' }).click();
      const dialog = page.getByRole('dialog', { name: 'Import products' });
      await dialog.getByRole('radio', { name: 'CSV of image URLs' }).click();
      const csv = `url,title\n${base}/red_coffee_cup.png,Red cup copy\n${base}/missing.jpg,Missing\n`;
      await dialog.getByTestId('import-file-input').setInputFiles({
        name: 'urls.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv),
      });
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      await expect(dialog.getByTestId('import-summary')).toHaveText(
        /1 photo imported into 1 product/,
      );
      await expect(dialog.getByTestId('import-skipped')).toContainText('missing.jpg');
      await expect(dialog.getByTestId('import-job-status')).toHaveAttribute(
        'data-status',
        /^completed/,
        { timeout: 120_000 },
      );
      await dialog.getByRole('button', { name: 'Done' }).click();
    } finally {
      server.close();
    }
    await expect(page.locator('app-product-card')).toHaveCount(3);
  });

  const cup = await productByTitle(page, 'Red cup');
  const bag = await productByTitle(page, 'Grey duffel bag');
  const copy = await productByTitle(page, 'Red cup copy');

  await test.step('the product page checks the photos against a marketplace preset', async () => {
    await page.goto(`/products/${cup.id}`);
    const panel = page.getByTestId('product-readiness');
    await expect(panel.getByTestId('readiness-status')).toBeVisible();
    await panel.getByTestId('preset-select').click();
    await page.getByRole('option', { name: 'Amazon (main image)' }).click();
    const expected = await apiGet<ProductReadiness>(
      page,
      `/products/${cup.id}/readiness?preset=amazon`,
    );
    await expect(panel.getByTestId('readiness-status')).toHaveAttribute(
      'data-status',
      expected.status,
    );
    await expect(panel.getByTestId('readiness-fixes').locator('li')).toHaveText(expected.fixes);
    await expect(panel.getByRole('link', { name: 'Rules source' })).toHaveAttribute(
      'href',
      /amazon/,
    );
    await panel.locator('summary').first().click();
    await expect(panel.locator('[data-rule="pure_white_background"]')).toHaveAttribute(
      'data-status',
      'fail',
    );
    await expectAccessible(page, 'product page with readiness');
  });

  await test.step('the analysis shows the condition grade with its reasons and the readiness rules', async () => {
    const scratched = cup.images.find((image) => image.original_filename.includes('scratch'))!;
    await page.goto(`/products/${cup.id}/images/${scratched.id}`);
    const analysis = await apiGet<Analysis>(page, `/images/${scratched.id}/analysis`);
    const grade = analysis.attributes.find((attribute) => attribute.name === 'condition_grade')!;
    const panel = page.getByTestId('condition-grade');
    await expect(panel.getByTestId('grade-value')).toHaveAttribute('data-grade', grade.value);
    await expect(panel.getByTestId('grade-reasons').locator('li')).toHaveCount(
      grade.metadata.reasons!.length,
    );
    // The preset chosen on the product page holds here too.
    const readiness = page.getByTestId('image-readiness');
    await expect(readiness.getByTestId('preset-select')).toContainText('Amazon');
    await expect(readiness.locator('[data-rule="resolution"]')).toContainText('600 px');
  });

  await test.step('the imported copy is flagged as a duplicate, with the same photo most similar', async () => {
    const copyImage = copy.images[0];
    await page.goto(`/products/${copy.id}/images/${copyImage.id}`);
    const notice = page.getByTestId('duplicate-notice');
    await expect(notice).toHaveAttribute('data-kept', 'false');
    const analysis = await apiGet<Analysis>(page, `/images/${copyImage.id}/analysis`);
    expect(cup.images.map((image) => image.id)).toContain(analysis.duplicate_of!.image_id);
    const similar = page.getByTestId('similar-products').locator('app-similar-image-card');
    await expect(similar.first()).toContainText('Red cup');
    await expect(similar.first().getByTestId('similarity')).toContainText('Same photo');
    await expectAccessible(page, 'analysis with a duplicate');
    await screenshot(page, 'analysis-duplicate');
    await notice.getByRole('button', { name: 'Keep both' }).click();
    await expect(notice).toHaveAttribute('data-kept', 'true');
  });

  await test.step('correct a classification with an own category name', async () => {
    const image = bag.images[0];
    await page.goto(`/products/${bag.id}/images/${image.id}`);
    await expect(page.getByTestId('answered-by')).toHaveAttribute('data-kind', 'taxonomy');
    await page.getByRole('button', { name: 'Correct category' }).click();
    await page.getByTestId('label-input').fill('travel bags!');
    await expect(page.getByText("Use letters, digits, spaces and - _ & ' only")).toBeVisible();
    await page.getByTestId('label-input').fill('Travel  Bags');
    await page.getByRole('button', { name: 'Save label' }).click();
    await expect(page.getByTestId('category')).toContainText('Travel bags');
    await expect(page.getByTestId('answered-by')).toHaveAttribute('data-kind', 'correction');
    // A third red cup example, labelled on its analysis page (it is not a main photo).
    const plainCup = cup.images.find((item) => item.original_filename === 'red_coffee_cup.jpg')!;
    await page.goto(`/products/${cup.id}/images/${plainCup.id}`);
    await page.getByRole('button', { name: 'Correct category' }).click();
    await page.getByTestId('label-input').fill('red cups');
    await page.getByTestId('label-input').press('Enter');
    await expect(page.getByTestId('answered-by')).toHaveAttribute('data-kind', 'correction');
  });

  await test.step('label photos as a custom category, train it and see it answer', async () => {
    await page.goto('/categories');
    await expect(page.getByTestId('label-table').locator('[data-label="red cups"]')).toContainText(
      'Label 2 more analysed photos',
    );
    const photos = page.getByTestId('label-photos');
    await photos.getByRole('checkbox', { name: 'Red cup', exact: true }).check();
    await photos.getByRole('checkbox', { name: 'Red cup copy' }).check();
    await page.getByTestId('label-input').fill('red cups');
    await page.getByRole('button', { name: 'Label 2 photos' }).click();
    const row = page.getByTestId('label-table').locator('[data-label="red cups"]');
    await expect(row).toHaveAttribute('data-state', 'ready');
    await expectAccessible(page, 'categories');
    await page.getByRole('button', { name: 'Train now' }).click();
    await expect(page.getByTestId('classifier-version')).toHaveText(/^custom-/, {
      timeout: 60_000,
    });
    await expect(row).toHaveAttribute('data-state', 'learnt');
    await screenshot(page, 'categories');

    await page.getByRole('link', { name: 'Search by photo' }).click();
    await expect(page.getByRole('heading', { name: 'Search by photo' })).toBeVisible();
    await expectAccessible(page, 'empty photo search');
    await page
      .getByTestId('search-file-input')
      .setInputFiles(join(PHOTO_DIR, 'red_coffee_cup_stain.jpg'));
    const query = page.getByTestId('search-query');
    await expect(query).toContainText('Red cups');
    await expect(query).toContainText('Your custom categories');
    const results = page.getByTestId('search-results').locator('app-similar-image-card');
    await expect(results).toHaveCount(4);
    await expect(results.first()).toContainText('Red cup');
    await expectAccessible(page, 'photo search results');
    await screenshot(page, 'search');
  });

  await test.step('the duplicates page lists the kept copy and deletes it on request', async () => {
    await page.goto('/duplicates?kept=true');
    const copyCard = page.locator(`[data-image-id="${copy.images[0].id}"]`);
    await expect(copyCard).toContainText('Kept copy');
    await expectAccessible(page, 'duplicates');
    await screenshot(page, 'duplicates');
    await copyCard.getByRole('button', { name: 'Review again' }).click();
    await copyCard.getByRole('button', { name: 'Delete red_coffee_cup.png' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await expect(copyCard).toHaveCount(0);
  });

  await test.step('export the catalogue as CSV for spreadsheets and as JSON', async () => {
    await page.goto('/products');
    await page.getByRole('button', { name: 'Export' }).click();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: /CSV for spreadsheets/ }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^imagineai-products-.*\.csv$/);
    const text = readFileSync((await csv.path())!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const [header, ...records] = parseCsv(text.slice(1));
    expect(header.slice(0, 4)).toEqual(['product_id', 'title', 'description', 'category']);
    expect(records.map((record) => record[1]).sort()).toEqual([
      'Grey duffel bag',
      'Red cup',
      'Red cup copy',
    ]);
    expect(new Set(records.map((record) => record[header.indexOf('readiness_preset')]))).toEqual(
      new Set(['amazon']),
    );

    await page.getByRole('button', { name: 'Export' }).click();
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: /JSON/ }).click(),
    ]);
    const rows = JSON.parse(readFileSync((await json.path())!, 'utf8')) as {
      title: string;
      readiness_preset: string;
    }[];
    expect(rows.map((row) => row.title).sort()).toEqual([
      'Grey duffel bag',
      'Red cup',
      'Red cup copy',
    ]);
    expect(new Set(rows.map((row) => row.readiness_preset))).toEqual(new Set(['amazon']));
  });

  await test.step('on a phone the new pages do not scroll sideways', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    for (const url of [
      '/search',
      '/duplicates?kept=true',
      '/categories',
      `/products/${cup.id}`,
      `/products/${bag.id}/images/${bag.images[0].id}`,
    ]) {
      await page.goto(url);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await page.waitForTimeout(300);
      expect(await horizontalOverflow(page), `horizontal overflow on ${url}`).toBeLessThanOrEqual(
        0,
      );
    }
  });
});
