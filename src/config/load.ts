/**
 * Loads a project: the config file, the roles the flow names, their prompts and the model registry, and checks the
 * whole roster before any graph is built or any model is called.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ConfigNotFoundError, UnknownModelError, UsageError, type SourceLocation } from '../errors.js';
import { OFFLINE_MODEL_NAME, offlineModelSpec, OpenAICompatibleModel, type ModelSpec } from './models.js';
import type { PromptTemplate } from './prompts.js';
import { loadRoles, type LoadedRole, type RoleKind } from './roles.js';
import { BatonConfig } from './schema.js';
import { builtinDetectors, compileDetectors, type Detector } from '../routing/detectors.js';
import type { RouteNeeds } from '../routing/needs.js';
import { readYamlFile, YamlSource } from './yaml.js';
import { resolveStore } from './store-url.js';
import { resolveFlow } from './flow.js';
import { loadConnectors, type LoadedConnector } from '../connectors/load.js';
import { SecretStore } from '../secrets/store.js';
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
  checkGuardModels(config, models, locate);
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

/**
 * The guard classifier must be a declared model in the private zone: the texts it classifies (e-mails, records,
 * pages) hold personal and confidential data.
 */
function checkGuardModels(config: BatonConfig, models: readonly ModelSpec[], locate: (fieldPath: Array<string | number>) => SourceLocation): void {
  const wanted = config.guards.classifier?.model;
  if (wanted === undefined) return;
  const spec = models.find((model) => model.name === wanted);
  if (!spec) throw new ConfigError(`guards.classifier.model names "${wanted}", which is not a declared model (declared: ${models.map((model) => model.name).join(', ') || 'none'})`, [locate(['guards', 'classifier', 'model'])]);
  if (spec.zone !== 'private') throw new ConfigError(`guards.classifier.model "${wanted}" is in the external zone: the texts it classifies hold personal and confidential data, so it must be a private model (zone: private)`, [locate(['guards', 'classifier', 'model'])]);
}

/** A human gate's stage: it has no role file and calls no model; its `role` and `prompt` only carry its name. */
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
