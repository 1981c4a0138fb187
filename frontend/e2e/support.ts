import AxeBuilder from '@axe-core/playwright';
import { expect, Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The README's screenshots are refreshed only on request (E2E_UPDATE_SCREENSHOTS=1), so a
 * plain test run leaves the working tree clean; otherwise they go beside the test results.
 */
export const SCREENSHOTS = process.env['E2E_UPDATE_SCREENSHOTS']
  ? resolve(__dirname, '..', '..', 'docs', 'screenshots')
  : resolve(__dirname, '..', 'test-results', 'screenshots');
/** Real photos the ML tests use too (tests/data/photos/LICENSES.md): one LED bulb in three
 * photos, one with a drawn crack that the precision-first defect detector reports. */
export const PHOTO_DIR = resolve(__dirname, '..', '..', 'tests', 'data', 'photos');
export const PHOTOS = ['led_bulb.jpg', 'led_bulb_pack.jpg', 'led_bulb_crack.jpg'].map((name) =>
  join(PHOTO_DIR, name),
);

/** Fails on any serious or critical WCAG 2.1 A/AA violation, listing what and where. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  // Let entry animations settle so colours are measured as the user sees them.
  await page.waitForTimeout(300);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = results.violations.filter((violation) =>
    ['serious', 'critical'].includes(violation.impact ?? ''),
  );
  const report = serious.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help}\n` +
      violation.nodes
        .slice(0, 5)
        .map(
          (node) => `    ${node.target.join(' ')}: ${node.failureSummary?.split('\n').join(' ')}`,
        )
        .join('\n'),
  );
  expect(report, `accessibility of ${label}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Passing notifications would cover part of the page.
  for (const dismiss of await page.locator('mat-snack-bar-container button').all()) {
    await dismiss.click().catch(() => undefined);
  }
  await expect(page.locator('mat-snack-bar-container')).toHaveCount(0);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

export function uniqueEmail(): string {
  return `seller-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export const PASSWORD = 'correct-horse-battery-9';

export async function register(page: Page, email: string, name = 'Sam Seller'): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Full name (optional)').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/products$/);
}

/** The access token the SPA holds, for checking the UI against the API directly. */
export async function accessToken(page: Page): Promise<string> {
  return page.evaluate(
    () => JSON.parse(localStorage.getItem('imagineai.tokens') ?? '{}').accessToken as string,
  );
}

/** Where the page's API lives, as its runtime `config.json` says (same origin when empty). */
export async function apiOrigin(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const config = (await (await fetch('config.json')).json()) as { apiBaseUrl?: string };
    return config.apiBaseUrl || location.origin;
  });
}

/** A ZIP archive of stored (uncompressed) entries, enough for the bulk-import tests. */
export function storedZip(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** GET an API path with the page's token, for checking what the UI shows against the API. */
export async function apiGet<T>(page: Page, path: string): Promise<T> {
  const response = await page.request.get(`${await apiOrigin(page)}/api/v1${path}`, {
    headers: { Authorization: `Bearer ${await accessToken(page)}` },
  });
  expect(response.ok(), `GET ${path}`).toBe(true);
  return (await response.json()) as T;
}

/** No sideways scrolling on the current page (the app scrolls inside the sidenav content). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const scroller = document.querySelector('mat-sidenav-content')!;
    return Math.max(
      scroller.scrollWidth - scroller.clientWidth,
      document.documentElement.scrollWidth - window.innerWidth,
    );
  });
}

/** RFC 4180 records: quoted cells may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') {
        index += 1;
      }
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell || record.length) {
    record.push(cell);
    records.push(record);
  }
  return records;
}
