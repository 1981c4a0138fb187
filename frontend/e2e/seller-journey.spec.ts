import { expect, test, WebSocket } from '@playwright/test';

import {
  accessToken,
  apiOrigin,
  expectAccessible,
  PHOTOS,
  register,
  screenshot,
  uniqueEmail,
} from './support';

interface DashboardNumbers {
  products: number;
  images: number;
  analysed: number;
}

test('a seller registers, uploads photos, watches them analysed live, re-runs a batch and sees the dashboard change', async ({
  page,
}) => {
  const email = uniqueEmail();
  const sockets: WebSocket[] = [];
  const pushed: string[] = [];
  page.on('websocket', (socket) => {
    sockets.push(socket);
    socket.on('framereceived', (frame) => pushed.push(String(frame.payload)));
  });

  const visited: Record<string, string> = {};
  const readDashboard = async (): Promise<DashboardNumbers> => {
    await page.goto('/dashboard');
    const number = async (id: string) => Number(await page.getByTestId(id).innerText());
    await expect(page.getByTestId('stat-products')).toBeVisible();
    return {
      products: await number('stat-products'),
      images: await number('stat-images'),
      analysed: await number('stat-analyzed'),
    };
  };

  await test.step('sign-in pages are accessible', async () => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expectAccessible(page, 'login');
    await screenshot(page, 'login');
    await page.goto('/register');
    await expectAccessible(page, 'register');
  });

  await test.step('register and land on an empty product list', async () => {
    await register(page, email);
    await expect(page.getByText('No products yet')).toBeVisible();
    await expectAccessible(page, 'empty product list');
  });

  const before = await test.step('dashboard starts empty', async () => {
    const numbers = await readDashboard();
    expect(numbers).toEqual({ products: 0, images: 0, analysed: 0 });
    await expectAccessible(page, 'empty dashboard');
    return numbers;
  });

  await test.step('the live connection is up with the token on the query string', async () => {
    await expect(page.locator('.connection[data-state="open"]')).toBeVisible();
    expect(sockets.some((socket) => /\/ws\?token=[\w.-]+/.test(socket.url()))).toBe(true);
  });

  await test.step('create a product, with validation first', async () => {
    await page.goto('/products');
    await page.getByRole('link', { name: 'New product' }).first().click();
    await page.getByRole('button', { name: 'Create product' }).click();
    await expect(page.getByText('A title is required.')).toBeVisible();
    await expectAccessible(page, 'product form with errors');
    await page.getByLabel('Title').fill('LED bulb, warm white');
    await page
      .getByLabel('Description')
      .fill('E27 LED bulb, three photos from the shop table: loose, packed, and one with a crack.');
    await page.getByRole('button', { name: 'Create product' }).click();
    await expect(page.getByRole('heading', { name: 'LED bulb, warm white' })).toBeVisible();
    await expect(page.getByTestId('product-status')).toHaveAttribute('data-status', 'draft');
    visited['product'] = page.url();
  });

  await test.step('upload three photos and watch the status change live to analysed', async () => {
    // A marker that a page reload would wipe out: the status must change without one.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await page.getByTestId('file-input').setInputFiles(PHOTOS);
    await expect(page.getByRole('status').filter({ hasText: '3 of 3 uploaded' })).toBeVisible();
    await expect(page.locator('.image-card')).toHaveCount(3);
    await expect(page.getByTestId('product-status')).toHaveAttribute('data-status', 'analyzed', {
      timeout: 120_000,
    });
    await expect(page.locator('.image-card [data-status="completed"]')).toHaveCount(3);
    expect(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    ).toBe(true);
    expect(pushed.some((frame) => frame.includes('"image.analyzed"'))).toBe(true);
    expect(pushed.some((frame) => frame.includes('"job.step"'))).toBe(true);
    await expect(page.getByTestId('ai-description')).not.toBeEmpty();
    await expectAccessible(page, 'product detail');
    await screenshot(page, 'product-detail');
  });

  await test.step('the product list shows it analysed', async () => {
    await page.goto('/products');
    await expect(page.locator('app-product-card [data-status="analyzed"]')).toHaveCount(1);
    await expectAccessible(page, 'product list');
    await screenshot(page, 'products');
  });

  await test.step('the analysis page shows the photo with its defect boxes, category and attributes', async () => {
    await page.getByRole('link', { name: 'LED bulb, warm white' }).click();
    await expect(page.locator('.image-card')).toHaveCount(3);
    const token = await accessToken(page);
    const api = await apiOrigin(page);
    const imageIds = await page
      .locator('.image-card')
      .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-image-id')!));
    // Open the photo the detector found the most defects on (the cracked bulb), so the boxes
    // are there to see.
    const defectsPerImage = await Promise.all(
      imageIds.map(async (id) => {
        const analysis = await page.request.get(`${api}/api/v1/images/${id}/analysis`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        expect(analysis.ok()).toBe(true);
        const body = (await analysis.json()) as {
          defects: { bounding_box: unknown }[];
          attributes: unknown[];
        };
        return {
          id,
          boxes: body.defects.filter((defect) => defect.bounding_box).length,
          attributes: body.attributes.length,
        };
      }),
    );
    const chosen = defectsPerImage.reduce((best, next) => (next.boxes > best.boxes ? next : best));
    await page
      .locator(`[data-image-id="${chosen.id}"]`)
      .getByRole('link', { name: 'View analysis' })
      .click();

    await expect(page.getByTestId('analysis-status')).toHaveAttribute('data-status', 'completed');
    await expect(page.getByTestId('category')).toBeVisible();
    await expect(page.getByTestId('attributes').locator('tbody tr')).toHaveCount(chosen.attributes);
    expect(chosen.attributes).toBeGreaterThan(0);
    await expect(page.locator('app-defect-overlay button.box')).toHaveCount(chosen.boxes);
    await expect(page.getByTestId('model-version')).not.toHaveText('—');
    await page.getByRole('switch', { name: 'Anomaly heatmap' }).click();
    await expect(page.locator('app-defect-overlay svg.heat rect')).not.toHaveCount(0);
    await page.getByRole('switch', { name: 'Anomaly heatmap' }).click();
    await expect(page.locator('app-defect-overlay svg.heat')).toHaveCount(0);
    expect(chosen.boxes).toBeGreaterThan(0);
    // Boxes sit inside the displayed photo, and hovering one names the defect.
    const photo = await page.locator('app-defect-overlay img').boundingBox();
    const box = await page.locator('app-defect-overlay button.box').first().boundingBox();
    expect(photo && box).toBeTruthy();
    expect(box!.x).toBeGreaterThanOrEqual(photo!.x - 1);
    expect(box!.y).toBeGreaterThanOrEqual(photo!.y - 1);
    expect(box!.x + box!.width).toBeLessThanOrEqual(photo!.x + photo!.width + 1);
    expect(box!.y + box!.height).toBeLessThanOrEqual(photo!.y + photo!.height + 1);
    await page.locator('app-defect-overlay button.box').first().hover();
    await expect(page.locator('.mat-mdc-tooltip')).toContainText('severity');
    await expectAccessible(page, 'analysis page');
    await screenshot(page, 'analysis');
    visited['analysis'] = page.url();
  });

  await test.step('run a batch job and follow it to the end', async () => {
    await page.goto('/jobs');
    await expect(page.locator('.job')).not.toHaveCount(0);
    await expectAccessible(page, 'job list');
    await page.getByRole('button', { name: 'New batch job' }).click();
    const dialog = page.getByRole('dialog', { name: 'New batch job' });
    await dialog.getByRole('checkbox', { name: /LED bulb, warm white/ }).check();
    await expect(dialog.getByRole('status')).toHaveText('Every photo of 1 selected product.');
    await expectAccessible(page, 'batch job dialog');
    await dialog.getByRole('button', { name: 'Start batch job' }).click();
    await expect(page).toHaveURL(/\/jobs\/[\w-]+$/);
    await expect(page.getByRole('heading', { name: 'Batch job' })).toBeVisible();
    await expect(page.getByTestId('job-status')).toHaveAttribute('data-status', /^completed/, {
      timeout: 120_000,
    });
    await expect(page.getByTestId('job-progress')).toHaveText('100 %');
    await expect(page.locator('table.timeline tbody tr')).toHaveCount(3);
    await expect(page.locator('table.timeline .step[data-status="completed"]')).not.toHaveCount(0);
    await expectAccessible(page, 'job detail');
    await screenshot(page, 'job-detail');
    visited['job'] = page.url();
    await page.goto('/jobs');
    await screenshot(page, 'jobs');
  });

  await test.step('the dashboard numbers changed', async () => {
    const after = await readDashboard();
    expect(after.products).toBe(before.products + 1);
    expect(after.images).toBe(before.images + 3);
    expect(after.analysed).toBe(before.analysed + 3);
    await expect(page.locator('app-trend-chart svg')).toHaveCount(3);
    await expect(page.locator('app-bar-list li')).not.toHaveCount(0);
    await expectAccessible(page, 'dashboard');
    await screenshot(page, 'dashboard');
  });

  await test.step('on a phone the navigation folds into a menu and no page scrolls sideways', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto('/products');
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.getByRole('link', { name: 'Jobs' }).click();
    await expect(page).toHaveURL(/\/jobs$/);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
    for (const url of [
      '/dashboard',
      '/products',
      visited['product'],
      visited['analysis'],
      '/jobs',
      visited['job'],
    ]) {
      await page.goto(url);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await page.waitForTimeout(300);
      // The page scrolls inside the sidenav content, not the document.
      const overflow = await page.evaluate(() => {
        const scroller = document.querySelector('mat-sidenav-content')!;
        return Math.max(
          scroller.scrollWidth - scroller.clientWidth,
          document.documentElement.scrollWidth - window.innerWidth,
        );
      });
      if (process.env['E2E_PHONE_SHOTS']) {
        await page.screenshot({
          path: `test-results/phone-${url.split('/').filter(Boolean).join('-') || 'home'}.png`,
          fullPage: true,
        });
      }
      expect(overflow, `horizontal overflow on ${url}`).toBeLessThanOrEqual(0);
    }
    await page.goto('/products');
    await expect(page.locator('app-product-card')).toHaveCount(1);
    await expectAccessible(page, 'product list on a phone');
    await screenshot(page, 'mobile-products');
  });
});
