/**
 * Headless Debian Chromium for the dashboard's browser tests, started as this machine needs it (no background
 * networking: the closed network refuses those connections), with a page whose script errors and CSP violations are
 * collected. Skipped only on a developer machine without /usr/bin/chromium; CI installs it and never skips.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SKIP_BROWSER = !existsSync(CHROMIUM) && !process.env['CI'];
/** Where browser tests save their screenshots. */
export const TEST_OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

/** A browser and a 1280x900 page; every console error and page error is pushed to `problems`. */
export async function openBrowserPage(problems: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // CSP violations and script errors surface here; the page must produce none.
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  mkdirSync(TEST_OUTPUT, { recursive: true });
  return { browser, page };
}
