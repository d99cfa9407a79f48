/**
 * What every operation of every kind shares, compiled once when the connector file loads: the input's JSON Schema
 * (ajv), the JSONata mappings by field, and the response step (response mapping, then the citable records).
 */
import { createRequire } from 'node:module';
import type { Ajv2020 as Ajv2020Type } from 'ajv/dist/2020.js';
import { ConnectorError } from './errors.js';
import { MappingFailure, type Mapping } from './mapping.js';
import type { ResultRecord } from './types.js';

// Loaded when the first schema is compiled (ajv is CommonJS): a project without connectors never loads it.
const require = createRequire(import.meta.url);
const validators: { strict?: Ajv2020Type; lax?: Ajv2020Type } = {};
/**
 * Schemas written in a connector file are compiled strictly (an unknown keyword such as `requried` is a mistake to
 * report, not a keyword to ignore); schemas an MCP server sends are its own business and compiled leniently.
 */
function ajv(strict: boolean): Ajv2020Type {
  const which = strict ? 'strict' : 'lax';
  if (!validators[which]) {
    const { Ajv2020 } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020Type };
    validators[which] = new Ajv2020({ allErrors: true, strict: false, strictSchema: strict, strictTypes: false, coerceTypes: false, useDefaults: true });
  }
  return validators[which];
}

/** The default input schema: an object with any fields. */
export const ANY_OBJECT: Record<string, unknown> = { type: 'object' };

/** Longest JSON a mapping may give (10 MB): a request or result beyond it is refused, not built. */
export const MAX_MAPPED_CHARS = 10 * 1024 * 1024;

/** Most records kept from one result (a query returning 10,000 rows cites at most these). */
export const MAX_RECORDS = 500;

export interface OperationKit {
  /** `connector.operation`. */
  readonly id: string;
  readonly inputSchema: Record<string, unknown>;
  /** Checks the input against the schema (defaults filled in); CONNECTOR_INPUT_INVALID naming each failing field. */
  validate(input: unknown): Record<string, unknown>;
  /** Whether a mapping field (`request.body`, `text`...) is declared. */
  has(field: string): boolean;
  /** Evaluates a declared mapping; CONNECTOR_INPUT_INVALID (request side) or CONNECTOR_RESPONSE_INVALID (response side). */
  map(field: string, data: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
  /** The response mapping (or the response as it is) and the records a claim may cite. */
  result(response: unknown, bindings?: Record<string, unknown>): Promise<{ output: unknown; records: ResultRecord[] }>;
}

/** Thrown by {@link compileSchema} for a schema ajv cannot compile; the loader turns it into a located problem. */
export class SchemaProblem extends Error {}

export function compileSchema(schema: Record<string, unknown>, strict = false): (input: unknown) => string[] {
  let validate: ReturnType<Ajv2020Type['compile']>;
  // The `$schema` a file or an MCP server declares (often draft-07) names a dialect, not a constraint: the keywords
  // Baton validates read the same in draft-07 and 2020-12, so the schema is compiled without it.
  const { $schema: _dialect, ...body } = schema;
  try {
    validate = ajv(strict).compile(body);
  } catch (error) {
    throw new SchemaProblem(`the input schema does not compile: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (input) => (validate(input) ? [] : (validate.errors ?? []).map((issue) => `${issue.instancePath || '(input)'} ${issue.message ?? 'is invalid'}${issue.params && 'allowedValues' in issue.params ? ` (${(issue.params.allowedValues as unknown[]).join(', ')})` : ''}`));
}

const RESPONSE_FIELDS = new Set(['response', 'records.items', 'records.id']);

/** JSONata returns its sequences as arrays with extra flags; a plain JSON copy is what every consumer wants. */
export function plain(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

export function createKit(id: string, inputSchema: Record<string, unknown> | undefined, mappings: ReadonlyMap<string, Mapping>): OperationKit {
  const schema = inputSchema ?? ANY_OBJECT;
  const check = compileSchema(schema);
  async function map(field: string, data: unknown, bindings?: Record<string, unknown>): Promise<unknown> {
    const mapping = mappings.get(field);
    if (!mapping) throw new Error(`no mapping ${field} on ${id}`);
    const side = RESPONSE_FIELDS.has(field) ? 'CONNECTOR_RESPONSE_INVALID' : 'CONNECTOR_INPUT_INVALID';
    let value: unknown;
    try {
      value = await mapping.evaluate(data, bindings);
    } catch (error) {
      if (!(error instanceof MappingFailure)) throw error;
      throw new ConnectorError(side, `${id}: the ${field} mapping failed: ${error.message}`, { operation: id }, { cause: error });
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      // A value too large to write out (JavaScript's string limit), or a cycle.
      throw new ConnectorError(side, `${id}: the ${field} mapping gave a value that cannot be written as JSON (${error instanceof Error ? error.message : String(error)})`, { operation: id }, { cause: error });
    }
    if (text !== undefined && text.length > MAX_MAPPED_CHARS) {
      throw new ConnectorError(side, `${id}: the ${field} mapping gave ${text.length} characters of JSON, more than ${MAX_MAPPED_CHARS}`, { operation: id });
    }
    return text === undefined ? null : JSON.parse(text);
  }
  return {
    id,
    inputSchema: schema,
    validate(input) {
      const value = input === undefined || input === null ? {} : structuredClone(input);
      const problems = check(value);
      if (problems.length) {
        throw new ConnectorError('CONNECTOR_INPUT_INVALID', `input for ${id} is invalid: ${problems.slice(0, 5).join('; ')}. Expected input: ${JSON.stringify(schema)}`, { operation: id });
      }
      if (typeof value !== 'object' || Array.isArray(value)) throw new ConnectorError('CONNECTOR_INPUT_INVALID', `input for ${id} must be a JSON object`, { operation: id });
      return value as Record<string, unknown>;
    },
    has: (field) => mappings.has(field),
    map,
    async result(response, bindings) {
      const output = mappings.has('response') ? await map('response', response, bindings) : plain(response);
      if (!mappings.has('records.id')) return { output, records: [] };
      const items = mappings.has('records.items') ? await map('records.items', output, bindings) : output;
      const list = (Array.isArray(items) ? items : items === null ? [] : [items]).slice(0, MAX_RECORDS);
      const records: ResultRecord[] = [];
      for (const item of list) {
        const key = await map('records.id', item, bindings);
        if (typeof key === 'string' || typeof key === 'number') records.push({ id: String(key), value: item });
      }
      return { output, records };
    },
  };
}
