/**
 * The flow of a project, resolved from its config entries: each stage with its role, prompt and model needs, human
 * gates, action stages and parallel groups, and the checks of the whole roster (a checker gate, a planner before what
 * needs a plan, where a rejection loops back to).
 */
import { FlowError, RoleError, UnknownModelError, type SourceLocation } from '../errors.js';
import type { LoadedConnector } from '../connectors/load.js';
import type { RouteNeeds } from '../routing/needs.js';
import { requiredCapabilities, validateRoleNeeds } from '../routing/router.js';
import { actionStage, isActionStage, isParallelStage, unknownOperation } from './action-stage.js';
import type { Stage } from './load.js';
import { OFFLINE_MODEL_NAME, offlineModelSpec, type ModelSpec } from './models.js';
import { loadPrompt } from './prompts.js';
import { RoleConfig, type LoadedRole } from './roles.js';
import type { ActionStage, FlowStage, HumanGateStage, ParallelStage } from './schema.js';

function humanStage(entry: HumanGateStage, index: number, file: string): Stage {
  const prompt =
    entry.prompt ?? (entry.review === 'plan' ? 'Approve this plan, or reject it with the reason it must change.' : 'Approve this draft answer, or reject it with the reason it must change.');
  return {
    index,
    at: ['flow', index],
    name: entry.human,
    kind: 'human',
    human: { review: entry.review, prompt },
    role: { config: RoleConfig.parse({ name: entry.human, kind: 'generic', description: `human gate (${entry.review})` }), file },
    prompt: { name: entry.human, file, variables: [], system: '', user: prompt },
    model: undefined,
    needs: { role: entry.human },
    concurrency: 1,
  };
}

function stageOptions(stage: Exclude<FlowStage, HumanGateStage | ActionStage | ParallelStage>): { role: string; concurrency?: number; onReject?: string } {
  return typeof stage === 'string' ? { role: stage } : stage;
}

function isHumanGate(stage: FlowStage): stage is HumanGateStage {
  return typeof stage === 'object' && 'human' in stage;
}

export function resolveFlow(
  flow: readonly FlowStage[],
  roles: Map<string, LoadedRole>,
  promptFolders: readonly string[],
  modelContext: { models: ModelSpec[]; defaultModel: string; offline: boolean; defaultNeeds?: RouteNeeds | undefined },
  locate: (fieldPath: Array<string | number>) => SourceLocation,
  connectors: ReadonlyMap<string, LoadedConnector>,
): Stage[] {
  const seen = new Set<string>();
  const stages: Stage[] = [];
  const needModel: Array<{ role: string; needs: string; file: string }> = [];
  /** One stage from its flow entry; `at` is the entry's field path (`flow[3]`, or `flow[3].parallel[1]` in a group). */
  const resolveEntry = (entry: Exclude<FlowStage, ParallelStage>, at: Array<string | number>): Stage => {
    const index = stages.length;
    if (isActionStage(entry)) {
      if (seen.has(entry.action) || roles.has(entry.action)) {
        throw new FlowError(`the action "${entry.action}" has the name of ${seen.has(entry.action) ? 'another stage' : 'a role'}; give it a name of its own`, [locate([...at, 'action'])]);
      }
      seen.add(entry.action);
      return { ...actionStage(entry, index, locate(at).file, connectors, (path) => locate([...at, ...path.slice(2)])), at };
    }
    if (isHumanGate(entry)) {
      if (seen.has(entry.human) || roles.has(entry.human)) {
        throw new FlowError(`the human gate "${entry.human}" has the name of ${seen.has(entry.human) ? 'another stage' : 'a role'}; give it a name of its own`, [locate([...at, 'human'])]);
      }
      seen.add(entry.human);
      return { ...humanStage(entry, index, locate(at).file), at };
    }
    const options = stageOptions(entry);
    const fieldPath = typeof entry === 'string' ? at : [...at, 'role'];
    const role = roles.get(options.role);
    if (!role) {
      throw new FlowError(`unknown role "${options.role}"; available roles: ${[...roles.keys()].join(', ')}`, [locate(fieldPath)], {
        hint: `add agents/${options.role}.yaml and prompts/${options.role}.md, or fix the name`,
      });
    }
    if (seen.has(options.role)) throw new FlowError(`role "${options.role}" appears twice in the flow; each role runs once per round`, [locate(fieldPath)]);
    seen.add(options.role);
    const kind = role.config.kind;
    if (options.concurrency !== undefined && kind !== 'researcher') {
      throw new FlowError(`"concurrency" applies to researcher stages only, and "${options.role}" is a ${kind}`, [locate([...at, 'concurrency'])]);
    }
    if (options.onReject !== undefined && kind !== 'checker') {
      throw new FlowError(`only a checker gate may loop back with "onReject", and "${options.role}" is a ${kind}`, [locate([...at, 'onReject'])]);
    }
    const declaredNeeds = role.config.model ? role.config.needs : (role.config.needs ?? modelContext.defaultNeeds);
    const model = modelContext.offline ? OFFLINE_MODEL_NAME : (role.config.model ?? (declaredNeeds ? undefined : modelContext.defaultModel));
    if (model !== undefined && !modelContext.models.some((candidate) => candidate.name === model)) {
      throw new UnknownModelError(model, modelContext.models.map((candidate) => candidate.name), `${role.file} (at model)`);
    }
    const needs: RouteNeeds = modelContext.offline || !declaredNeeds ? { role: options.role, ...(model ? { model } : {}) } : { role: options.role, ...declaredNeeds, ...(model ? { model } : {}) };
    validateRoleNeeds(needs, modelContext.models, `${role.file} (at needs.prefer)`);
    const required = requiredCapabilities(needs);
    const capable = modelContext.models.filter((candidate) => required.every((capability) => candidate.capabilities.includes(capability)));
    // No language model at all (only the offline engine, or --offline): what each role needs is gathered, so one
    // message names every role that needs a model and what for.
    const noLanguageModel = modelContext.offline || modelContext.models.every((candidate) => candidate.provider === 'offline');
    if (noLanguageModel) {
      const wanted = requiredCapabilities({ ...(declaredNeeds?.capabilities ? { capabilities: declaredNeeds.capabilities } : {}) });
      if (wanted.some((capability) => !offlineModelSpec.capabilities.includes(capability))) needModel.push({ role: options.role, needs: wanted.join(' + '), file: role.file });
      else if (kind === 'generic' && role.config.output) needModel.push({ role: options.role, needs: 'text (structured output)', file: role.file });
    } else {
      if (capable.length === 0) {
        throw new RoleError(`role "${options.role}" needs ${required.join(', ')}, and no registered model has ${required.length > 1 ? 'all of them' : 'it'}; models: ${modelContext.models.map((candidate) => `${candidate.name} (${candidate.capabilities.join(', ')})`).join('; ')}`, [
          { file: role.file, path: 'needs.capabilities' },
        ]);
      }
      if (model !== undefined && !capable.some((candidate) => candidate.name === model)) {
        throw new RoleError(`role "${options.role}" needs ${required.join(', ')}, which model "${model}" does not declare`, [{ file: role.file, path: 'model' }]);
      }
      // Only the offline engine could answer (named, or the only capable model when the router chooses).
      const offlineOnly = model !== undefined ? model === OFFLINE_MODEL_NAME : capable.every((candidate) => candidate.provider === 'offline');
      if (kind === 'generic' && role.config.output && offlineOnly) {
        throw new RoleError('a custom `output` schema needs a language model: the offline engine only writes { message, draft }', [{ file: role.file, path: 'output' }]);
      }
    }
    for (const tool of role.config.tools ?? []) {
      const unknown = tool.includes('.') ? unknownOperation(tool, connectors) : undefined;
      if (unknown) throw new RoleError(`the role lists the tool ${tool}, but ${unknown}`, [{ file: role.file, path: 'tools' }]);
    }
    const prompt = loadPrompt(role.config.prompt ?? role.config.name, promptFolders, kind, role.file);
    return { index, at, name: options.role, kind, role, prompt, model, needs, concurrency: options.concurrency ?? 4 };
  };
  flow.forEach((entry, position) => {
    if (!isParallelStage(entry)) {
      stages.push(resolveEntry(entry, ['flow', position]));
      return;
    }
    const members = entry.parallel.map((member, slot) => resolveEntry(member, ['flow', position, 'parallel', slot]));
    const names = members.map((member) => member.name);
    for (const member of members) {
      const writesDraft = member.kind === 'generic' && member.role.config.writes === 'draft';
      if ((member.kind !== 'generic' && member.kind !== 'action') || writesDraft) {
        throw new FlowError(`"${member.name}" cannot run in parallel: only actions and generic roles that do not write the draft may (it is ${writesDraft ? 'a role that writes the draft' : `a ${member.kind}`})`, [locate(member.at)]);
      }
      stages.push({ ...member, index: stages.length, group: { id: position, members: names } });
    }
  });

  if (needModel.length) {
    throw new RoleError(
      `this flow needs language models, and ${modelContext.offline ? 'the run is offline (--offline)' : 'only the offline engine is configured'}: ${needModel.map((entry) => `${entry.role} needs ${entry.needs}`).join('; ')}. Nothing was run, and no photo or document was read`,
      needModel.map((entry) => ({ file: entry.file })),
      { hint: 'declare models under `models:` in the config (an OpenAI-compatible endpoint such as Ollama, with a vision model for roles that read photos), or set OPENAI_BASE_URL / OPENAI_API_KEY' },
    );
  }
  const firstPlanner = stages.find((stage) => stage.kind === 'planner');
  const gates = stages.filter((stage) => stage.kind === 'checker');
  if (gates.length === 0) {
    throw new FlowError('the flow has no checker gate: nothing would verify the answer, and a rejected draft would have nowhere to loop', [locate(['flow'])], {
      hint: 'add "checker" to the flow',
    });
  }
  for (const stage of stages) {
    if ((stage.kind === 'researcher' || stage.kind === 'checker') && (!firstPlanner || firstPlanner.index > stage.index)) {
      throw new FlowError(`"${stage.name}" (${stage.kind}) needs a plan, so a planner must come before it in the flow`, [locate(stage.at)]);
    }
  }
  for (const stage of stages) {
    if (stage.kind !== 'human') continue;
    const before = stages.slice(0, stage.index);
    if (!before.some((candidate) => candidate.kind === 'planner')) {
      throw new FlowError(`the human gate "${stage.name}" reviews the ${stage.human!.review}, so a planner must come before it in the flow`, [locate(stage.at)]);
    }
    if (stage.human!.review === 'draft' && !before.some((candidate) => candidate.kind === 'researcher')) {
      throw new FlowError(`the human gate "${stage.name}" reviews the draft, so a researcher must come before it in the flow`, [locate([...stage.at, 'review'])]);
    }
    // A rejection goes back to the planner before the gate, like a checker's.
    stage.onReject = before.filter((candidate) => candidate.kind === 'planner').pop()!.index;
  }
  const lastGate = gates[gates.length - 1]!;
  for (const stage of stages) {
    if (stage.kind === 'generic' && stage.role.config.writes === 'draft' && stage.index > lastGate.index) {
      throw new FlowError(`"${stage.name}" writes the draft after the last checker gate, so its text would never be verified; move it before "${lastGate.name}"`, [
        locate(stage.at),
      ]);
    }
  }
  for (const gate of gates) {
    const entry = flow[gate.at[1] as number];
    const target = entry !== undefined && !isHumanGate(entry) && !isActionStage(entry) && !isParallelStage(entry) ? stageOptions(entry).onReject : undefined;
    if (target === undefined) {
      gate.onReject = firstPlanner!.index;
      continue;
    }
    const targetStage = stages.find((stage) => stage.name === target);
    if (!targetStage || targetStage.index >= gate.index) {
      throw new FlowError(`onReject must name a stage before "${gate.name}" in the flow; got "${target}"`, [locate([...gate.at, 'onReject'])]);
    }
    if (targetStage.kind !== 'planner') {
      throw new FlowError(`onReject must go back to a planner so the plan is revised; "${target}" is a ${targetStage.kind}`, [
        locate([...gate.at, 'onReject']),
      ]);
    }
    gate.onReject = targetStage.index;
  }
  return stages;
}
