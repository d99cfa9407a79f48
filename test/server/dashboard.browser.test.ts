/**
 * The dashboard in a real headless Chromium: submit a goal, watch its turns arrive live, open the transcript, see the
 * charts, and decide at a human gate from the "Waiting for you" queue. Skipped only on a developer machine without
 * /usr/bin/chromium; in CI (`CI` set) it always runs.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, openBrowserPage, SKIP_BROWSER, TEST_OUTPUT } from '../support/browser.js';
import { submitRun } from '../../src/runtime/run.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { eventually, GATED_CONFIG, makeRuntime, slowModel, type TestRuntime } from './helpers.js';

const skip = SKIP_BROWSER;
if (skip) console.warn(`dashboard.browser.test.ts skipped: ${CHROMIUM} is not installed (apt-get install -y chromium); CI never skips it`);
const OUTPUT = TEST_OUTPUT;

/**
 * The page's document, for functions that run in the browser. This file is compiled without DOM types, and the page's
 * CSP (rightly) refuses string expressions, so those functions reach `document` through globalThis, typed by this.
 */
interface PageDocument {
  querySelectorAll(selector: string): { length: number };
  getElementById(id: string): { textContent: string | null } | null;
}

describe.skipIf(skip)('dashboard in Chromium', () => {
  let test: TestRuntime;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    // Each model call takes 250 ms, so a run lasts about a second: long enough to watch it live.
    test = await makeRuntime(slowModel(250));
    server = await startServer({ runtime: test.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    for (const goal of ['How are transcripts stored?', 'Which models does Baton use?']) {
      const response = await fetch(`${server.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ goal }) });
      const { runId } = (await response.json()) as { runId: string };
      await eventually(async () => (((await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as { status: string }).status === 'approved' ? true : undefined), 10_000);
    }
    ({ browser, page } = await openBrowserPage(problems));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await test?.cleanup();
  });

  it('lists runs and draws the cost and model-usage charts', async () => {
    await page.goto(server.url);
    await page.locator('#runs-table tbody tr.run-row').nth(1).waitFor();
    expect(await page.locator('#runs-table tbody tr.run-row').count()).toBe(2);
    await expect.poll(() => page.locator('#cost-chart svg rect.bar').count()).toBe(2);
    expect(await page.locator('#usage-chart svg rect.stack').count()).toBeGreaterThan(0);
    expect(await page.locator('#usage-chart .legend li').allTextContents()).toEqual(['scripted:offline']);
    expect(await page.locator('#kpis').textContent()).toContain('100%');
    expect(await page.locator('#runs-table tbody tr.run-row').first().textContent()).toContain('approved');
  });

  it('submits a goal and shows its turns as they happen, then the verified answer', async () => {
    await page.fill('#goal', 'What is Baton?');
    await page.setInputFiles('#attachments', { name: 'notes.md', mimeType: '', buffer: Buffer.from('Baton is named after the relay baton passed between runners.\n') });
    await page.click('#goal-submit');
    await page.waitForURL(/#\/runs\/run_/);
    // Turns are on the page while the run is still going.
    await page.waitForFunction(
      () => {
        const browserDocument = (globalThis as unknown as { document: PageDocument }).document;
        return browserDocument.querySelectorAll('#turns li.turn').length >= 2 && browserDocument.getElementById('run-status')?.textContent === 'running';
      },
      undefined,
      { timeout: 10_000 },
    );
    expect(await page.locator('#live').isVisible()).toBe(true);
    await page.screenshot({ path: `${OUTPUT}dashboard-live.png`, fullPage: true });

    await page.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.getElementById('run-status')?.textContent === 'approved', undefined, { timeout: 10_000 });
    await expect.poll(() => page.locator('#turns li.turn').count()).toBe(5);
    expect(await page.locator('#live').isVisible()).toBe(false);
    expect(await page.locator('#run-meta').textContent()).toContain('attached: notes.md');
    expect(await page.locator('#answer-title').textContent()).toContain('verified by the checker');
    expect(await page.locator('#citations li').count()).toBeGreaterThan(0);
    const heads = await page.locator('#turns .route-line').allTextContents();
    expect(heads.map((text) => text.replace(/\s+/g, ' ').trim())).toEqual(['user → supervisor', 'planner → researcher:s1', 'researcher → checker', 'checker → user', 'supervisor → user']);
  });

  it('expands a turn to its messages, structured output, tool calls, citations and verdict', async () => {
    const researcher = page.locator('#turns li.kind-researcher');
    await researcher.locator('.turn-details > summary').click();
    const researcherText = await researcher.locator('.turn-details').textContent();
    expect(researcherText).toContain('Messages (3)');
    expect(researcherText).toContain('Structured output');
    expect(researcherText).toContain('search_docs');
    expect(researcherText).toContain('Claims and citations');
    expect(researcherText).toMatch(/Routing decisions|Events/);

    const checker = page.locator('#turns li.kind-checker');
    await checker.locator('.turn-details > summary').click();
    expect(await checker.locator('.turn-details').textContent()).toContain('Verdict');
    expect(await checker.locator('.verdict-approve').first().textContent()).toBe('approve');
    await page.screenshot({ path: `${OUTPUT}dashboard-transcript.png`, fullPage: true });
  });

  it('asks for the API token when the server requires one, then follows a run live through fetch', async () => {
    const token = 'dashboard-test-token-0123456789';
    const secured = await makeRuntime(slowModel(250));
    const securedServer = await startServer({ runtime: secured.runtime, env: {}, tokens: [token], port: 0, onShutdownSignal: () => () => undefined });
    const securedPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      // A 401 from the API is expected here (that is what shows the token form); anything else is a problem.
      securedPage.on('pageerror', (error) => problems.push(error.message));
      await securedPage.goto(securedServer.url);
      await securedPage.locator('#auth-panel').waitFor();
      expect(await securedPage.locator('#app').isHidden()).toBe(true);
      await securedPage.fill('#auth-token', token);
      await securedPage.click('#auth-form button[type=submit]');
      await securedPage.locator('#overview').waitFor();
      await securedPage.fill('#goal', 'What is Baton?');
      await securedPage.click('#goal-submit');
      // EventSource cannot send the token, so this page reads the event stream through fetch instead.
      await securedPage.waitForFunction(
        () => {
          const browserDocument = (globalThis as unknown as { document: PageDocument }).document;
          return browserDocument.querySelectorAll('#turns li.turn').length >= 2 && browserDocument.getElementById('run-status')?.textContent === 'running';
        },
        undefined,
        { timeout: 10_000 },
      );
      await securedPage.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.getElementById('run-status')?.textContent === 'approved', undefined, { timeout: 10_000 });
      await expect.poll(() => securedPage.locator('#turns li.turn').count()).toBe(5);
    } finally {
      await securedPage.close();
      await securedServer.close();
      await secured.cleanup();
    }
  });

  it('shows a run waiting at a human gate in "Waiting for you", and approves it from there and from its page', async () => {
    const gated = await makeRuntime(slowModel(100), { config: GATED_CONFIG });
    const gatedServer = await startServer({ runtime: gated.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    const gatedPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    gatedPage.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    gatedPage.on('pageerror', (error) => problems.push(error.message));
    const statusOf = async (runId: string): Promise<string> => ((await (await fetch(`${gatedServer.url}/api/runs/${runId}`)).json()) as { status: string }).status;
    const start = async (goal: string): Promise<string> => {
      const response = await fetch(`${gatedServer.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ goal }) });
      expect(response.status).toBe(202);
      const { runId } = (await response.json()) as { runId: string };
      await eventually(async () => ((await statusOf(runId)) === 'awaiting_human' ? true : undefined), 10_000, `${runId} to wait for a person`);
      return runId;
    };
    try {
      const runId = await start('What is Baton?');
      await gatedPage.goto(gatedServer.url);
      const decision = gatedPage.locator('#pending-list li.decision');
      await decision.waitFor();
      expect(await gatedPage.locator('#pending-card').isVisible()).toBe(true);
      expect(await decision.count()).toBe(1);
      expect(await decision.locator('.decision-goal').textContent()).toBe('What is Baton?');
      expect(await decision.locator('.decision-prompt').textContent()).toBe('Approve this plan, or reject it with the reason it must change.');
      expect(await decision.locator('.plan-steps li').count()).toBeGreaterThan(0);
      expect(await decision.locator('.chip').textContent()).toContain('review · plan · round 1');
      await gatedPage.locator('#runs-table tbody tr.run-row').first().waitFor();
      expect(await gatedPage.locator('#runs-table tbody tr.run-row .badge').first().textContent()).toBe('waiting for you');

      // Rejecting without a reason is refused on the page; nothing is sent.
      await decision.locator('button.reject').click();
      expect(await decision.locator('.decision-error').textContent()).toContain('A rejection needs a reason');
      expect(await statusOf(runId)).toBe('awaiting_human');
      await gatedPage.screenshot({ path: `${OUTPUT}dashboard-waiting.png`, fullPage: true });

      await decision.locator('textarea.decision-text').fill('ship it');
      await decision.locator('button.approve').click();
      await expect.poll(() => gatedPage.locator('#pending-list li.decision').count(), { timeout: 5000 }).toBe(0);
      expect(await gatedPage.locator('#pending-card').isHidden()).toBe(true);
      await eventually(async () => ((await statusOf(runId)) === 'approved' ? true : undefined), 10_000, 'the approved run to end');
      await expect.poll(() => gatedPage.locator('#runs-table tbody tr.run-row .badge').first().textContent(), { timeout: 10_000 }).toBe('approved');

      // The run's page tells the decision in its transcript.
      await gatedPage.goto(`${gatedServer.url}/#/runs/${runId}`);
      await gatedPage.locator('#turns li.kind-human').waitFor();
      expect(await gatedPage.locator('#turns li.kind-human .gist').textContent()).toBe('Approved by api: ship it');
      expect(await gatedPage.locator('#run-status').textContent()).toBe('approved');

      // A second run, decided on its own page while it is followed live.
      const second = await start('How are transcripts stored?');
      await gatedPage.goto(`${gatedServer.url}/#/runs/${second}`);
      await gatedPage.locator('#run-decision li.decision').waitFor();
      expect(await gatedPage.locator('#run-status').textContent()).toBe('waiting for you');
      expect(await gatedPage.locator('#live').textContent()).toBe('waiting for you');
      await gatedPage.locator('#run-decision button.approve').click();
      await gatedPage.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.getElementById('run-status')?.textContent === 'approved', undefined, { timeout: 10_000 });
      expect(await gatedPage.locator('#run-decision').isHidden()).toBe(true);
      await expect.poll(() => gatedPage.locator('#turns li.turn').count()).toBe(8);
    } finally {
      await gatedPage.close();
      await gatedServer.close();
      await gated.cleanup();
    }
  });

  it('refuses an approval shown for round 1 when the run meanwhile asks again in round 2, saying so on the page', async () => {
    const gated = await makeRuntime(slowModel(50), { config: GATED_CONFIG });
    const gatedServer = await startServer({ runtime: gated.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    // The 409 is expected (the browser logs it as a console error): only script errors count here.
    const stalePage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    stalePage.on('pageerror', (error) => problems.push(error.message));
    const api = async (path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const response = await fetch(`${gatedServer.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    const pendingRounds = async (): Promise<number[]> => ((await api('/api/decisions')).json['decisions'] as Array<{ round: number }>).map((request) => request.round);
    try {
      const runId = (await api('/api/runs', { goal: 'What is Baton?' })).json['runId'] as string;
      await eventually(async () => ((await pendingRounds()).length === 1 ? true : undefined), 10_000, 'round 1 to be asked');
      await stalePage.goto(gatedServer.url);
      const decision = stalePage.locator('#pending-list li.decision');
      await decision.waitFor();
      expect(await decision.locator('.chip').textContent()).toContain('round 1');
      // This tab stops refreshing its decisions (as a tab in the background would)...
      await stalePage.route((url) => url.pathname === '/api/decisions', (route) => route.abort());
      // ...while another one rejects round 1; the run re-plans and asks again.
      expect((await api(`/api/runs/${runId}/decision`, { decision: 'reject', reason: 'cover pricing too', round: 1 })).status).toBe(200);
      await eventually(async () => ((await pendingRounds())[0] === 2 ? true : undefined), 10_000, 'round 2 to be asked');

      await decision.locator('button.approve').click();
      await expect.poll(() => decision.locator('.decision-error').textContent(), { timeout: 5000 }).toContain('now waits for a decision on round 2 of its plan, not on round 1');
      expect(await decision.locator('.decision-error').textContent()).toContain('reload the decision');
      // Round 2's plan was not approved unseen: it still waits.
      expect(await pendingRounds()).toEqual([2]);
      const gates = await gated.runtime.store.gates(runId);
      expect(gates.map((gate) => [gate.round, gate.decision?.decision ?? null])).toEqual([[1, 'reject'], [2, null]]);
    } finally {
      await stalePage.close();
      await gatedServer.close();
      await gated.cleanup();
    }
  });

  it('says "interrupted" for an interrupted run when the server does not resume runs on its own', async () => {
    const manual = await makeRuntime(undefined, { config: 'runs:\n  leaseMs: 1000\n  autoResume: false\n' });
    // A run taken by a process that died at once: its lease has expired, nothing resumes it.
    const left = await submitRun(manual.runtime, { goal: 'What is Baton?' });
    await manual.runtime.store.acquire(left.id, { owner: 'crashed-host:1:dead', expiresAt: Date.now() - 1 });
    const manualServer = await startServer({ runtime: manual.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    const manualPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    manualPage.on('pageerror', (error) => problems.push(error.message));
    try {
      expect(((await (await fetch(`${manualServer.url}/healthz`)).json()) as { autoResume: boolean }).autoResume).toBe(false);
      await manualPage.goto(manualServer.url);
      const row = manualPage.locator('#runs-table tbody tr.run-row').first();
      await row.waitFor();
      expect(await row.locator('.badge').textContent()).toBe('interrupted');
      const cells = await row.locator('td').allTextContents();
      expect(cells[5]).toBe('interrupted');
      expect(cells.join(' ')).not.toMatch(/to be resumed|automatically/);

      await manualPage.goto(`${manualServer.url}/#/runs/${left.id}`);
      await manualPage.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.getElementById('run-status')?.textContent === 'interrupted', undefined, { timeout: 10_000 });
      expect(await manualPage.locator('#live').textContent()).toBe(`interrupted · baton resume ${left.id} continues it`);
    } finally {
      await manualPage.close();
      await manualServer.close();
      await manual.cleanup();
    }
  });

  it('shows the new run in the list and in the charts, with no script or CSP errors', async () => {
    await page.click('a.back');
    await expect.poll(() => page.locator('#runs-table tbody tr.run-row').count()).toBe(3);
    await expect.poll(() => page.locator('#cost-chart svg rect.bar').count(), { timeout: 10_000 }).toBe(3);
    await page.screenshot({ path: `${OUTPUT}dashboard-overview.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});
