/**
 * The output policy on final answers in whole runs: personal data redacted from the answer that is stored, returned
 * and served, a `block` rule withholding the answer (the run ends `failed` with OUTPUT_BLOCKED and no result), a
 * required disclaimer appended; each decision is an event on the closing turn.
 */
import { describe, expect, it } from 'vitest';
import { runGoal } from '../../../src/runtime/run.js';
import type { TurnRecord } from '../../../src/transcript/schema.js';
import { claim, fakeModels, guardEvents, openProject } from './helpers.js';

const GOAL = 'Whom do ships contact before docking at the harbour?';
const QUOTE = 'Ships contact the harbour master at harbour.master@example.com before docking.';
const KB = { 'kb/harbour.md': `# Harbour\n\n${QUOTE}\n` };
const ADDRESS = 'harbour.master@example.com';

async function answerRun(policy: string) {
  const models = await fakeModels({ researcher: () => claim(QUOTE, 'kb/harbour.md', [QUOTE]) });
  const { runtime } = await openProject(models, `outputPolicy:\n${policy}`, KB);
  const outcome = await runGoal(runtime, { goal: GOAL });
  const turns = await runtime.store.turns(outcome.runId);
  return { outcome, record: await runtime.store.getRun(outcome.runId), turns, closing: turns.at(-1)! };
}

function expectClosing(closing: TurnRecord): void {
  expect(closing).toMatchObject({ role: 'supervisor', to: ['user'] });
}

describe('the output policy on answers', () => {
  it('lets the answer through unchanged without a policy (the baseline)', async () => {
    const { outcome } = await answerRun('  rules: []\n');
    expect(outcome.status, JSON.stringify(outcome)).toBe('approved');
    expect(outcome.result!.answer).toContain(ADDRESS);
  });

  it('redacts an e-mail address from the stored and returned answer, with an event on the closing turn', async () => {
    const { outcome, record, closing } = await answerRun('  personal: { action: redact }\n');
    expect(outcome.status, JSON.stringify(outcome)).toBe('approved');
    for (const answer of [outcome.result!.answer, record.result!.answer, (closing.output as { answer: string }).answer]) {
      expect(answer).not.toContain(ADDRESS);
      expect(answer).toMatch(/Ships contact the harbour master at \[REDACTED:[a-z-]+\] before docking/);
    }
    expectClosing(closing);
    expect(guardEvents([closing])).toEqual([
      expect.objectContaining({ surface: 'answer', action: 'redact', source: 'answer', detections: expect.arrayContaining([expect.objectContaining({ detector: 'personal', score: 1 })]) }),
    ]);
    // The event names what was found, never the address itself.
    expect(JSON.stringify(closing.events)).not.toContain(ADDRESS);
    // The citations keep their sources; a quote that held the address is redacted too, and says so.
    expect(outcome.result!.citations[0]!.quote).toContain('harbour master');
    expect(JSON.stringify(outcome.result)).not.toContain(ADDRESS);
  });

  it('withholds an answer that breaks a block rule: failed with OUTPUT_BLOCKED and no result', async () => {
    const { outcome, record, closing } = await answerRun('  rules:\n    - { name: no-harbour-master, phrase: "harbour   MASTER", action: block }\n');
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'OUTPUT_BLOCKED', message: expect.stringContaining('policy/no-harbour-master') });
    expect(outcome.result).toBeNull();
    expect(record).toMatchObject({ status: 'failed', result: null, error: { code: 'OUTPUT_BLOCKED' } });
    expectClosing(closing);
    expect(closing.output).toMatchObject({ status: 'failed', answer: null });
    expect(closing.error).toMatchObject({ code: 'OUTPUT_BLOCKED' });
    expect(guardEvents([closing])).toEqual([expect.objectContaining({ surface: 'answer', action: 'block', detections: expect.arrayContaining([expect.objectContaining({ detector: 'policy', rule: 'no-harbour-master' })]) })]);
  });

  it('appends a required disclaimer', async () => {
    const disclaimer = 'This answer is no substitute for the harbour\'s own notices.';
    const { outcome, record, closing } = await answerRun(`  disclaimer: { text: "${disclaimer}" }\n`);
    expect(outcome.status).toBe('approved');
    expect(outcome.result!.answer.endsWith(`\n\n${disclaimer}`)).toBe(true);
    expect(record.result!.answer.endsWith(disclaimer)).toBe(true);
    expect(outcome.result!.answer).toContain(ADDRESS);
    expect(guardEvents([closing])).toEqual([expect.objectContaining({ surface: 'answer', source: 'answer' })]);
  });

  // Was a bug, fixed (kept as a regression test): the closing turn's event for an appended disclaimer should say what happened (a detection such as
  // policy/disclaimer, as the `block`/`flag` disclaimer actions record). Actual: `action: 'redact'` with no detections
  // (policeAnswer maps "changed, nothing detected" to redact), so `baton audit` shows "passed on with parts removed"
  // with no rule, though nothing was removed.
  it('records the appended disclaimer as such on the closing turn', async () => {
    const { closing } = await answerRun('  disclaimer: { text: "Not nautical advice." }\n');
    expect(guardEvents([closing])).toEqual([expect.objectContaining({ surface: 'answer', detections: [expect.objectContaining({ detector: 'policy', rule: 'disclaimer' })] })]);
  });

  it('flags without changing the answer under a flag rule', async () => {
    const { outcome, closing } = await answerRun('  rules:\n    - { name: mentions-master, topic: [master], action: flag }\n');
    expect(outcome.status).toBe('approved');
    expect(outcome.result!.answer).toContain(ADDRESS);
    expect(guardEvents([closing])).toEqual([expect.objectContaining({ surface: 'answer', action: 'flag', detections: expect.arrayContaining([expect.objectContaining({ rule: 'mentions-master' })]) })]);
  });
});
