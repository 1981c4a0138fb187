import { expect, test } from '@playwright/test';

import { expectAccessible, PASSWORD, register, uniqueEmail } from './support';

test('pages behind sign-in send visitors to login and back afterwards', async ({ page }) => {
  const email = uniqueEmail();
  await register(page, email);
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await page.goto('/jobs?status=failed');
  await expect(page).toHaveURL(/\/login\?returnUrl=/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expectAccessible(page, 'login with an error');

  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/jobs\?status=failed$/);
});

test('an expired access token is refreshed once and the page carries on', async ({ page }) => {
  await register(page, uniqueEmail());
  const refreshes: number[] = [];
  page.on('response', (response) => {
    if (response.url().endsWith('/api/v1/auth/refresh')) {
      refreshes.push(response.status());
    }
  });
  // Spoil the stored access token: the API answers 401, the interceptor refreshes and retries.
  await page.evaluate(() => {
    const tokens = JSON.parse(localStorage.getItem('imagineai.tokens')!);
    localStorage.setItem('imagineai.tokens', JSON.stringify({ ...tokens, accessToken: 'spoiled' }));
  });
  await page.goto('/products');
  await expect(page.getByText('No products yet')).toBeVisible();
  expect(refreshes).toEqual([200]);
  await expect(page.locator('.connection[data-state="open"]')).toBeVisible();

  // A refresh token that is spoiled too ends the session on the login page.
  await page.evaluate(() =>
    localStorage.setItem(
      'imagineai.tokens',
      JSON.stringify({ accessToken: 'x', refreshToken: 'y' }),
    ),
  );
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByText('Your session has ended')).toBeVisible();
});

test('the upload refuses files that are not images, with the reason, before sending anything', async ({
  page,
}) => {
  await register(page, uniqueEmail());
  await page.goto('/products/new');
  await page.getByLabel('Title').fill('Validation check');
  await page.getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByRole('heading', { name: 'Validation check' })).toBeVisible();

  let ticketsAsked = 0;
  page.on('request', (request) => {
    if (request.url().includes('/upload-url')) {
      ticketsAsked += 1;
    }
  });
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(page.getByText('notes.txt (text/plain) is not a supported image')).toBeVisible();
  expect(ticketsAsked).toBe(0);

  await page.getByRole('button', { name: 'Remove notes.txt' }).click();
  await expect(page.getByText('notes.txt')).toHaveCount(0);

  // Deleting asks first; cancelling keeps the product.
  await page.getByRole('button', { name: 'More product actions' }).click();
  await page.getByRole('menuitem', { name: 'Delete product' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'Validation check' })).toBeVisible();
  await page.getByRole('button', { name: 'More product actions' }).click();
  await page.getByRole('menuitem', { name: 'Delete product' }).click();
  await expectAccessible(page, 'delete confirmation');
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/products$/);
  await expect(page.getByText('No products yet')).toBeVisible();
});

test('unknown addresses and missing products say so', async ({ page }) => {
  await register(page, uniqueEmail());
  await page.goto('/products/00000000-0000-4000-8000-000000000000');
  await expect(page.getByRole('alert')).toBeVisible();
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeAttached();
  await expect(page.getByRole('link', { name: 'Go to the dashboard' })).toBeVisible();
});
