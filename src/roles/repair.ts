/**
 * Liberal in what models send, strict in what matters. A reply that breaks its schema only in form (an enum value in
 * another case, with extra whitespace or inflected, `"APPROVED"` for `approve`; a number or boolean sent as a string or
 * the other way round; one item where a list is asked for; a list or object sent as a JSON string; a string where an
 * object with one required string field is asked for, `"What is Baton?"` for `{"question": "What is Baton?"}`; the
 * object wrapped in one extra key, `{"plan": {"steps": [...]}}`; a key spelled in another case or with underscores; an
 * unknown extra key; `null` for a field it may leave out) is normalised along the schema's own validation issues and
 * validated again by the same schema. Nothing that carries meaning is guessed: a
 * missing or too short quote, a source, a decision that is none of the allowed values, still fails.
 *
 * Working from the issues rather than from per-schema rules means every schema gets the same treatment, the built-in
 * roles' and the output schemas users declare for their own roles alike, and the JSON Schema sent to a model is
 * unchanged.
 */
import type { z } from 'zod';
import { excerpt } from '../text/excerpt.js';

/** One validation problem, as the model's reply had it. */
export type ReplyIssue = z.core.$ZodIssue;

/** The outcome of {@link validateReply}. */
export type ReplyValidation<Output> =
  | { success: true; data: Output; fixes: string[] }
  | { success: false; issues: ReplyIssue[]; fixes: string[] };

/** Enough passes for a fix that reveals the next level (a single item wrapped in a list, then its own keys). */
const MAX_PASSES = 6;

type Key = string | number;
type Container = Record<string, unknown> | unknown[];

/**
 * Validates a model's reply against `schema`, normalising what only differs in form. On failure the issues are those of
 * the last candidate, each replaced by the original issue at the same path when that was the same problem, so they
 * quote what the model actually sent; a problem that is left after a fix (`"11"` read as 11, which is too big) is
 * reported as it is now, quoting the value it is about.
 */
export function validateReply<Output>(schema: z.ZodType<Output>, value: unknown): ReplyValidation<Output> {
  const first = schema.safeParse(value, { reportInput: true });
  if (first.success) return { success: true, data: first.data, fixes: [] };
  const fixes: string[] = [];
  let candidate = value;
  let issues: ReplyIssue[] = first.error.issues;
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const repaired = repairOnce(schema, candidate, issues);
    if (!repaired) break;
    candidate = repaired.value;
    fixes.push(...repaired.fixes);
    const next = schema.safeParse(candidate, { reportInput: true });
    if (next.success) return { success: true, data: next.data, fixes };
    issues = next.error.issues;
  }
  // Only issues that quote a value: where the reply had nothing (a field inside a wrapper it had not yet unwrapped),
  // the last candidate's issue says more.
  const original = new Map(first.error.issues.filter((issue) => issue.input !== undefined).map((issue) => [pathText(issue.path), issue]));
  const reported = issues.map((issue) => {
    const before = original.get(pathText(issue.path));
    return before && sameProblem(before, issue) ? before : issue;
  });
  return { success: false, issues: reported, fixes };
}

/** Whether two issues at one path are one problem (a value still not of the expected type), not one fixed and another left. */
function sameProblem(before: ReplyIssue, after: ReplyIssue): boolean {
  if (before.code !== after.code) return false;
  return before.code === 'invalid_type' && after.code === 'invalid_type' ? before.expected === after.expected : true;
}

/** A dotted path such as `steps.0.id`, or `(root)`. */
export function pathText(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(root)';
}

/** A value as a short quote for an error message: JSON, cut at `limit` characters. */
export function quote(value: unknown, limit = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  // Never cut inside a token: a partial secret would pass redaction.
  const shown = excerpt(text, limit - 1);
  return shown.cut ? `${shown.text}…` : text;
}

/** An enum value's spelling with case, whitespace, dashes, underscores and surrounding punctuation set aside. */
function token(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .replace(/[\s_-]+/g, '-');
}

/** A key's spelling with case, whitespace, dashes and underscores set aside: `chunk_id` and `chunkId` agree. */
function keyToken(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, '');
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isContainer(value) && !Array.isArray(value);
}

/** The parent container of a path in `box` (whose `root` holds the value) and the last key, if the path exists. */
function locate(box: Record<string, unknown>, path: readonly PropertyKey[]): { parent: Container; key: Key } | undefined {
  let parent: unknown = box;
  let key: Key = 'root';
  for (const step of path) {
    const next: unknown = (parent as Record<Key, unknown>)[key];
    if (!isContainer(next) || typeof step === 'symbol') return undefined;
    parent = next;
    key = step;
  }
  return isContainer(parent) ? { parent, key } : undefined;
}

function read(place: { parent: Container; key: Key }): unknown {
  return (place.parent as Record<Key, unknown>)[place.key];
}

function write(place: { parent: Container; key: Key }, value: unknown): void {
  (place.parent as Record<Key, unknown>)[place.key] = value;
}

function parseJsonText(text: string, expected: 'array' | 'object'): unknown {
  const trimmed = text.trim();
  if (!(expected === 'array' ? trimmed.startsWith('[') : trimmed.startsWith('{'))) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return (expected === 'array') === Array.isArray(parsed) && isContainer(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The value a type-mismatched field most plainly meant, or `undefined` when there is none. */
function coerce(current: unknown, expected: string): unknown {
  switch (expected) {
    case 'array':
      if (typeof current === 'string') return parseJsonText(current, 'array') ?? [current];
      return [current];
    case 'object':
      return typeof current === 'string' ? parseJsonText(current, 'object') : undefined;
    case 'number':
    case 'int':
      return typeof current === 'string' && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(current) ? Number(current) : undefined;
    case 'boolean':
      if (typeof current !== 'string') return undefined;
      return token(current) === 'true' ? true : token(current) === 'false' ? false : undefined;
    case 'string':
      return typeof current === 'number' || typeof current === 'boolean' ? String(current) : undefined;
    default:
      return undefined;
  }
}

/** The allowed value `current` spells in another form (case, spacing, `approved` for `approve`), if exactly one. */
function matchValue(current: string, values: readonly unknown[]): unknown {
  const wanted = token(current);
  const matches = values.filter((value) => {
    if (typeof value !== 'string') return false;
    const allowed = token(value);
    return wanted === allowed || wanted === `${allowed}d` || wanted === `${allowed}ed`;
  });
  return matches.length === 1 ? matches[0] : undefined;
}

/** The parts of a zod definition this module reads to find an object's keys. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  out?: z.core.$ZodType;
  getter?: () => z.core.$ZodType;
}

function defOf(schema: z.core.$ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

/** The schema that validates the value at `path`, with wrappers (optional, default, pipe...) taken off; if any. */
function schemaAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = schema;
  let index = 0;
  for (let guard = 0; current && guard < 100; guard += 1) {
    const def = defOf(current);
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'catch':
      case 'readonly':
      case 'nonoptional':
        current = def.innerType;
        continue;
      case 'pipe':
        current = def.in && defOf(def.in).type === 'transform' ? def.out : def.in;
        continue;
      case 'lazy':
        current = def.getter?.();
        continue;
      default:
        break;
    }
    if (index === path.length) return current;
    const step = path[index];
    index += 1;
    if (def.type === 'object' && typeof step === 'string') current = def.shape?.[step];
    else if (def.type === 'array' && typeof step === 'number') current = def.element;
    else return undefined;
  }
  return undefined;
}

/** The fields of the object schema at `path` (optional ones included), or none when the path leads elsewhere. */
function shapeAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): Record<string, z.core.$ZodType> {
  const found = schemaAt(schema, path);
  const def = found ? defOf(found) : undefined;
  return def?.type === 'object' && def.shape ? def.shape : {};
}

/** The keys the object schema at `path` declares (optional ones included), or none when the path leads elsewhere. */
function keysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  return Object.keys(shapeAt(schema, path));
}

/**
 * The field a lone string stands for where the schema at `path` wants an object: the object's only required field,
 * when it is a string. `undefined` when the object asks for more (a citation's source and quote), so nothing is guessed.
 */
function soleStringField(schema: z.core.$ZodType, path: readonly PropertyKey[]): string | undefined {
  const required = Object.entries(shapeAt(schema, path)).filter(([, field]) => field._zod.optin === undefined);
  if (required.length !== 1) return undefined;
  const [name, field] = required[0]!;
  return defOf(schemaAt(field, []) ?? field).type === 'string' ? name : undefined;
}

/**
 * The object inside a wrapper such as `{"plan": {...}}` where the schema at `path` wants the object itself: the reply
 * has one key, the schema declares no key spelled like it, and the inner object has keys the schema declares.
 */
function wrappedValue(schema: z.core.$ZodType, path: readonly PropertyKey[], value: Record<string, unknown>): { key: string; inner: Record<string, unknown> } | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  const inner = value[key];
  const declared = new Set(keysAt(schema, path).map(keyToken));
  if (!isPlainObject(inner) || declared.has(keyToken(key))) return undefined;
  return Object.keys(inner).some((name) => declared.has(keyToken(name))) ? { key, inner } : undefined;
}

/** One round of fixes for the issues of `value`; `undefined` when none of them is a matter of form. */
function repairOnce(schema: z.core.$ZodType, value: unknown, issues: readonly ReplyIssue[]): { value: unknown; fixes: string[] } | undefined {
  const box: Record<string, unknown> = { root: structuredClone(value) };
  const fixes: string[] = [];
  // Keys the schema wants but the reply lacks, per parent path: an unknown key spelled like one of them is renamed.
  const missing = new Map<string, string[]>();
  for (const issue of issues) {
    const last = issue.path.at(-1);
    const place = locate(box, issue.path);
    if (typeof last === 'string' && place && isPlainObject(place.parent) && !(last in place.parent)) {
      const parentPath = pathText(issue.path.slice(0, -1));
      missing.set(parentPath, [...(missing.get(parentPath) ?? []), last]);
    }
  }
  // Values replaced whole (an unwrapped object): later issues under them describe what was there before.
  const replaced: string[] = [];
  for (const issue of issues) {
    const where = pathText(issue.path);
    if (replaced.some((path) => where === path || where.startsWith(`${path}.`) || path === '(root)')) continue;
    const place = locate(box, issue.path);
    if (!place) continue;
    const current = read(place);
    if (current === null && issue.code !== 'custom') {
      // `null` for a field: left out instead. A required field then reports the original issue, quoting null.
      if (isPlainObject(place.parent) && typeof place.key === 'string') {
        delete place.parent[place.key];
        fixes.push(`${where}: null left out`);
      }
      continue;
    }
    switch (issue.code) {
      case 'invalid_type': {
        if (current === undefined) break;
        const coerced = coerce(current, issue.expected);
        if (coerced !== undefined) {
          write(place, coerced);
          fixes.push(`${where}: ${quote(current, 30)} read as ${issue.expected}`);
          break;
        }
        const field = issue.expected === 'object' && typeof current === 'string' ? soleStringField(schema, issue.path) : undefined;
        if (field !== undefined) {
          write(place, { [field]: current });
          fixes.push(`${where}: ${quote(current, 30)} read as its ${quote(field, 30)}`);
        }
        break;
      }
      case 'invalid_value': {
        if (typeof current !== 'string') break;
        const matched = matchValue(current, issue.values);
        if (matched !== undefined && matched !== current) {
          write(place, matched);
          fixes.push(`${where}: ${quote(current, 30)} read as ${quote(matched, 30)}`);
        }
        break;
      }
      case 'invalid_format': {
        if (typeof current === 'string' && current.trim() !== current) {
          write(place, current.trim());
          fixes.push(`${where}: whitespace trimmed`);
        }
        break;
      }
      case 'unrecognized_keys': {
        if (!isPlainObject(current)) break;
        const wrapped = wrappedValue(schema, issue.path, current);
        if (wrapped) {
          write(place, wrapped.inner);
          replaced.push(where);
          fixes.push(`${where}: wrapper key ${quote(wrapped.key, 30)} unwrapped`);
          break;
        }
        const wanted = [...(missing.get(where) ?? []), ...keysAt(schema, issue.path)];
        for (const key of issue.keys) {
          const target = wanted.find((name) => keyToken(name) === keyToken(key));
          if (target !== undefined && !(target in current)) {
            current[target] = current[key];
            fixes.push(`${where}: key ${quote(key, 30)} read as ${quote(target, 30)}`);
          } else {
            fixes.push(`${where}: unknown key ${quote(key, 30)} left out`);
          }
          delete current[key];
        }
        break;
      }
      default:
        break;
    }
  }
  return fixes.length ? { value: box['root'], fixes } : undefined;
}
