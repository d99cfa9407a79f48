/**
 * The offline planner asks one step per question of the goal: it splits only where the goal holds several questions
 * (sentences or lines that each ask, or a wh-clause after ", and" / "and" / ";" when both sides are whole questions),
 * and keeps a single question whole. A revision keeps the questions whole too.
 */
import { describe, expect, it } from 'vitest';
import { offlinePlan, splitGoal } from '../../src/models/offline/planner.js';
import { Plan, type Objection } from '../../src/roles/schemas.js';

describe('offline planner: one step per question', () => {
  it('keeps a single question whole, whatever "and" it holds', () => {
    for (const goal of [
      'How do I drop redacted keys from the log output and keep the rest?',
      'How do I drop redacted keys and is there a default?',
      'What is pino and does it support redaction?',
      'Which keys are redacted and can I change the censor?',
    ]) {
      expect(splitGoal(goal), goal).toEqual([goal]);
    }
  });

  it('splits a goal that asks two questions joined by ", and what"', () => {
    expect(splitGoal('What does a lighthouse warn ships about, and what does the Fresnel lens do?')).toEqual([
      'What does a lighthouse warn ships about?',
      'What does the Fresnel lens do?',
    ]);
    expect(splitGoal('What is the timeout; what is the retry limit?')).toEqual(['What is the timeout?', 'What is the retry limit?']);
  });

  it('does not split off a second clause that leans on the first or asks nothing of its own', () => {
    // "it" is the Eddystone Lighthouse: "When was it built?" alone would search for nothing.
    expect(splitGoal('What is the Eddystone Lighthouse and when was it built?')).toEqual(['What is the Eddystone Lighthouse and when was it built?']);
    expect(splitGoal('Explain what Baton is and how it works')).toEqual(['Explain what Baton is and how it works?']);
    expect(splitGoal('What is the default and why?')).toEqual(['What is the default and why?']);
  });

  it('splits sentences and lines that each ask, and keeps a statement with the question it belongs to', () => {
    expect(splitGoal('What is Baton? How does its checker decide?')).toEqual(['What is Baton?', 'How does its checker decide?']);
    expect(splitGoal('I log with pino. How do I drop redacted keys?')).toEqual(['I log with pino. How do I drop redacted keys?']);
    expect(splitGoal('How do I drop redacted keys? I log with pino.')).toEqual(['How do I drop redacted keys? I log with pino.']);
    expect(splitGoal('- lighthouse history\n- Fresnel lens')).toEqual(['Lighthouse history', 'Fresnel lens']);
  });

  it('plans the goal as one step when it asks one question', () => {
    const plan = Plan.parse(offlinePlan({ kind: 'plan', role: 'planner', goal: 'How do I drop redacted keys from the log output and keep the rest?', round: 1, maxSteps: 5, previousPlan: null, objections: [] }));
    expect(plan.steps).toEqual([{ id: 's1', question: 'How do I drop redacted keys from the log output and keep the rest?', rationale: 'the goal as one question' }]);
  });
});

describe('offline planner: revision', () => {
  const rejected = (target: string): Objection => ({ kind: 'step-unsupported', target, message: `plan step ${target} has no supported claim` });

  it('keeps a rejected question whole instead of reducing it to keywords', () => {
    const previousPlan: Plan = { steps: [{ id: 's1', question: 'How do I drop redacted keys from the log output?' }] };
    const plan = Plan.parse(
      offlinePlan({ kind: 'plan', role: 'planner', goal: 'How do I drop redacted keys from the log output?', round: 2, maxSteps: 5, previousPlan, objections: [rejected('s1')] }),
    );
    expect(plan.steps.map((step) => step.question)).toEqual(['How do I drop redacted keys from the log output?']);
    expect(plan.steps[0]!.rationale).toMatch(/^kept in round 2/);
  });

  it('adds to a rejected question the goal terms no step asked about, and leaves accepted steps alone', () => {
    const goal = 'What does a lighthouse warn ships about, and what does the Fresnel lens do? Mention the Eddystone rocks.';
    // A plan made elsewhere (a model) that left "Eddystone" out.
    const previousPlan: Plan = {
      steps: [
        { id: 's1', question: 'What does a lighthouse warn ships about?' },
        { id: 's2', question: 'What does the Fresnel lens do?' },
      ],
    };
    const plan = Plan.parse(offlinePlan({ kind: 'plan', role: 'planner', goal, round: 2, maxSteps: 5, previousPlan, objections: [rejected('s1')] }));
    expect(plan.steps.map((step) => step.question)).toEqual(['What does a lighthouse warn ships about? (Mention, Eddystone, rocks)', 'What does the Fresnel lens do?']);
  });

  it('treats a relevance objection on a claim as a rejection of its step', () => {
    const goal = 'What does a lighthouse warn ships about? Name the rocks.';
    const previousPlan: Plan = { steps: [{ id: 's1', question: 'What does a lighthouse warn ships about?' }] };
    const objections: Objection[] = [{ kind: 'relevance', target: 's1.c1', message: 'claim s1.c1 does not address its step' }];
    const plan = Plan.parse(offlinePlan({ kind: 'plan', role: 'planner', goal, round: 2, maxSteps: 5, previousPlan, objections }));
    expect(plan.steps[0]!.question).toBe('What does a lighthouse warn ships about? (Name, rocks)');
  });
});
