import { expect, test } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';

import { expectAccessible, horizontalOverflow, register, screenshot, uniqueEmail } from './support';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

test('a seller registers a webhook, sees signed deliveries retried, replays one and rotates the secret', async ({
  page,
}) => {
  test.skip(
    Boolean(process.env['E2E_BASE_URL']),
    'A deployment cannot reach the receiver this test runs on its own machine.',
  );
  // The receiver fails its first request, so the first delivery is retried.
  const received: Received[] = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      if (received.length === 1) {
        response.writeHead(500, { 'Content-Type': 'text/plain' }).end('try again later');
      } else {
        response.writeHead(200, { 'Content-Type': 'text/plain' }).end('thanks');
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/imagineai`;

  try {
    await register(page, uniqueEmail());
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByText('No webhooks yet')).toBeVisible();
    await expectAccessible(page, 'empty webhooks');

    const secret = await test.step('add an endpoint; the secret is shown once', async () => {
      await page.getByRole('button', { name: 'Add endpoint' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Add endpoint' });
      const url = dialog.getByLabel('Endpoint URL');
      await url.fill('hooks.example.com');
      await dialog.getByRole('button', { name: 'Add endpoint' }).click();
      await expect(dialog.getByText('Enter a full URL')).toBeVisible();
      // The server refuses private addresses (SSRF protection), and the form says why.
      await url.fill('https://10.20.30.40/hook');
      await dialog.getByRole('button', { name: 'Add endpoint' }).click();
      await expect(dialog.getByText('10.20.30.40 is a private address')).toBeVisible();
      await expectAccessible(page, 'webhook form with an error');
      await url.fill(hookUrl);
      await dialog.getByLabel('Description (optional)').fill('Order system');
      await dialog.getByRole('button', { name: 'Add endpoint' }).click();

      const secretDialog = page.getByRole('dialog', { name: 'Endpoint added' });
      const shown = (await secretDialog.getByTestId('webhook-secret').innerText()).trim();
      expect(shown).toMatch(/^whsec_/);
      await expectAccessible(page, 'webhook secret');
      await secretDialog.getByRole('button', { name: 'I saved it' }).click();
      await expect(page).toHaveURL(/\/webhooks\/[\w-]+$/);
      await expect(page.getByTestId('secret-hint')).toHaveText(shown.slice(-4));
      await expect(page.getByText('No deliveries yet')).toBeVisible();
      return shown;
    });

    await test.step('a test event is signed, fails once with HTTP 500, and is retried until it succeeds', async () => {
      await page.getByRole('button', { name: 'Send test event' }).click();
      const row = page.locator('tr[data-delivery-id]').first();
      await expect(row).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
      await expect(row.getByTestId('delivery-attempts')).toHaveText('2');
      await expect(row.getByTestId('delivery-response')).toHaveText('HTTP 200');
      expect(received).toHaveLength(2);
      const [first, second] = received;
      // The same event both times, each with a valid signature over "<t>.<body>".
      expect(JSON.parse(first.body).id).toBe(JSON.parse(second.body).id);
      expect(JSON.parse(first.body).type).toBe('webhook.ping');
      for (const delivery of received) {
        const header = String(delivery.headers['imagineai-signature']);
        const t = /t=(\d+)/.exec(header)![1];
        const v1 = /v1=([0-9a-f]+)/.exec(header)![1];
        const expected = createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex');
        expect(v1).toBe(expected);
      }
      await row.getByRole('button', { name: 'Details' }).click();
      await expect(page.getByTestId('response-body')).toHaveText('thanks');
      await expect(page.locator('tr.detail pre').first()).toContainText('"webhook.ping"');
      await expectAccessible(page, 'webhook deliveries');
      await screenshot(page, 'webhooks');
    });

    await test.step('replay sends the same event again as a new delivery', async () => {
      await page
        .locator('tr[data-delivery-id]')
        .first()
        .getByRole('button', { name: 'Replay' })
        .click();
      await expect(page.locator('tr[data-delivery-id]')).toHaveCount(2);
      await expect(page.locator('tr[data-delivery-id]').first()).toHaveAttribute(
        'data-status',
        'succeeded',
        { timeout: 30_000 },
      );
      expect(received).toHaveLength(3);
      expect(JSON.parse(received[2].body).id).toBe(JSON.parse(received[0].body).id);
      await page.getByRole('combobox', { name: 'Status' }).click();
      await page.getByRole('option', { name: 'Failed' }).click();
      await expect(page.getByText('No deliveries match')).toBeVisible();
    });

    await test.step('rotating the secret shows the new one once and signs with it', async () => {
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Rotate' }).click();
      const dialog = page.getByRole('dialog', { name: 'New signing secret' });
      const rotated = (await dialog.getByTestId('webhook-secret').innerText()).trim();
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(secret);
      await dialog.getByRole('button', { name: 'I saved it' }).click();
      await expect(page.getByTestId('secret-hint')).toHaveText(rotated.slice(-4));
      await page.getByRole('button', { name: 'Send test event' }).click();
      await expect.poll(() => received.length, { timeout: 30_000 }).toBe(4);
      const last = received[3];
      const header = String(last.headers['imagineai-signature']);
      const t = /t=(\d+)/.exec(header)![1];
      expect(/v1=([0-9a-f]+)/.exec(header)![1]).toBe(
        createHmac('sha256', rotated).update(`${t}.${last.body}`).digest('hex'),
      );
    });

    await test.step('the list shows the endpoint, pauses it, and deletes it after asking', async () => {
      await page.getByRole('link', { name: 'Webhooks' }).first().click();
      const item = page.locator('[data-webhook-id]');
      await expect(item).toHaveCount(1);
      await expect(item).toContainText('Order system');
      await expect(item).toContainText('All events');
      await expectAccessible(page, 'webhook list');
      // On a phone neither page scrolls sideways (the deliveries table scrolls in its box).
      const detailUrl = await item.getByRole('link').getAttribute('href');
      await page.setViewportSize({ width: 360, height: 780 });
      for (const url of ['/webhooks', detailUrl!]) {
        await page.goto(url);
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await page.waitForTimeout(300);
        expect(await horizontalOverflow(page), `overflow on ${url}`).toBeLessThanOrEqual(0);
      }
      await page.setViewportSize({ width: 1366, height: 900 });
      await page.goto('/webhooks');
      await item.getByRole('button', { name: `Actions for ${hookUrl}` }).click();
      await page.getByRole('menuitem', { name: 'Pause' }).click();
      await expect(item.locator('app-status-badge')).toHaveAttribute('data-status', 'paused');
      await item.getByRole('button', { name: `Actions for ${hookUrl}` }).click();
      await page.getByRole('menuitem', { name: 'Delete' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
      await expect(page.getByText('No webhooks yet')).toBeVisible();
    });
  } finally {
    receiver.close();
  }
});
