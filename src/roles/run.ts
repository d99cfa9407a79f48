/**
 * The built-in role kinds. Each builds its typed task and prompt from the state, asks its model for structured output
 * and returns what it produced; the supervisor records the turn and applies the update.
 */
import { z } from 'zod';
import type { Claim, Draft, Finding, RunStateValue, Verdict } from '../graph/state.js';
import { findingsOfRound, verdictsOfRound } from '../graph/state.js';
import type { PlanStep } from './schemas.js';
import { GenericOutput, PlanReply, ResearchOutput, VerdictOutput, type ClaimJudgementOutput, type Objection, type Plan } from './schemas.js';
import { renderPrompt, type RoleContext } from './context.js';
import { checkEvidence, type EvidenceReport } from './evidence.js';
import { checkerTurnOutput } from './checker-output.js';
import { draftObjections } from './draft-check.js';
import { composeDraft } from '../graph/compose.js';
import { policyObjections } from './policy.js';
import { generateStructured, type StructuredResult, type ToolRunner } from './structured.js';
import { UnknownToolError } from '../errors.js';
import { carryToolCalls } from './partial-call.js';
import type { CheckTask, GenericTask, PlanTask, ResearchTask } from './tasks.js';
import type { ToolCallRecord } from '../transcript/schema.js';
import { guardedRunner, screenPassages } from '../guards/tool-results.js';
import type { Telemetry } from '../telemetry/index.js';

/** What one role turn produced. */
export interface RoleOutcome {
  output: unknown;
  call: Omit<StructuredResult<unknown>, 'value'>;
  /** Extra tool calls the role itself made (the researcher's search). */
  toolCalls: ToolCallRecord[];
  /** Domain updates to the run state. */
  plan?: Plan;
  round?: number;
  finding?: Finding;
  sourcesRead?: string[];
  verdict?: Verdict;
  draft?: Draft;
  /** A one-line summary sent to the next role. */
  summary: string;
}

function ask<Output>(context: RoleContext, task: PlanTask | ResearchTask | CheckTask | GenericTask, variables: Record<string, unknown>, schema: z.ZodType<Output>, schemaName: string, tools?: Parameters<typeof generateStructured>[0]['tools']) {
  return generateStructured({
    role: context.stage.name,
    model: context.model,
    request: { task, messages: renderPrompt(context, variables), signal: context.signal, ...(context.onToken ? { onToken: context.onToken } : {}) },
    schema,
    schemaName,
    maxRetries: context.stage.role.config.maxOutputRetries ?? context.limits.maxOutputRetries,
    ...(tools ? { tools, maxToolCalls: context.limits.maxToolCalls } : {}),
    now: context.now,
    ...(context.guard ? { guard: context.guard } : {}),
  });
}

/** A runner whose calls are spans (`execute_tool <name>`): connector operations (`c__op`) are extensions. */
function tracedRunner(runner: ToolRunner, telemetry: Telemetry): ToolRunner {
  return {
    specs: runner.specs,
    run: (call) => telemetry.toolCall({ name: call.name, callId: call.id, type: call.name.includes('__') ? 'extension' : 'function' }, () => runner.run(call), (result) => (result.record.error ? { error: 'tool_error' } : {})),
  };
}

/** A prompt value derived from outside text, spotlighted by the run's guard (unchanged without one). */
function marked(context: RoleContext, source: string, value: unknown): unknown {
  if (!context.guard?.enabled || value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return value;
  return typeof value === 'string' ? context.guard.mark(source, value) : context.guard.markJson(source, value, 2);
}

function strip<Output>(result: StructuredResult<Output>): Omit<StructuredResult<unknown>, 'value'> {
  const { value: _value, ...rest } = result;
  return rest;
}

/** The objections of the gate that rejected the previous round. */
export function previousObjections(state: RunStateValue): Objection[] {
  return verdictsOfRound(state, state.round)
    .filter((verdict) => verdict.decision === 'reject')
    .flatMap((verdict) => verdict.objections);
}

export async function runPlanner(state: RunStateValue, context: RoleContext): Promise<RoleOutcome> {
  const round = state.round + 1;
  const task: PlanTask = {
    kind: 'plan',
    role: context.stage.name,
    goal: state.goal,
    round,
    maxSteps: context.limits.maxSteps,
    previousPlan: state.plan,
    objections: state.plan ? previousObjections(state) : [],
  };
  // The checker's objections quote claims and their quotes (outside text): the planner reads them as marked data. A
  // person's rejection at a human gate is an instruction from the user's side and stays plain.
  const human = task.objections.filter((objection) => objection.kind === 'human');
  const others = task.objections.filter((objection) => objection.kind !== 'human');
  const objections = others.length === 0 || !context.guard?.enabled ? task.objections : human.length === 0 ? marked(context, 'objections', others) : `${JSON.stringify(human, null, 2)}\n${String(marked(context, 'objections', others))}`;
  const result = await ask(context, task, { ...task, objections }, PlanReply, 'plan');
  const plan: Plan = { ...result.value, steps: result.value.steps.slice(0, context.limits.maxSteps) };
  return {
    output: plan,
    call: strip(result),
    toolCalls: [],
    plan,
    round,
    summary: `round ${round} plan: ${plan.steps.map((step) => `${step.id} ${step.question}`).join(' | ')}`,
  };
}

/** What the built-in tools get in a role's turn; every source they read joins `read` (and pages the source cache). */
function toolContextOf(context: RoleContext, read: Set<string>): Parameters<RoleContext['tools']['runner']>[1] {
  return {
    evidence: context.evidence,
    fetchPolicy: context.fetchPolicy,
    ...(context.webSearchUrl ? { webSearchUrl: context.webSearchUrl } : {}),
    signal: context.signal,
    markRead: (source: string, text: string) => {
      read.add(source);
      if (/^https?:/.test(source)) context.sourceCache.set(source, text);
    },
    // With the guard on, the whole result is spotlighted after screening (see guardedRunner), not wrapped twice.
    ...(context.guard?.enabled ? { wrap: (_source: string, text: string) => text } : {}),
  };
}

/**
 * The tools a role's model may call: built-in ones from the registry, connector operations (`connector.operation`)
 * through the run's connectors. One runner, whichever the model calls.
 */
async function roleTools(context: RoleContext, names: readonly string[], toolContext: Parameters<RoleContext['tools']['runner']>[1], read: Set<string>): Promise<ToolRunner | undefined> {
  const builtIn = names.filter((name) => !name.includes('.'));
  const operations = names.filter((name) => name.includes('.'));
  const runners: ToolRunner[] = [];
  if (builtIn.length) runners.push(context.tools.runner(builtIn, toolContext, context.now));
  if (operations.length) {
    if (!context.operationTools) throw new UnknownToolError(operations[0]!, context.tools.names);
    runners.push(await context.operationTools(operations, (source, text) => toolContext.markRead?.(source, text)));
  }
  const runner: ToolRunner | undefined =
    runners.length <= 1
      ? runners[0]
      : {
          specs: runners.flatMap((each) => each.specs),
          run: (call) => (runners.find((each) => each.specs.some((spec) => spec.name === call.name)) ?? runners[runners.length - 1]!).run(call),
        };
  // Every result passes the run's guard (screened, spotlighted) before the model reads it.
  const guarded = runner && context.guard ? guardedRunner(runner, context.guard, { onEvent: (event) => context.meter.events.push(event), read, cache: context.sourceCache, signal: context.signal }) : runner;
  return guarded && context.telemetry ? tracedRunner(guarded, context.telemetry) : guarded;
}

export async function runResearcher(state: RunStateValue, step: PlanStep, context: RoleContext): Promise<RoleOutcome> {
  const limit = context.stage.role.config.search?.limit ?? 6;
  const read = new Set<string>();
  const toolContext = toolContextOf(context, read);
  const started = context.now();
  const search = await context.tools.run('search_docs', { query: step.question, limit }, toolContext);
  const found = search.output as ResearchTask['passages'];
  const passages = context.guard ? await screenPassages(found, context.guard, (event) => context.meter.events.push(event), context.signal) : found;
  // The search marked every passage read; one the guard withheld was never shown, so it cannot be cited.
  for (const source of new Set(found.filter((passage) => !passages.includes(passage)).map((passage) => passage.source))) if (!passages.some((passage) => passage.source === source)) read.delete(source);
  const searchRecord: ToolCallRecord = { name: 'search_docs', arguments: { query: step.question, limit }, resultSummary: search.summary, durationMs: context.now() - started };
  const rejected = rejectedQuotes(state, step);
  const task: ResearchTask = { kind: 'research', role: context.stage.name, goal: state.goal, step, passages, rejected };
  const toolNames = context.model.provider === 'offline' ? [] : (context.stage.role.config.tools ?? []);
  const runner = await roleTools(context, toolNames, toolContext, read);
  // Scores are for ranking only; a model needs the text, where it came from and the chunk id.
  const shown = passages.map((passage) => ({ chunkId: passage.chunkId, source: passage.source, location: passage.location, text: passage.text }));
  const result = await ask(context, task, { goal: state.goal, step, passages: marked(context, 'search_docs', shown), rejected: marked(context, 'rejected', rejected) }, ResearchOutput, 'findings', runner).catch((error: unknown) => {
    throw carryToolCalls(error, [searchRecord]);
  });
  const claims: Claim[] = result.value.claims.map((claim, index) => ({ id: `${step.id}.c${index + 1}`, text: claim.text, citations: claim.citations }));
  const finding: Finding = { stepId: step.id, round: state.round, role: context.stage.name, claims, gaps: result.value.gaps };
  return {
    output: result.value,
    call: strip(result),
    toolCalls: [searchRecord],
    finding,
    sourcesRead: [...read],
    summary: `${step.id}: ${claims.length} claim(s)${finding.gaps.length ? `, gaps: ${finding.gaps.join('; ')}` : ''}`,
  };
}

/** The quotes of this step's claims the checker objected to last round, with its reasons. */
export function rejectedQuotes(state: RunStateValue, step: PlanStep): NonNullable<ResearchTask['rejected']> {
  const previous = state.round - 1;
  if (previous < 1) return [];
  const claims = findingsOfRound(state, previous)
    .filter((finding) => finding.stepId === step.id)
    .flatMap((finding) => finding.claims);
  const rejected: NonNullable<ResearchTask['rejected']> = [];
  for (const objection of verdictsOfRound(state, previous).flatMap((verdict) => verdict.objections)) {
    const claim = claims.find((candidate) => candidate.id === objection.target);
    if (!claim || objection.kind === 'duplication') continue;
    for (const citation of claim.citations) rejected.push({ quote: citation.quote, reason: objection.message });
  }
  return rejected;
}

export async function runChecker(state: RunStateValue, draft: Draft, context: RoleContext): Promise<RoleOutcome> {
  const plan = state.plan!;
  const claims = findingsOfRound(state, state.round).flatMap((finding) => finding.claims);
  const findings = findingsOfRound(state, state.round);
  const evidence = await checkEvidence({
    goal: state.goal,
    plan,
    claims,
    sourcesRead: state.sourcesRead,
    readSource: async (source) => context.sourceCache.get(source) ?? (await context.evidence.read({ source }))?.text,
    ...(context.redact ? { redact: context.redact } : {}),
    checks: context.checks,
    gaps: new Map(findings.map((finding) => [finding.stepId, finding.gaps])),
  });
  const forbid = context.stage.role.config.policy?.forbid ?? [];
  const task: CheckTask = { kind: 'check', role: context.stage.name, goal: state.goal, plan, claims, draft, evidence, forbid };
  // Claims, their quotes and the draft derive from outside text: the checker reads them as marked data.
  const result = await ask(context, task, { goal: state.goal, plan, claims: marked(context, 'claims', claims), draft: marked(context, 'draft', draft.text), evidence: marked(context, 'evidence', evidence), forbid }, VerdictOutput, 'verdict');
  // The model adds judgement; it cannot overrule a failed evidence or policy check.
  const composed = composeDraft(plan, findings);
  // A draft a role rewrote is what the user reads: it is checked against the quotes of the citations it keeps.
  const edited = draft.author !== 'supervisor' ? draftObjections(draft.text, plan, composed.citations, context.checks) : [];
  const enforced = [...evidence.objections, ...markerObjections(draft.text, composed.citations.length), ...edited, ...policyObjections(draft.text, forbid)];
  // It may reject what the checks pass: a claim it judges unsupported or irrelevant is an objection, whatever it decided.
  const judged = judgementObjections(result.value.claims, claims, plan, evidence);
  const objections = dedupeObjections([...enforced, ...judged, ...result.value.objections]);
  // A model that approves while it lists objections has not approved: its objections stand.
  const decision = result.value.decision === 'approve' && enforced.length === 0 && judged.length === 0 && result.value.objections.length === 0 ? 'approve' : 'reject';
  const verdict: Verdict = {
    role: context.stage.name,
    round: state.round,
    decision,
    objections: decision === 'approve' ? [] : objections,
    ...(result.value.feedback ? { feedback: result.value.feedback } : {}),
  };
  return {
    // The record shows what the run acted on (the effective verdict), beside what the model said and what the checks found.
    output: checkerTurnOutput({ model: result.value, enforced, effective: verdict }),
    call: strip(result),
    toolCalls: [],
    verdict,
    summary: decision === 'approve' ? `approve: ${verdict.feedback ?? 'verified'}` : `reject: ${verdict.objections.map((objection) => objection.message).join(' | ')}`,
  };
}

/**
 * The objections a checker model's per-claim judgements raise: one for each claim it judges unsupported or irrelevant,
 * and a step objection when that leaves a step with no claim that passes both the checks and the model. Claim ids are
 * read liberally (`S1.C2`, or `c2` when only one claim ends so); judgements of unknown claims are ignored.
 */
export function judgementObjections(judgements: readonly ClaimJudgementOutput[], claims: readonly Claim[], plan: Plan, evidence: EvidenceReport): Objection[] {
  const objections: Objection[] = [];
  const rejected = new Set<string>();
  for (const judgement of judgements) {
    const claim = resolveClaimId(judgement.id, claims);
    if (!claim) {
      // A judgement against a claim that cannot be found still counts against approval: failing open would let a
      // model that misspells an id approve what it judged unsupported.
      if (!judgement.supported || !judgement.relevant) {
        objections.push({ kind: 'judgement', message: `the checker judged "${judgement.id}" ${judgement.supported ? 'irrelevant' : 'unsupported'}, and no claim has that id (claims: ${claims.map((candidate) => candidate.id).join(', ') || 'none'})` });
      }
      continue;
    }
    const reason = judgement.reason?.trim() ? `: ${judgement.reason.trim()}` : '';
    if (!judgement.supported) objections.push({ kind: 'support', target: claim.id, message: `the checker judges claim ${claim.id} not supported by its quotes${reason}` });
    if (!judgement.relevant) objections.push({ kind: 'relevance', target: claim.id, message: `the checker judges claim ${claim.id} not an answer to its step's question${reason}` });
    if (!judgement.supported || !judgement.relevant) rejected.add(claim.id);
  }
  if (rejected.size === 0) return objections;
  for (const step of plan.steps) {
    if (evidence.unsupportedSteps.includes(step.id)) continue;
    const stepClaims = claims.filter((claim) => claim.id.startsWith(`${step.id}.`));
    if (stepClaims.length > 0 && stepClaims.every((claim) => rejected.has(claim.id) || !evidence.supportedClaims.includes(claim.id))) {
      objections.push({ kind: 'step-unsupported', target: step.id, message: `plan step ${step.id} has no claim the checker judges supported and relevant` });
    }
  }
  return objections;
}

function resolveClaimId(given: string, claims: readonly Claim[]): Claim | undefined {
  const wanted = given.trim().toLowerCase();
  const exact = claims.find((claim) => claim.id.toLowerCase() === wanted);
  if (exact) return exact;
  // "claim s1.c2", "s1c2", "s1-c2", "S1 / C2": the step and claim numbers as written.
  const spelled = /s\s*(\d+)\s*[^a-z0-9]*\s*c\s*(\d+)/.exec(wanted);
  if (spelled) return claims.find((claim) => claim.id.toLowerCase() === `s${spelled[1]}.c${spelled[2]}`);
  const bySuffix = claims.filter((claim) => claim.id.toLowerCase().endsWith(`.${wanted}`));
  return bySuffix.length === 1 ? bySuffix[0] : undefined;
}

/**
 * A draft rewritten by a role (an editor) must not point at citations that do not exist: every `[n]` marker must be
 * one of the round's numbered citations.
 */
export function markerObjections(text: string, citations: number): Objection[] {
  const unknown = [...new Set([...text.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1])).filter((marker) => marker < 1 || marker > citations))];
  return unknown.map((marker) => ({
    kind: 'unsupported-claim' as const,
    message: `the draft cites [${marker}], but the round's claims have ${citations} citation(s)`,
  }));
}

function dedupeObjections(objections: Objection[]): Objection[] {
  const seen = new Set<string>();
  return objections.filter((objection) => {
    const key = `${objection.kind}|${objection.target ?? ''}|${objection.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function runGeneric(state: RunStateValue, draft: Draft | null, context: RoleContext): Promise<RoleOutcome> {
  const config = context.stage.role.config;
  const writesDraft = config.writes === 'draft';
  const task: GenericTask = {
    kind: 'generic',
    role: context.stage.name,
    goal: state.goal,
    plan: state.plan,
    findings: findingsOfRound(state, state.round),
    draft,
    verdicts: state.verdicts,
    writesDraft,
  };
  const schema: z.ZodType<unknown> = config.output ? z.fromJSONSchema(config.output as Parameters<typeof z.fromJSONSchema>[0]) : GenericOutput;
  const read = new Set<string>();
  const toolContext = toolContextOf(context, read);
  const toolNames = context.model.provider === 'offline' ? [] : (config.tools ?? []);
  const runner = await roleTools(context, toolNames, toolContext, read);
  // What earlier stages produced (findings, the draft, actions' records) derives from outside text: marked as data.
  const variables = { ...task, plan: marked(context, 'plan', task.plan), verdicts: marked(context, 'verdicts', task.verdicts), findings: marked(context, 'findings', task.findings), draft: draft ? marked(context, 'draft', draft.text) : null, round: state.round, outputs: marked(context, 'outputs', state.outputs ?? {}) };
  const result = await ask(context, task, variables, schema, `${context.stage.name}_output`, runner);
  const output = result.value as Record<string, unknown>;
  const newDraft = writesDraft && typeof output['draft'] === 'string' ? { round: state.round, text: output['draft'], author: context.stage.name } : undefined;
  const message = typeof output['message'] === 'string' ? output['message'] : JSON.stringify(output).slice(0, 200);
  return { output, call: strip(result), toolCalls: [], ...(newDraft ? { draft: newDraft } : {}), ...(read.size ? { sourcesRead: [...read] } : {}), summary: message };
}
