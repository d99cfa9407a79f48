/**
 * The dashboard's guard views in a real headless Chromium: the overview's "Guards" panel draws guard decisions per day
 * by action and lists the latest, and a run's page lists its guard decisions, approvals and gate decisions. Text from
 * the audit is shown as text (a source holding markup stays characters). Skipped, like the other browser test, only on
 * a developer machine without /usr/bin/chromium.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowserPage, SKIP_BROWSER, TEST_OUTPUT } from '../support/browser.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { makeRuntime, type TestRuntime } from '../server/helpers.js';
import { guard, recordAuditRuns, recordRun, RUN_IDS, TIMES, turn } from './fixtures.js';

const skip = SKIP_BROWSER;
const MARKUP = '<img src=x id=pwned>';
const OUTPUT = TEST_OUTPUT;

describe.skipIf(skip)('guard views in Chromium', () => {
  let test: TestRuntime;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    test = await makeRuntime();
    const now = Date.now();
    await recordAuditRuns(test.runtime.store, now - 4 * TIMES.DAY);
    await recordRun(test.runtime.store, 'run_audit_markup', now - TIMES.HOUR, now - TIMES.HOUR + 1000, [
      turn('run_audit_markup', { events: [guard(now - TIMES.HOUR + 10, 'tool', 'block', MARKUP, [{ detector: 'heuristic', rule: 'ignore-previous', reason: '<b>asks</b> to ignore previous instructions' }])] }),
    ]);
    await recordRun(test.runtime.store, 'run_audit_quiet', now - TIMES.HOUR, now - TIMES.HOUR + 1000, []);
    server = await startServer({ runtime: test.runtime, env: {}, port: 0, execute: false, onShutdownSignal: () => () => undefined });
    ({ browser, page } = await openBrowserPage(problems));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await test?.cleanup();
  });

  it('draws guard decisions per day by action and lists the latest, markup shown as text', async () => {
    await page.goto(server.url);
    await expect.poll(() => page.locator('#guards-chart svg rect.stack').count()).toBeGreaterThan(0);
    expect(await page.locator('#guards-count').textContent()).toBe('5 guard decisions');
    expect(await page.locator('#guards-chart .legend li').allTextContents()).toEqual(['block', 'quarantine', 'flag']);
    expect(await page.locator('#guards-surfaces li').allTextContents()).toEqual(expect.arrayContaining(['tool × 2', 'goal × 1']));
    const rows = page.locator('#guards-recent tbody tr');
    expect(await rows.count()).toBe(5);
    // Newest first: the run with markup in its source an hour ago.
    expect(await rows.first().textContent()).toContain(MARKUP);
    expect(await rows.first().textContent()).toContain('<b>asks</b> to ignore previous instructions');
    expect(await page.locator('#guards-recent img, #guards-recent b, #pwned').count()).toBe(0);
    expect(await page.locator('#guards-recent').textContent()).toContain('https://evil.example/page');
    await page.locator('#guards-card').screenshot({ path: `${OUTPUT}dashboard-guards.png` });
  });

  it("lists a run's guard decisions, approval and gate decision on its page", async () => {
    await page.goto(`${server.url}/#/runs/${RUN_IDS.a}`);
    await page.locator('#run-audit tbody tr').nth(3).waitFor();
    expect(await page.locator('#run-audit').isVisible()).toBe(true);
    expect(await page.locator('#run-audit-count').textContent()).toBe('4 decisions');
    const rows = (await page.locator('#run-audit tbody tr').allTextContents()).map((text) => text.replace(/\s+/g, ' '));
    expect(rows[0]).toMatch(/tool\s*quarantine\s*https:\/\/evil\.example\/page\s*asks to ignore previous instructions/);
    expect(rows[1]).toContain('model-output');
    expect(rows[2]).toMatch(/call\s*approve\s*crm\.refund.*checked the order.*by ana/);
    expect(rows[3]).toMatch(/gate: draft\s*reject\s*review\s*too vague — by bo/);
    await page.screenshot({ path: `${OUTPUT}dashboard-run-audit.png`, fullPage: true });

    // A run without any decisions shows no panel.
    await page.goto(`${server.url}/#/runs/run_audit_quiet`);
    await expect.poll(() => page.locator('#run-goal').textContent()).toBe('goal of run_audit_quiet');
    await expect.poll(() => page.locator('#run-audit').isHidden()).toBe(true);
    expect(problems).toEqual([]);
  });
});
