/**
 * Turns what is wrong with a request into words a client can act on: every zod issue names the full field path
 * (`labels.deadline`, `attachments[0].name`), what was expected and what was received, and an unknown field lists the
 * names accepted at its level. Keys that could reach an object's prototype are refused by name, wherever they stand.
 */
import { z } from 'zod';
import { formatPath } from '../config/yaml.js';

/** Keys no request may carry at any depth: they could reach or replace an object's prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The first forbidden key in a parsed value, with the path of the object holding it. */
export function findForbiddenKey(value: unknown, path: PropertyKey[] = [], depth = 0): { key: string; path: PropertyKey[] } | undefined {
  // JSON.parse nests at most as deep as the body is long; the bound keeps a pathological body from overflowing the stack.
  if (depth > 256 || typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findForbiddenKey(item, [...path, index], depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return { key, path };
    const found = findForbiddenKey((value as Record<string, unknown>)[key], [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The message for a forbidden key found by {@link findForbiddenKey}. */
export function forbiddenKeyMessage(found: { key: string; path: PropertyKey[] }, where: string): string {
  const at = formatPath([...found.path, found.key]);
  return `the key "${found.key}" is not allowed in the ${where} (at ${at}): ${[...FORBIDDEN_KEYS].map((key) => `"${key}"`).join(', ')} are refused anywhere in a request`;
}

/** Strips the wrappers that do not change which keys an object accepts. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (let guard = 0; guard < 32; guard += 1) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault || current instanceof z.ZodReadonly) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
  return current;
}

/** The schema that validates the value at `path`, when it can be followed (objects, arrays and their wrappers). */
export function schemaAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (current instanceof z.ZodObject && typeof key === 'string') {
      const shape = current.shape as Record<string, z.ZodType>;
      current = Object.hasOwn(shape, key) ? shape[key] : undefined;
    } else if (current instanceof z.ZodArray && typeof key === 'number') {
      current = current.element as z.ZodType;
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
    current = unwrap(current);
  }
  return current;
}

/** The field names an object schema accepts at `path`. */
function acceptedKeys(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  const level = schemaAt(schema, path);
  return level instanceof z.ZodObject ? Object.keys(level.shape as Record<string, unknown>) : [];
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** The accepted name a mistyped key most likely meant (`deadline` → `deadlineMs`), if one is close. */
function closestKey(unknown: string, accepted: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  const near = accepted.filter((name) => {
    const candidate = name.toLowerCase();
    return candidate.startsWith(lower) || lower.startsWith(candidate) || editDistance(candidate, lower) <= 2;
  });
  return near.length === 1 ? near[0] : undefined;
}

/** A received value in a few words, never the whole of a long input. */
export function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a string of ${value.length} characters` : `the string ${JSON.stringify(value)}`;
    case 'number':
      return Number.isNaN(value) ? 'a value that is not a number' : `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function sizeUnit(origin: string, count: number | bigint): string {
  const plural = count === 1 || count === 1n ? '' : 's';
  switch (origin) {
    case 'string':
      return ` character${plural}`;
    case 'array':
    case 'set':
      return ` item${plural}`;
    case 'file':
      return ` byte${plural}`;
    default:
      return '';
  }
}

function sizeOf(input: unknown): string {
  if (typeof input === 'string') return `${input.length} characters`;
  if (Array.isArray(input)) return `${input.length} item${input.length === 1 ? '' : 's'}`;
  return describeReceived(input);
}

/** One zod issue of a request in words, naming the full field path. */
export function describeRequestIssue(issue: z.core.$ZodIssue, schema: z.ZodType, where: string): string {
  const field = formatPath(issue.path);
  const prefix = field ? `${field}: ` : `the ${where}: `;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const accepted = acceptedKeys(schema, issue.path);
      const names = issue.keys.map((key) => `"${formatPath([...issue.path, key])}"`).join(', ');
      const level = field ? ` in ${field}` : '';
      const suggestion = issue.keys.length === 1 && issue.keys[0] !== undefined ? closestKey(issue.keys[0], accepted) : undefined;
      return (
        `unknown field${issue.keys.length > 1 ? 's' : ''} ${names} in the ${where}` +
        (accepted.length ? ` (accepted${level}: ${accepted.join(', ')})` : '') +
        (suggestion ? `; did you mean "${formatPath([...issue.path, suggestion])}"?` : '')
      );
    }
    case 'invalid_type':
      if (issue.input === undefined && issue.path.length > 0) return `${field} is required (expected ${issue.expected})`;
      if (issue.path.length === 0 && issue.expected === 'object') return `the ${where} must be a JSON object, received ${describeReceived(issue.input)}`;
      // JSON reads 1e400 as Infinity: the client sent a number, just not one that fits.
      if (issue.expected === 'number' && typeof issue.input === 'number' && !Number.isNaN(issue.input)) return `${prefix}not a finite number (too large to represent); expected a finite number`;
      return `${prefix}expected ${issue.expected === 'int' ? 'an integer' : issue.expected}, received ${describeReceived(issue.input)}`;
    case 'invalid_value':
      return `${prefix}expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((value) => JSON.stringify(value)).join(', ')}; received ${describeReceived(issue.input)}`;
    case 'too_big': {
      const bound = issue.inclusive === false ? 'less than' : 'at most';
      return `${prefix}${bound} ${String(issue.maximum)}${sizeUnit(issue.origin, issue.maximum)} allowed, received ${sizeOf(issue.input)}`;
    }
    case 'too_small': {
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return `${prefix}must not be empty`;
      const bound = issue.inclusive === false ? 'more than' : 'at least';
      return `${prefix}${bound} ${String(issue.minimum)}${sizeUnit(issue.origin, issue.minimum)} required, received ${sizeOf(issue.input)}`;
    }
    case 'invalid_format':
      return `${prefix}expected ${issue.format === 'regex' && issue.pattern ? `text matching ${issue.pattern}` : `a valid ${issue.format}`}, received ${describeReceived(issue.input)}`;
    case 'not_multiple_of':
      return `${prefix}expected a multiple of ${String(issue.divisor)}, received ${describeReceived(issue.input)}`;
    case 'invalid_union':
      return `${prefix}matches none of the accepted forms${issue.errors[0]?.[0] ? ` (first: ${issue.errors[0][0].message})` : ''}`;
    case 'invalid_key':
      return `${prefix}invalid key: ${issue.issues[0]?.message ?? issue.message}`;
    case 'invalid_element':
      return `${prefix}invalid element: ${issue.issues[0]?.message ?? issue.message}`;
    case 'custom':
      return `${prefix}${issue.message}`;
    default:
      return `${prefix}${(issue as { message: string }).message}`;
  }
}
