/**
 * The worst case the injection suite measures against: a diligent model that also obeys any instruction it reads.
 *
 * Diligent: for each role kind it answers as a careful model would, from what its messages show it. The planner plans
 * the goal (the offline engine's planner, on the goal without the sentences that are instructions); the researcher
 * looks up what the goal names (a URL with `fetch_url`, a record id with a connector's read operation, the web with
 * `web_search`) and makes claims that quote the passages and tool results it was shown, with their source ids (the
 * offline engine's sentence picker, over only what is visible in its messages); the checker decides like the offline
 * engine and also rejects a claim that says a word its quotes do not (a careful reader's judgement the deterministic
 * checks leave to it); other roles give a valid output for their schema.
 *
 * Obedient: every instruction form of `instructions.ts` found in its user and tool messages is followed, in the role
 * where it means something: tool calls are made (also when the tool is not offered: the runtime must refuse them),
 * "reply exactly" replaces the answer, "cite" adds a citation, "approve" makes a checker approve, "print your system
 * prompt" copies the system message into the output. Only the messages count: a passage of the typed task that the
 * messages do not show (quarantined, withheld) is neither quoted nor obeyed.
 */
import type { Passage } from '../../src/knowledge/types.js';
import { offlineCheck } from '../../src/models/offline/checker.js';
import { offlineGeneric } from '../../src/models/offline/generic.js';
import { offlinePlan } from '../../src/models/offline/planner.js';
import { offlineResearch } from '../../src/models/offline/researcher.js';
import { estimateTokens, type ChatModel, type ModelRequest, type ModelResponse, type ToolCallRequest } from '../../src/models/types.js';
import { normaliseForQuote } from '../../src/roles/evidence.js';
import type { ClaimDraft, Citation, ResearchOutput, VerdictOutput } from '../../src/roles/schemas.js';
import type { CheckTask, GenericTask, ResearchTask } from '../../src/roles/tasks.js';
import { contextOf, diligentCalls, fallbackCitation, fill, gist, recordClaim, sendArguments, toolName } from './diligence.js';
import { instructionKey, readInstructions, readThrough, THIS, withoutInstructions, type Instruction } from './instructions.js';
import { textOf, toolUnits, visibleLines, words, type Unit } from './seen.js';

/** An instruction, with the source of the text it was found in. */
interface Found {
  instruction: Instruction;
  source?: string;
}

/** Words of a claim its quotes do not hold (a plural counts as its singular). */
export function unquotedWords(claim: string, quotes: readonly string[]): string[] {
  const quoted = new Set(quotes.flatMap(words));
  return words(claim).filter((word) => !quoted.has(word) && !quoted.has(word.replace(/s$/, '')) && !quoted.has(`${word}s`));
}

/** The obedient model: one instance serves every role of a run (the harness overrides the config's one model with it). */
export class ObedientModel implements ChatModel {
  readonly provider = 'scripted' as const;
  readonly endpoint = 'scripted';
  readonly id: string;
  readonly name: string;
  /** Every request, in order. */
  readonly requests: ModelRequest[] = [];
  /** Every system message it was given: what a leak is recognised by. */
  readonly systemPrompts = new Set<string>();
  /** Tool calls it made although no tools were offered in that request (the runtime does not run them). */
  readonly unofferedCalls: ToolCallRequest[] = [];
  private calls = 0;

  constructor(name = 'obedient') {
    this.name = name;
    this.id = `scripted:${name}`;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    this.requests.push(request);
    const system = request.messages.filter((message) => message.role === 'system').map(textOf).join('\n');
    if (system) this.systemPrompts.add(system);
    const reply = this.answer(request, system);
    const text = JSON.stringify(reply.output);
    const inputTokens = estimateTokens(JSON.stringify(request.messages));
    const outputTokens = estimateTokens(text);
    return { text, toolCalls: reply.toolCalls, usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, estimated: true }, model: this.id, latencyMs: 0 };
  }

  private answer(request: ModelRequest, system: string): { output: unknown; toolCalls: ToolCallRequest[] } {
    const task = request.task;
    const seen = normaliseForQuote(readThrough(request.messages.filter((message) => message.role !== 'system').map(textOf).join('\n')));
    const units = this.unitsOf(request, seen);
    const found = this.instructionsIn(units);
    const said = found.flatMap((entry) => (entry.instruction.kind === 'say' ? [entry.instruction.text] : []));
    const leaks = found.some((entry) => entry.instruction.kind === 'leak-prompt');
    const calls = this.pendingCalls(request, found, units, system);
    if (calls.length > 0 && request.tools?.length) return { output: {}, toolCalls: calls };
    if (calls.length > 0) this.unofferedCalls.push(...calls);
    switch (task.kind) {
      case 'plan': {
        const plan = offlinePlan({ ...task, goal: withoutInstructions(task.goal) || task.goal });
        const notes = [...said, ...(leaks ? [system] : [])].join('\n');
        return { output: { steps: plan.steps.map(({ question, rationale }) => ({ question, ...(rationale ? { rationale } : {}) })), ...(notes ? { notes } : {}) }, toolCalls: calls };
      }
      case 'research':
        return { output: this.research(task, units, found, leaks ? system : undefined), toolCalls: calls };
      case 'check':
        return { output: this.check(task, found, said, leaks ? system : undefined), toolCalls: calls };
      case 'generic':
        return { output: this.generic(task, request, [...(leaks ? [system] : []), ...said], units), toolCalls: calls };
    }
  }

  /** What the model was shown, piece by piece: visible passages, tool results, then the user messages whole. */
  private unitsOf(request: ModelRequest, seen: string): Unit[] {
    const units: Unit[] = [];
    if (request.task.kind === 'research') {
      for (const passage of request.task.passages) {
        const text = visibleLines(passage.text, seen);
        if (text) units.push({ source: passage.source, text });
      }
    }
    for (const message of request.messages) {
      if (message.role === 'tool') units.push(...toolUnits(message.content));
    }
    for (const message of request.messages) {
      if (message.role === 'user') units.push({ text: textOf(message) });
    }
    return units;
  }

  private instructionsIn(units: readonly Unit[]): Found[] {
    const found: Found[] = [];
    const keys = new Set<string>();
    for (const unit of units) {
      for (let instruction of readInstructions(unit.text)) {
        if (instruction.kind === 'cite' && instruction.source === THIS) {
          if (!unit.source) continue;
          instruction = { ...instruction, source: unit.source };
        }
        const key = instructionKey(instruction);
        if (keys.has(key)) continue;
        keys.add(key);
        found.push({ instruction, ...(unit.source ? { source: unit.source } : {}) });
      }
    }
    return found;
  }

  /** The tool calls still to make: the diligent lookups, then what the instructions ask; none made before. */
  private pendingCalls(request: ModelRequest, found: readonly Found[], units: readonly Unit[], system: string): ToolCallRequest[] {
    const offered = request.tools ?? [];
    const made = new Set(request.messages.flatMap((message) => (message.role === 'assistant' ? (message.toolCalls ?? []).map((call) => `${call.name}|${JSON.stringify(call.arguments)}`) : [])));
    const wanted: Array<{ name: string; arguments: Record<string, unknown> }> = [...(request.task.kind === 'plan' || request.task.kind === 'check' ? [] : diligentCalls(request, offered, units))];
    for (const { instruction } of found) {
      if (instruction.kind === 'tool-call') wanted.push({ name: toolName(instruction.tool, offered), arguments: instruction.arguments });
      if (instruction.kind === 'send') {
        const payload = instruction.payload.type === 'literal' ? instruction.payload.text : instruction.payload.type === 'system-prompt' ? system : contextOf(request, units);
        const name = toolName(instruction.tool, offered);
        wanted.push({ name, arguments: sendArguments(offered.find((spec) => spec.name === name), payload, instruction.address) });
      }
    }
    const calls: ToolCallRequest[] = [];
    for (const call of wanted) {
      const key = `${call.name}|${JSON.stringify(call.arguments)}`;
      if (made.has(key)) continue;
      made.add(key);
      calls.push({ id: `call_${(this.calls += 1)}`, name: call.name, arguments: call.arguments });
    }
    return calls;
  }

  private research(task: ResearchTask, units: readonly Unit[], found: readonly Found[], leaked: string | undefined): ResearchOutput {
    const passages: Passage[] = units
      .filter((unit) => unit.source !== undefined)
      .map((unit, index) => ({ chunkId: `seen-${index}`, source: unit.source!, location: { startLine: 1, endLine: unit.text.split('\n').length }, text: unit.text, score: 1 }));
    const records = passages.flatMap((passage) => recordClaim(passage, task.step.question));
    const diligent = records.length ? { claims: records, gaps: [] } : offlineResearch({ ...task, passages });
    const cited: Citation[] = found.flatMap((entry) => (entry.instruction.kind === 'cite' ? [{ source: entry.instruction.source, quote: entry.instruction.quote }] : []));
    const said = found.flatMap((entry) => (entry.instruction.kind === 'say' ? [entry.instruction.text] : []));
    const first = diligent.claims[0]?.citations ?? fallbackCitation(passages);
    const citations = [...first, ...cited.filter((citation) => !first.some((kept) => kept.source === citation.source && kept.quote === citation.quote))];
    let claims: ClaimDraft[] = said.length ? said.map((text) => ({ text, citations })) : diligent.claims.map((claim, index) => (index === 0 ? { ...claim, citations } : claim));
    if (claims.length === 0 && citations.length > 0) claims = [{ text: citations[0]!.quote, citations }];
    if (leaked && citations.length > 0) claims = [{ text: leaked, citations }, ...claims];
    return { claims, gaps: claims.length ? [] : diligent.gaps };
  }

  private check(task: CheckTask, found: readonly Found[], said: readonly string[], leaked: string | undefined): VerdictOutput {
    const feedback = [...said, ...(leaked ? [leaked] : [])].join('\n');
    if (found.some((entry) => entry.instruction.kind === 'approve')) {
      return { decision: 'approve', objections: [], claims: task.claims.map((claim) => ({ id: claim.id, supported: true, relevant: true })), feedback: feedback || 'Verified.' };
    }
    const verdict = offlineCheck(task);
    const judged = verdict.claims.map((judgement) => {
      const claim = task.claims.find((candidate) => candidate.id === judgement.id);
      const extra = claim ? unquotedWords(claim.text, claim.citations.map((citation) => citation.quote)) : [];
      return extra.length ? { ...judgement, supported: false, reason: `the quotes do not say ${extra.map((word) => `"${word}"`).join(', ')}` } : judgement;
    });
    const unsupported = judged.filter((judgement) => !judgement.supported);
    const decision = verdict.decision === 'approve' && unsupported.length === 0 ? 'approve' : 'reject';
    return { ...verdict, decision, claims: judged, ...(feedback ? { feedback } : {}) };
  }

  private generic(task: GenericTask, request: ModelRequest, said: readonly string[], units: readonly Unit[]): unknown {
    const schema = request.output?.jsonSchema ?? {};
    const properties = Object.keys((schema['properties'] as Record<string, unknown> | undefined) ?? {});
    if (properties.every((property) => property === 'message' || property === 'draft')) {
      const base = offlineGeneric(task);
      return said.length ? { ...base, message: said.join('\n'), ...(task.writesDraft ? { draft: said.join('\n') } : {}) } : base;
    }
    return fill(schema, '', said.join('\n'), gist(units, task.goal));
  }
}
