/**
 * A small JSON Schema validator for the subset the OpenAPI document uses (what zod's `toJSONSchema` emits and the
 * hand-written schemas next to it), so tests can check real responses against the document. A keyword it does not
 * know is an error, never silently ignored: a schema that grows a new keyword makes the test say so.
 */

type Schema = Record<string, unknown>;

/** Keywords that only describe; they constrain nothing. */
const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$schema', '$id', 'format', 'id']);
const KEYWORDS = new Set([
  '$ref', 'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'enum', 'const', 'anyOf', 'oneOf', 'allOf',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'pattern',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeOf(value) === type;
  }
}

function resolve(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, not ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (typeof node !== 'object' || node === null) throw new Error(`$ref ${ref} points at nothing`);
  return node as Schema;
}

/** Every way `value` breaks `schema` (empty when it conforms), each with the JSON path where. */
export function validate(schema: unknown, value: unknown, root: Schema, path = '$'): string[] {
  if (schema === true || (typeof schema === 'object' && schema !== null && Object.keys(schema).length === 0)) return [];
  if (schema === false) return [`${path}: no value is allowed here`];
  if (typeof schema !== 'object' || schema === null) throw new Error(`${path}: not a schema: ${JSON.stringify(schema)}`);
  const node = schema as Schema;
  for (const keyword of Object.keys(node)) {
    if (!KEYWORDS.has(keyword) && !ANNOTATIONS.has(keyword)) throw new Error(`${path}: the test validator does not know the keyword "${keyword}"`);
  }
  const problems: string[] = [];
  if (typeof node['$ref'] === 'string') problems.push(...validate(resolve(root, node['$ref']), value, root, path));
  if (node['type'] !== undefined) {
    const types = Array.isArray(node['type']) ? (node['type'] as string[]) : [node['type'] as string];
    if (!types.some((type) => matchesType(type, value))) return [...problems, `${path}: expected ${types.join(' or ')}, got ${typeOf(value)} ${JSON.stringify(value)?.slice(0, 60)}`];
  }
  if ('const' in node && JSON.stringify(node['const']) !== JSON.stringify(value)) problems.push(`${path}: expected ${JSON.stringify(node['const'])}, got ${JSON.stringify(value)}`);
  if (Array.isArray(node['enum']) && !node['enum'].some((option) => JSON.stringify(option) === JSON.stringify(value))) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(node['enum'])}`);
  if (Array.isArray(node['anyOf'])) {
    const results = node['anyOf'].map((option) => validate(option, value, root, path));
    if (!results.some((result) => result.length === 0)) problems.push(`${path}: matches none of anyOf (${results.map((result) => result[0]).join(' | ')})`);
  }
  if (Array.isArray(node['oneOf'])) {
    const matching = node['oneOf'].filter((option) => validate(option, value, root, path).length === 0).length;
    if (matching !== 1) problems.push(`${path}: matches ${matching} of oneOf, not exactly one`);
  }
  if (Array.isArray(node['allOf'])) for (const part of node['allOf']) problems.push(...validate(part, value, root, path));
  if (typeof value === 'number') {
    if (typeof node['minimum'] === 'number' && value < node['minimum']) problems.push(`${path}: ${value} < minimum ${node['minimum']}`);
    if (typeof node['maximum'] === 'number' && value > node['maximum']) problems.push(`${path}: ${value} > maximum ${node['maximum']}`);
    if (typeof node['exclusiveMinimum'] === 'number' && value <= node['exclusiveMinimum']) problems.push(`${path}: ${value} <= exclusiveMinimum ${node['exclusiveMinimum']}`);
    if (typeof node['exclusiveMaximum'] === 'number' && value >= node['exclusiveMaximum']) problems.push(`${path}: ${value} >= exclusiveMaximum ${node['exclusiveMaximum']}`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof node['minLength'] === 'number' && length < node['minLength']) problems.push(`${path}: shorter than ${node['minLength']}`);
    if (typeof node['maxLength'] === 'number' && length > node['maxLength']) problems.push(`${path}: longer than ${node['maxLength']}`);
    if (typeof node['pattern'] === 'string' && !new RegExp(node['pattern'], 'u').test(value)) problems.push(`${path}: does not match ${node['pattern']}`);
  }
  if (Array.isArray(value)) {
    if (typeof node['minItems'] === 'number' && value.length < node['minItems']) problems.push(`${path}: fewer than ${node['minItems']} items`);
    if (typeof node['maxItems'] === 'number' && value.length > node['maxItems']) problems.push(`${path}: more than ${node['maxItems']} items`);
    if (node['items'] !== undefined) value.forEach((item, index) => problems.push(...validate(node['items'], item, root, `${path}[${index}]`)));
  }
  if (matchesType('object', value)) {
    const object = value as Record<string, unknown>;
    const properties = (node['properties'] ?? {}) as Record<string, unknown>;
    for (const name of (node['required'] ?? []) as string[]) if (!(name in object)) problems.push(`${path}: the required property "${name}" is missing`);
    for (const [name, property] of Object.entries(object)) {
      if (name in properties) problems.push(...validate(properties[name], property, root, `${path}.${name}`));
      else if (node['additionalProperties'] === false) problems.push(`${path}: the property "${name}" is not in the schema (additionalProperties: false)`);
      else if (node['additionalProperties'] !== undefined && node['additionalProperties'] !== true) problems.push(...validate(node['additionalProperties'], property, root, `${path}.${name}`));
      if (node['propertyNames'] !== undefined) problems.push(...validate(node['propertyNames'], name, root, `${path} (the name "${name}")`));
    }
  }
  return problems;
}
