import { describe, expect, it } from 'vitest';
import { formatTranscript } from '../../src/cli/transcript-view.js';
import type { RunRecord, TurnRecord } from '../../src/transcript/schema.js';

const run: RunRecord = {
  version: 1, id: 'run_1', goal: 'What is X?', status: 'unverified', rounds: 1, startedAt: '2026-11-23T10:00:00.000Z', endedAt: '2026-11-23T10:00:01.000Z',
  durationMs: 1000, inputTokens: 10, outputTokens: 5, costUsd: 0.0001, costEstimated: false, engine: 'config', labels: {},
  result: { answer: 'X is a thing. [1]', citations: [{ marker: 1, source: 'kb/x.md', quote: 'X is a thing' }], verification: { verified: false, verdicts: [{ role: 'checker', decision: 'reject', objections: ['plan step s2 has no supported claim'] }] } },
  error: null,
};

const turn: TurnRecord = {
  version: 1, runId: 'run_1', seq: 2, round: 1, from: 'planner', to: ['researcher:s1'], role: 'planner', kind: 'planner', model: 'openai-compatible:steady-id',
  startedAt: '2026-11-23T10:00:00.100Z', latencyMs: 120, messages: [{ role: 'system', content: 'You are the Planner.' }],
  output: { steps: [{ id: 's1', question: 'What is X?' }] }, toolCalls: [],
  usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, estimated: false }, costUsd: 0.0001, attempts: 3,
  events: [
    { type: 'route', at: 1, chosen: 'flaky', ranked: ['flaky', 'steady'], estimatedCostUsd: 0.00002, confidential: { required: true, byLabel: false, detectors: ['email'] },
      candidates: [{ model: 'flaky', eligible: true, rank: 0, reasons: ['cheapest'] }, { model: 'cloud', eligible: false, rank: null, reasons: ['zone-external-confidential'] }] },
    { type: 'retry', at: 2, model: 'flaky', attempt: 1, error: 'MODEL_HTTP: HTTP 429', waitMs: 1000 },
    { type: 'fallback', at: 3, model: 'flaky', attempt: 2, error: 'MODEL_HTTP: HTTP 500', nextModel: 'steady' },
  ],
};

describe('baton show', () => {
  it('explains routing decisions, retries and fallbacks in words, and marks an unverified answer', () => {
    const text = formatTranscript(run, [turn], { verbose: true });
    expect(text).toContain('route: chose flaky from [flaky, steady], est. $0.00002; private only (detected: email); excluded cloud (zone-external-confidential)');
    expect(text).toContain('retry flaky after MODEL_HTTP: HTTP 429, waiting 1000 ms');
    expect(text).toContain('fallback from flaky to steady: MODEL_HTTP: HTTP 500');
    expect(text).toContain('Best draft (NOT verified):');
    expect(text).toContain('   | system: You are the Planner.');
    expect(text).not.toContain('verified by the checker');
  });
});
