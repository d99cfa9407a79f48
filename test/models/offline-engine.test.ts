/**
 * The offline engine never produces output its own schemas reject. Property-style: the planner, researcher and checker
 * run over a varied set of goals (one letter, 1-2 letter acronyms, numbers, punctuation, emoji, CJK, Unicode line
 * separators, and these joined in many ways) through a first round and a revision, and every reply is validated
 * against the role's schema as the runtime reads it.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Claim } from '../../src/graph/state.js';
import type { Passage } from '../../src/knowledge/types.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import { splitGoal } from '../../src/models/offline/planner.js';
import { checkEvidence } from '../../src/roles/evidence.js';
import { Plan, PlanReply, ResearchOutput, VerdictOutput, type Objection } from '../../src/roles/schemas.js';
import { describeIssue } from '../../src/roles/structured.js';
import type { RoleTask } from '../../src/roles/tasks.js';

const SOURCE = 'kb/languages.md';
const SOURCE_TEXT = [
  'Go is a programming language designed at Google in 2007.',
  'C is a systems programming language from Bell Labs.',
  'R is a language and environment for statistical computing.',
  'The number 42 is the answer in a well known novel by Douglas Adams.',
  'Baton is an orchestration runtime that plans, researches and checks answers.',
  '日本語 は 日本 で 話される 言語 です 。',
].join(' ');
const PASSAGES: Passage[] = [{ chunkId: 'c1', source: SOURCE, location: { startLine: 1, endLine: 1 }, text: SOURCE_TEXT, score: 1 }];

const SHORT_PARTS = ['Go', 'C', 'R', 'x', 'AI', '42', '3.14', '?', '...', '-', '😀', '🚀🚀', '日本語', '什么是Go？', 'π', 'What is Go?', 'What is C', 'Is R good?'];
const SEPARATORS = [' ', '. ', '? ', '\n', '\u2028', '\u2029', ', and what is ', ' and ', '; ', '\n\n'];
const FIXED_GOALS = [
  'What is Go?',
  'What is Baton?\u2028Go',
  'Go\u2029What is Baton?',
  'a\u2028b',
  'Go. C. R.',
  'Go\nC\nR',
  'What is C? And R?',
  'What is Go, and what is C?',
  '1. 2. 3.',
  '?!.;',
  '😀 What is 😀?',
  '日本語とは何ですか',
  '什么是Go？它如何工作？',
  '\u00a0x\u00a0',
  Array.from({ length: 20 }, (_, index) => `What is topic number ${index + 1}?`).join(' '),
];

/** Every part alone, and every pair of parts joined by every separator: a deterministic property sweep. */
function goals(): string[] {
  const generated = new Set(FIXED_GOALS);
  for (const part of SHORT_PARTS) generated.add(part);
  for (const [index, left] of SHORT_PARTS.entries()) {
    const right = SHORT_PARTS[(index * 7 + 3) % SHORT_PARTS.length]!;
    for (const separator of SEPARATORS) generated.add(`${left}${separator}${right}`);
  }
  return [...generated];
}

const model = new OfflineModel();

/** The offline reply to a task, validated by `schema` the way the runtime reads it; a failure names goal and problem. */
async function reply<Output>(schema: z.ZodType<Output>, task: RoleTask, goal: string): Promise<Output> {
  const response = await model.generate({ task, messages: [] });
  const parsed = schema.safeParse(JSON.parse(response.text), { reportInput: true });
  if (!parsed.success) {
    expect.fail(`goal ${JSON.stringify(goal)}, ${task.kind}: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  return parsed.data;
}

/** One round: plan (or revise), research every step, check. Returns the plan and the checker's objections. */
async function round(goal: string, number: number, maxSteps: number, previousPlan: Plan | null, objections: Objection[]) {
  const planTask: RoleTask = { kind: 'plan', role: 'planner', goal, round: number, maxSteps, previousPlan, objections };
  const plan = await reply(PlanReply, planTask, goal);
  // The plan as the offline engine sent it, ids included, also satisfies the stored Plan schema.
  await reply(Plan, planTask, goal);
  expect(plan.steps.length).toBeLessThanOrEqual(maxSteps);
  const claims: Claim[] = [];
  for (const step of plan.steps) {
    const research = await reply(ResearchOutput, { kind: 'research', role: 'researcher', goal, step, passages: PASSAGES }, goal);
    research.claims.forEach((claim, index) => claims.push({ id: `${step.id}.c${index + 1}`, ...claim }));
  }
  const evidence = await checkEvidence({ plan, claims, sourcesRead: [SOURCE], readSource: async (source) => (source === SOURCE ? SOURCE_TEXT : undefined) });
  const draft = { round: number, text: claims.map((claim) => claim.text).join('\n') || 'no findings', author: 'supervisor' };
  const verdict = await reply(VerdictOutput, { kind: 'check', role: 'checker', goal, plan, claims, draft, evidence, forbid: [] }, goal);
  return { plan, objections: verdict.objections };
}

describe('the offline engine satisfies its own schemas', () => {
  it('plans, researches, checks and revises any goal with output every role schema accepts', async () => {
    const all = goals();
    expect(all.length).toBeGreaterThan(150);
    for (const goal of all) {
      for (const maxSteps of [1, 5, 12]) {
        const first = await round(goal, 1, maxSteps, null, []);
        // Every step rejected, so every question is revised where it can be.
        const rejected: Objection[] = first.plan.steps.map((step) => ({ kind: 'step-unsupported', target: step.id, message: `plan step ${step.id} has no supported claim` }));
        await round(goal, 2, maxSteps, first.plan, [...first.objections, ...rejected]);
      }
    }
  });

  it('keeps a one-keyword question whole instead of broadening it below the minimum length', async () => {
    const first = await round('What is Go?', 1, 5, null, []);
    const objections: Objection[] = [{ kind: 'step-unsupported', target: 's1', message: 'plan step s1 has no supported claim' }];
    const second = await round('What is Go?', 2, 5, first.plan, objections);
    expect(second.plan.steps.map((step) => step.question)).toEqual(['What is Go?']);
  });

  it('treats U+2028 and U+2029 as line breaks, and joins fragments too short to be a question to their neighbour', () => {
    expect(splitGoal('What is Baton?\u2028What is Go?')).toEqual(['What is Baton?', 'What is Go?']);
    expect(splitGoal('What is Baton\u2029How does it check answers')).toEqual(['What is Baton?', 'How does it check answers?']);
    expect(splitGoal('What is Baton?\u2028Go')).toEqual(['What is Baton? Go?']);
    expect(splitGoal('Go\nWhat is Baton?')).toEqual(['Go What is Baton?']);
  });
});
