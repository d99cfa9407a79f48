/**
 * Ctrl-C on a real `baton run` process: in-flight calls stop, the run ends `cancelled` with exit code 130, and the
 * turns recorded before it stay readable.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { makeProject } from '../support/project.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(REPO_ROOT, 'bin', 'baton.js');

let fake: FakeOpenAI;
beforeAll(async () => {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'pipe' });
  // The planner answers at once; everything after it hangs, so the run is mid-research when Ctrl-C comes.
  fake = await startFakeOpenAI({
    chat: (request) => {
      const system = JSON.stringify((request.body as { messages: Array<{ content: unknown }> }).messages[0]?.content);
      if (system.includes('You are the Planner')) return { content: JSON.stringify({ steps: [{ id: 's1', question: 'What is Baton?' }] }) };
      return { delayMs: 30_000, content: '{}' };
    },
  });
});
afterAll(async () => {
  await fake?.close();
});

describe('baton run and Ctrl-C', () => {
  it('ends the run cancelled with exit code 130 and keeps the transcript', async () => {
    const cwd = makeProject({ 'baton.config.yaml': `models:\n  - name: slow\n    provider: openai-compatible\n    baseUrl: ${fake.url}\n    model: slow-1\ndefaultModel: slow\n` });
    const child = spawn(process.execPath, [BIN, 'run', 'What is Baton?'], { cwd, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const researching = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/planner → researcher/.test(stderr)) resolve();
      });
    });
    await researching;
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/Cancelling/);
    expect(stdout).toMatch(/Status: cancelled/);
    const runId = /Run id: (\S+)/.exec(stdout)?.[1];
    const shown = JSON.parse(execFileSync(process.execPath, [BIN, 'show', runId!, '--json'], { cwd, encoding: 'utf8' })) as { run: { status: string }; turns: Array<{ role: string; error?: { code: string } }> };
    expect(shown.run.status).toBe('cancelled');
    expect(shown.turns.map((turn) => turn.role)).toContain('planner');
  }, 20_000);
});
