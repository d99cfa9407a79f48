/**
 * Loads `connectors/<name>.yaml`: schema-checked like role files (file, field path, line), every JSONata mapping
 * compiled (a bad one shows the expression and the position), every input schema compiled, and every secret a file
 * names looked up in the sealed store, so a connector naming a missing secret is refused at load and not in the middle
 * of a run. Building the live connector (clients, pools, child processes) is left to the kind's factory, lazily.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SourceLocation } from '../errors.js';
import { describeFileFailure } from '../config/user-file.js';
import { readYamlFile, type FileProblem, type YamlSource } from '../config/yaml.js';
import { ConnectorFileError } from './errors.js';
import { compileSchema, createKit, SchemaProblem, type OperationKit } from './kit.js';
import { compileMapping, isMappingProblem, nondeterministicCall, pointAt, type Mapping } from './mapping.js';
import { ConnectorConfig, MAPPING_FIELDS, NAME_PATTERN, NAME_RULE } from './schema.js';
import type { Connector, ConnectorDeps } from './types.js';

/** A checked connector file: its config, and per operation its compiled mappings (and kit, for static kinds). */
export interface LoadedConnector {
  config: ConnectorConfig;
  file: string;
  /** Operation (or MCP tool) name → field (`request.body`, `response`, ...) → compiled mapping. */
  mappings: ReadonlyMap<string, ReadonlyMap<string, Mapping>>;
  /** Operation name → kit (input schema, mappings). MCP tools get theirs when the server lists them. */
  kits: ReadonlyMap<string, OperationKit>;
}

/** Builds the live connector of one kind. */
export type ConnectorFactory = (loaded: LoadedConnector, deps: ConnectorDeps) => Connector;

function valueAt(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Every `secret: NAME` in the file, with its field path. */
function secretReferences(value: unknown, at: (string | number)[] = []): Array<{ name: string; path: (string | number)[] }> {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => secretReferences(item, [...at, index]));
  const found: Array<{ name: string; path: (string | number)[] }> = [];
  for (const [key, child] of Object.entries(value)) {
    // Input schemas and an HTTP connector's plain headers are data, where a field may be called `secret`.
    if (key === 'input' || (at.length === 0 && key === 'headers')) continue;
    if (key === 'secret' && typeof child === 'string') found.push({ name: child, path: [...at, key] });
    else found.push(...secretReferences(child, [...at, key]));
  }
  return found;
}

/** Operation-like entries of a file: `operations.<name>`, or for MCP `tools.<name>`. */
function operationEntries(config: ConnectorConfig): Array<[string, unknown, string]> {
  if (config.kind === 'mcp') return Object.entries(config.tools).map(([name, tool]) => [name, tool, 'tools']);
  return Object.entries(config.operations as Record<string, unknown>).map(([name, operation]) => [name, operation, 'operations']);
}

export function loadConnectorFile(file: string, secrets: { names(): string[] }): LoadedConnector {
  const parsed = readYamlFile(file);
  if ('problems' in parsed) throw fileError(parsed.problems);
  const source = parsed.source;
  if (source.isEmpty) throw new ConnectorFileError('the connector file is empty; expected name, kind (http, sql, slack, teams or mcp) and operations', [{ file }]);
  const validated = source.validate(ConnectorConfig);
  if ('problems' in validated) throw fileError(validated.problems);
  const config = validated.value;
  const expected = path.basename(file).replace(/\.ya?ml$/, '');
  if (!NAME_PATTERN.test(expected)) throw new ConnectorFileError(`the file name "${path.basename(file)}" is not a connector name; name the file <name>.yaml with ${NAME_RULE}`, [{ file }]);
  if (config.name !== expected) throw new ConnectorFileError(`connector name "${config.name}" does not match its file name; expected "${expected}"`, [source.locate(['name'])]);
  const problems: FileProblem[] = [];

  const stored = new Set(secrets.names());
  for (const reference of secretReferences(source.value)) {
    if (!stored.has(reference.name)) {
      problems.push({ message: `the secret ${reference.name} is not stored (stored: ${[...stored].sort().join(', ') || 'none'}); store it with \`baton secrets set ${reference.name}\``, location: source.locate(reference.path) });
    }
  }

  const mappings = new Map<string, Map<string, Mapping>>();
  const kits = new Map<string, OperationKit>();
  for (const [name, operation, section] of operationEntries(config)) {
    const compiled = new Map<string, Mapping>();
    const effect = staticSideEffect(config, name);
    for (const field of MAPPING_FIELDS[config.kind]) {
      const expression = valueAt(operation, field);
      if (typeof expression !== 'string') continue;
      const changing = effect && !RESPONSE_SIDE.has(field[0]!) ? nondeterministicCall(expression) : undefined;
      if (changing) {
        problems.push({ message: `${changing} gives another value each time, so the request, and the idempotency key derived from it, would change when the same call is made again (a resume) and the effect could happen twice; pass the value in the input instead`, location: source.locate([section, name, ...field]) });
        continue;
      }
      const mapping = compileMapping(expression);
      if (isMappingProblem(mapping)) {
        problems.push({ message: `the JSONata expression does not compile: ${mapping.message}: ${pointAt(expression, mapping.position)}`, location: source.locate([section, name, ...field]) });
      } else compiled.set(field.join('.'), mapping);
    }
    mappings.set(name, compiled);
    if (config.kind === 'mcp') continue;
    if (!NAME_PATTERN.test(name)) {
      problems.push({ message: `"${name}" is not an operation name; expected ${NAME_RULE}`, location: source.locate([section, name]) });
      continue;
    }
    const inputSchema = (operation as { input?: Record<string, unknown> }).input;
    if (inputSchema && inputSchema['type'] !== 'object') {
      problems.push({ message: `an operation's input is a JSON object: the schema needs type: object (with its fields under properties), not ${JSON.stringify(inputSchema['type'] ?? 'no type')}`, location: source.locate([section, name, 'input']) });
      continue;
    }
    try {
      if (inputSchema) compileSchema(inputSchema, true);
      kits.set(name, createKit(`${config.name}.${name}`, inputSchema, compiled));
    } catch (error) {
      if (!(error instanceof SchemaProblem)) throw error;
      problems.push({ message: error.message, location: source.locate([section, name, 'input']) });
    }
  }
  problems.push(...kindProblems(config, source));
  if (problems.length) throw fileError(problems);
  return { config, file, mappings, kits };
}

/** Every operation id the connector files declare (MCP: the allow-listed tools), sorted; known without starting anything. */
export function declaredOperations(connectors: ReadonlyMap<string, LoadedConnector>): string[] {
  const ids: string[] = [];
  for (const [name, loaded] of connectors) {
    const operations = loaded.config.kind === 'mcp' ? loaded.config.allow : Object.keys(loaded.config.operations);
    ids.push(...operations.map((operation) => `${name}.${operation}`));
  }
  return ids.sort();
}

/** Mapping fields that read the system's answer (not the request). */
const RESPONSE_SIDE = new Set(['response', 'records']);

/**
 * Whether an operation is a side effect, as far as its file says (MCP tools: undefined, the server's annotations
 * decide). The same defaults the kinds apply.
 */
export function staticSideEffect(config: ConnectorConfig, name: string): boolean | undefined {
  switch (config.kind) {
    case 'http': {
      const operation = config.operations[name];
      return operation ? (operation.sideEffect ?? !['GET', 'HEAD'].includes(operation.method)) : undefined;
    }
    case 'sql': {
      const operation = config.operations[name];
      return operation ? (operation.sideEffect ?? operation.write) : undefined;
    }
    case 'slack':
    case 'teams': {
      const operation = (config.operations as Record<string, { sideEffect?: boolean }>)[name];
      return operation ? (operation.sideEffect ?? true) : undefined;
    }
    case 'mcp':
      return config.tools[name]?.sideEffect;
  }
}

/** Checks the schema cannot express: SQL parameters the mapping must provide, path placeholders. */
function kindProblems(config: ConnectorConfig, source: YamlSource): FileProblem[] {
  const problems: FileProblem[] = [];
  if (config.kind === 'http') {
    for (const [name, operation] of Object.entries(config.operations)) {
      // Without a request.path mapping, placeholders are filled from the input: each must be one of its fields.
      const fields = operation.input?.['properties'];
      if (!operation.request?.path && fields && typeof fields === 'object') {
        for (const [, placeholder] of operation.path.matchAll(/\{([^}]*)\}/g)) {
          if (!Object.hasOwn(fields, placeholder!)) problems.push({ message: `the path placeholder {${placeholder}} is not a field of the input (fields: ${Object.keys(fields).join(', ') || 'none'}); fix the name, or map it with request.path`, location: source.locate(['operations', name, 'path']) });
        }
      }
      if ((operation.method === 'GET' || operation.method === 'HEAD') && operation.request?.body) {
        problems.push({ message: `a ${operation.method} request has no body; send the values as request.query, or use POST`, location: source.locate(['operations', name, 'request', 'body']) });
      }
    }
  }
  if (config.kind === 'slack' && config.webhook) {
    for (const [name, operation] of Object.entries(config.operations)) {
      if (operation.channel) problems.push({ message: 'an incoming webhook posts to the channel it was created for; remove channel, or use a bot token', location: source.locate(['operations', name, 'channel']) });
    }
  }
  if (config.kind === 'slack' && config.token) {
    for (const [name, operation] of Object.entries(config.operations)) {
      if (!operation.channel) problems.push({ message: 'a bot token posts to a channel; add channel: "#support" (or a channel id)', location: source.locate(['operations', name]) });
    }
  }
  if (config.kind === 'mcp') {
    for (const name of Object.keys(config.tools)) {
      if (!config.allow.includes(name)) problems.push({ message: `tool "${name}" is configured but not allowed; add it to allow: [...]`, location: source.locate(['tools', name]) });
    }
  }
  return problems;
}

function fileError(problems: readonly FileProblem[]): ConnectorFileError {
  return new ConnectorFileError(problems.map((problem) => problem.message).join('; '), problems.map((problem): SourceLocation => problem.location));
}

/** Every connector file of a folder, by name; none when the folder does not exist. */
export function loadConnectors(folder: string, secrets: { names(): string[] }): Map<string, LoadedConnector> {
  const loaded = new Map<string, LoadedConnector>();
  let entries: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new ConnectorFileError('expected a folder of connector files (connectors/<name>.yaml), found a file', [{ file: folder }]);
    entries = readdirSync(folder).sort();
  } catch (error) {
    if (error instanceof ConnectorFileError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return loaded;
    throw new ConnectorFileError(`cannot read the connectors folder: ${describeFileFailure(error)}`, [{ file: folder }], { cause: error });
  }
  for (const entry of entries) {
    if (!/\.ya?ml$/.test(entry)) continue;
    const connector = loadConnectorFile(path.join(folder, entry), secrets);
    const other = loaded.get(connector.config.name);
    if (other) throw new ConnectorFileError(`two files declare the connector "${connector.config.name}": ${path.basename(other.file)} and ${entry}; keep one`, [{ file: connector.file }, { file: other.file }]);
    loaded.set(connector.config.name, connector);
  }
  return loaded;
}
