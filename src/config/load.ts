/**
 * Loads a project: the config file, the roles the flow names, their prompts and the model registry, and checks the
 * whole roster before any graph is built or any model is called.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ConfigNotFoundError, FlowError, RoleError, UnknownModelError, UsageError, type SourceLocation } from '../errors.js';
import { OFFLINE_MODEL_NAME, offlineModelSpec, OpenAICompatibleModel, type ModelSpec } from './models.js';
import { loadPrompt, type PromptTemplate } from './prompts.js';
import { loadRoles, type LoadedRole, type RoleKind } from './roles.js';
import { BatonConfig, type ActionStage, type FlowStage, type HumanGateStage, type ParallelStage } from './schema.js';
import { RoleConfig } from './roles.js';
import { builtinDetectors, compileDetectors, type Detector } from '../routing/detectors.js';
import type { RouteNeeds } from '../routing/needs.js';
import { requiredCapabilities, validateRoleNeeds } from '../routing/router.js';
import { readYamlFile, YamlSource } from './yaml.js';
import { resolveStore } from './store-url.js';
import { loadConnectors, type LoadedConnector } from '../connectors/load.js';
import { SecretStore } from '../secrets/store.js';
import { actionStage, isActionStage, isParallelStage, unknownOperation } from './action-stage.js';
import { declares, prepareProjectDataDir, warn, warnUnusableKnowledgePaths, type ProjectWarning } from './project-checks.js';

/** The package's own folder, where the built-in agents, prompts and sample knowledge live. */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  let current = start;
  while (!existsSync(path.join(current, 'package.json'))) {
    const parent = path.dirname(current);
    if (parent === current) return start;
    current = parent;
  }
  return current;
}

export const DEFAULT_CONFIG_FILE = 'baton.config.yaml';

/** What a flow stage is: an agent role of one of the role kinds, or a human gate. */
export type StageKind = RoleKind | 'human' | 'action';

/** A flow stage with its role, prompt and options resolved. */
export interface Stage {
  /** Position in the project's stages (a parallel group's members are consecutive). */
  index: number;
  /** Field path of the stage's flow entry, for messages: `['flow', 3]`, or `['flow', 3, 'parallel', 1]`. */
  at: Array<string | number>;
  /** Members of a parallel group: the group (its flow position) and every member's name; they run at once. */
  group?: { id: number; members: string[] };
  name: string;
  kind: StageKind;
  /** Human gates: what the person reviews and is asked. (A gate's `role` and `prompt` only name it.) */
  human?: { review: 'plan' | 'draft'; prompt: string };
  /** Action stages: the operation called and the JSONata mapping of its input from the run. */
  action?: { call: string; input?: string; onError: 'fail' | 'continue' };
  role: LoadedRole;
  prompt: PromptTemplate;
  /** The model this role names (or the default); undefined when it states needs and the router chooses. */
  model: string | undefined;
  /** What the router is asked for on every call of this role. */
  needs: RouteNeeds;
  concurrency: number;
  /** Checker gates: index of the stage a rejection returns to. */
  onReject?: number;
}

/** Where the default model came from, as `baton run` reports it. */
export type ModelSource = 'config' | 'environment' | 'offline';

export interface Project {
  config: BatonConfig;
  /** The config file read, if any. */
  configFile?: string;
  /** Folder relative paths resolve against. */
  baseDir: string;
  dataDir: string;
  knowledgePaths: string[];
  stages: Stage[];
  models: ModelSpec[];
  defaultModel: string;
  modelSource: ModelSource;
  /** Built-in and config-added confidential-data detectors. */
  detectors: Detector[];
  /** The connector files of `connectorsDir`, checked (live clients are built when first used). */
  connectors: ReadonlyMap<string, LoadedConnector>;
  /** The run store, with `${VARIABLE}` references in its URL resolved from the environment. */
  store: { kind: 'sqlite' } | { kind: 'postgres'; url: string };
}

export interface LoadProjectOptions {
  /** Config file; when absent, `baton.config.yaml` in `cwd` is used if it exists. */
  configFile?: string;
  cwd: string;
  /** Environment variables (injected: the CLI passes `process.env`, tests pass what they need). */
  env: Readonly<Record<string, string | undefined>>;
  /** Overrides the config's data directory. */
  dataDir?: string;
  /** Forces the offline engine for every role. */
  offline?: boolean;
  /**
   * Creates the data directory now and checks it takes files, so a bad one fails at load naming the config field or
   * option that chose it (the CLI sets this). Without it, the stores create the folder when they open.
   */
  prepareDataDir?: boolean;
  /** Told of problems that do not stop the project from loading: an empty config file, a knowledge path that is missing. */
  onWarning?: (warning: ProjectWarning) => void;
}

export type { ProjectWarning } from './project-checks.js';

/** Loads and checks a project. Throws a typed error naming the file and field on any problem. */
export function loadProject(options: LoadProjectOptions): Project {
  // path.resolve turns "" into the working directory: an empty --data-dir would silently write there.
  for (const [given, flag, expected] of [
    [options.configFile, '--config', 'a YAML config file'],
    [options.dataDir, '--data-dir', 'a folder for runs, logs and the knowledge base'],
  ] as const) {
    if (given !== undefined && given.trim() === '') throw new UsageError(`${flag} was given an empty path; expected ${expected}`, { hint: `leave ${flag} out for the default` });
  }
  const explicit = options.configFile !== undefined;
  const configFile = path.resolve(options.cwd, options.configFile ?? DEFAULT_CONFIG_FILE);
  let config: BatonConfig;
  let source: YamlSource | undefined;
  if (existsSync(configFile)) {
    const parsed = readYamlFile(configFile);
    if ('problems' in parsed) throw configError(parsed.problems);
    source = parsed.source;
    if (source.isEmpty) warn(options, { file: configFile }, 'the config file is empty (or holds only comments); the built-in defaults are used');
    const validated = source.validate(BatonConfig);
    if ('problems' in validated) throw configError(validated.problems);
    config = validated.value;
  } else if (explicit) {
    throw new ConfigNotFoundError(`config file not found: ${configFile}`, { hint: 'check the path given to --config' });
  } else {
    config = BatonConfig.parse({});
  }
  const baseDir = source ? path.dirname(configFile) : options.cwd;
  const locate = (fieldPath: Array<string | number>): SourceLocation =>
    source ? source.locate(fieldPath) : { file: '(built-in defaults)', path: fieldPath.join('.') };

  const { models, defaultModel, modelSource } = resolveModels(config, options, locate);
  const roleFolders = [path.resolve(baseDir, config.agentsDir), path.join(PACKAGE_ROOT, 'agents')];
  const promptFolders = [path.resolve(baseDir, config.promptsDir), path.join(PACKAGE_ROOT, 'prompts')];
  checkFolderField(roleFolders[0]!, 'agentsDir', locate);
  checkFolderField(promptFolders[0]!, 'promptsDir', locate);
  const roles = loadRoles(roleFolders);
  const defaultNeeds = config.defaultModel === undefined ? config.defaultNeeds : undefined;
  const dataDir = path.resolve(options.cwd, options.dataDir ?? path.resolve(baseDir, config.dataDir));
  const connectorsFolder = path.resolve(baseDir, config.connectorsDir);
  // Secret names are read without the key: a connector naming one that is not stored is refused here.
  const connectors = loadConnectors(connectorsFolder, { names: () => SecretStore.open({ dataDir, env: options.env }).list().map((entry) => entry.name) });
  const stages = resolveFlow(config.flow, roles, promptFolders, { models, defaultModel, offline: options.offline ?? false, defaultNeeds }, locate, connectors);
  const store = resolveStore(config, options.env, locate);

  const knowledgePaths = (config.knowledge.paths ?? [path.join(PACKAGE_ROOT, 'examples', 'knowledge')]).map((entry) =>
    path.resolve(baseDir, entry),
  );
  if (config.knowledge.paths) warnUnusableKnowledgePaths(config.knowledge.paths, knowledgePaths, options, locate);
  const detectors = compileDetectors(config.detectors, builtinDetectors, locate(['detectors']));
  if (options.prepareDataDir) prepareProjectDataDir(dataDir, options, source && declares(source.value, 'dataDir') ? locate(['dataDir']) : undefined);
  return {
    config,
    detectors,
    ...(source ? { configFile } : {}),
    baseDir,
    dataDir,
    knowledgePaths,
    stages,
    models,
    defaultModel,
    modelSource,
    connectors,
    store,
  };
}

/** A human gate's stage: it has no role file and calls no model; its `role` and `prompt` only carry its name. */
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

/**
 * Refuses an `agentsDir` or `promptsDir` that is a file, naming the config field: roles would otherwise fail with
 * ENOTDIR, and prompts would silently fall back to the built-in ones. A missing folder is fine (the built-ins are used).
 */
function checkFolderField(folder: string, field: 'agentsDir' | 'promptsDir', locate: (fieldPath: Array<string | number>) => SourceLocation): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(folder).isDirectory();
  } catch {
    return; // Missing, or unreadable: reading it reports that with the folder's name.
  }
  if (!isDirectory) {
    const holds = field === 'agentsDir' ? 'role files (<role>.yaml)' : 'prompt templates (<name>.md)';
    throw new ConfigError(`${folder} is a file, not a folder; expected a folder of ${holds}`, [locate([field])]);
  }
}

function configError(problems: Array<{ message: string; location: SourceLocation }>): ConfigError {
  return new ConfigError(problems.map((problem) => problem.message).join('; '), problems.map((problem) => problem.location));
}

function resolveModels(
  config: BatonConfig,
  options: LoadProjectOptions,
  locate: (fieldPath: Array<string | number>) => SourceLocation,
): { models: ModelSpec[]; defaultModel: string; modelSource: ModelSource } {
  const models: ModelSpec[] = [...config.models];
  if (!models.some((model) => model.name === OFFLINE_MODEL_NAME)) models.push(offlineModelSpec);
  if (options.offline) return { models, defaultModel: OFFLINE_MODEL_NAME, modelSource: 'offline' };

  const env = options.env;
  const envEndpoint = env['OPENAI_API_KEY'] || env['OPENAI_BASE_URL'];
  if (envEndpoint && !models.some((model) => model.name === 'env')) {
    const parsed = OpenAICompatibleModel.safeParse({
      name: 'env',
      provider: 'openai-compatible',
      baseUrl: env['OPENAI_BASE_URL'] || 'https://api.openai.com/v1',
      model: env['BATON_MODEL'] || 'gpt-4o-mini',
      ...(env['OPENAI_API_KEY'] ? { apiKeyEnv: 'OPENAI_API_KEY' } : {}),
    });
    if (!parsed.success) {
      throw new ConfigError(`OPENAI_BASE_URL is not a valid http(s) URL: "${env['OPENAI_BASE_URL']}"`, [{ file: '(environment)', path: 'OPENAI_BASE_URL' }]);
    }
    models.push(parsed.data);
  }
  if (config.defaultModel !== undefined) {
    if (!models.some((model) => model.name === config.defaultModel)) {
      throw new UnknownModelError(config.defaultModel, models.map((model) => model.name), formatWhere(locate(['defaultModel'])));
    }
    return { models, defaultModel: config.defaultModel, modelSource: 'config' };
  }
  if (envEndpoint) return { models, defaultModel: 'env', modelSource: 'environment' };
  return { models, defaultModel: OFFLINE_MODEL_NAME, modelSource: 'offline' };
}

function formatWhere(location: SourceLocation): string {
  return `${location.file}${location.line !== undefined ? `:${location.line}` : ''}${location.path ? ` (at ${location.path})` : ''}`;
}

function stageOptions(stage: Exclude<FlowStage, HumanGateStage | ActionStage | ParallelStage>): { role: string; concurrency?: number; onReject?: string } {
  return typeof stage === 'string' ? { role: stage } : stage;
}

function isHumanGate(stage: FlowStage): stage is HumanGateStage {
  return typeof stage === 'object' && 'human' in stage;
}

function resolveFlow(
  flow: readonly FlowStage[],
  roles: Map<string, LoadedRole>,
  promptFolders: readonly string[],
  modelContext: { models: ModelSpec[]; defaultModel: string; offline: boolean; defaultNeeds?: RouteNeeds | undefined },
  locate: (fieldPath: Array<string | number>) => SourceLocation,
  connectors: ReadonlyMap<string, LoadedConnector>,
): Stage[] {
  const seen = new Set<string>();
  const stages: Stage[] = [];
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
      throw new RoleError('a custom `output` schema needs a language model: the offline engine only writes { message, draft }', [
        { file: role.file, path: 'output' },
      ]);
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
