import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectorError, ConnectorFileError } from '../../../src/connectors/errors.js';
import { createKit } from '../../../src/connectors/kit.js';
import { operationIdOf, toolNameOf } from '../../../src/connectors/set.js';
import { loadConnectorFile, loadConnectors } from '../../../src/connectors/load.js';
import { compileMapping, isMappingProblem, MAPPING_TIMEOUT_MS, type Mapping } from '../../../src/connectors/mapping.js';

const noSecrets = { names: () => [] as string[] };
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'review-load-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
const HTTP = (op: string, extra = '') => `name: crm\nkind: http\nbaseUrl: https://crm.example.com\noperations:\n  ${op}:\n    path: /x\n${extra}`;

describe('connector loading review', () => {
  it('refuses two files declaring the same connector (crm.yaml and crm.yml) instead of silently keeping one', () => {
    const dir = folder({ 'crm.yaml': HTTP('customer'), 'crm.yml': HTTP('orders') });
    expect(() => loadConnectors(dir, noSecrets)).toThrow(ConnectorFileError); // actual: loads, crm.customer silently gone
  });

  it('refuses an input schema that is not an object schema (every call would fail "must be a JSON object")', () => {
    const dir = folder({ 'crm.yaml': HTTP('customer', '    input: { type: string }\n') });
    expect(() => loadConnectorFile(path.join(dir, 'crm.yaml'), noSecrets)).toThrow(/input/); // actual: loads
  });

  it('names what an operation name must look like', () => {
    const dir = folder({ 'crm.yaml': HTTP('GetCustomer') });
    expect(() => loadConnectorFile(path.join(dir, 'crm.yaml'), noSecrets)).toThrow(/lower-case/); // actual: "Invalid key in record"
  });

  it('refuses misspelled JSON Schema keywords in input (requried, minLenght) instead of ignoring them', () => {
    const dir = folder({ 'crm.yaml': HTTP('customer', '    input: { type: object, properties: { id: { type: string, minLenght: 3 } }, requried: [id] }\n') });
    expect(() => loadConnectorFile(path.join(dir, 'crm.yaml'), noSecrets)).toThrow(/requried|minLenght/); // actual: loads; the schema checks nothing
  });

  it('refuses a path placeholder the input cannot fill (the loader comment promises this check)', () => {
    const dir = folder({ 'crm.yaml': `name: crm\nkind: http\nbaseUrl: https://crm.example.com\noperations:\n  customer:\n    path: /customers/{customerld}\n    input: { type: object, properties: { customerId: { type: string } }, required: [customerId], additionalProperties: false }\n` });
    expect(() => loadConnectorFile(path.join(dir, 'crm.yaml'), noSecrets)).toThrow(/customerld/); // actual: loads; every call fails
  });

  it('says an empty connector file is empty (not "Invalid discriminator value" without a line)', () => {
    const dir = folder({ 'crm.yaml': '' });
    expect(() => loadConnectorFile(path.join(dir, 'crm.yaml'), noSecrets)).toThrow(/empty/);
  });
});

/** File-review tests of the loader, the JSONata guards and tool names (each once a reproduced defect). */
function compiled(expression: string): Mapping {
  const mapping = compileMapping(expression);
  if (isMappingProblem(mapping)) throw new Error(mapping.message);
  return mapping;
}

describe('JSONata guardrails review', () => {
  it('refuses at compile a regular expression that can backtrack exponentially (a running built-in cannot be timed out)', () => {
    for (const expression of ['$match(name, /^(a+)+$/)', '$contains(name, /(\\w*)*x/)', '$replace(name, /(a|aa)+$/, "")']) {
      const mapping = compileMapping(expression);
      expect(isMappingProblem(mapping) && mapping.message, expression).toMatch(/repeats a group that itself repeats/);
    }
    expect(isMappingProblem(compileMapping('$match(name, /^a+b?$/)'))).toBe(false);
    expect(MAPPING_TIMEOUT_MS).toBeGreaterThan(0);
  });

  it('refuses $eval, which would run data as an expression', () => {
    const mapping = compileMapping("$eval(summary)");
    expect(isMappingProblem(mapping) && mapping.message).toMatch(/\$eval runs text as an expression/);
  });

  it('a mapping giving an oversize value fails as a ConnectorError, not a raw RangeError', async () => {
    const kit = createKit('crm.note', undefined, new Map([['request.body', compiled("$pad('', n, '\"')")]]));
    const error = await kit.map('request.body', { n: 300_000_000 }).then(() => undefined, (e) => e);
    expect(error).toBeInstanceOf(ConnectorError); // actual: RangeError: Invalid string length (CLI: "internal error" + stack, exit 70)
  }, 60_000);
});

describe('model-facing tool names review', () => {
  it('two different operations never share a tool name: a __ inside a connector or operation name is refused', () => {
    const dir = folder({ 'a__b.yaml': 'name: a__b\nkind: http\nbaseUrl: https://crm.example.com\noperations:\n  c:\n    path: /x\n', 'a.yaml': HTTP('b__c').replace('name: crm', 'name: a') });
    expect(() => loadConnectorFile(path.join(dir, 'a__b.yaml'), noSecrets)).toThrow(/single _/);
    expect(() => loadConnectorFile(path.join(dir, 'a.yaml'), noSecrets)).toThrow(/"b__c" is not an operation name; expected a lower-case name of letters, digits and single _/);
    expect(toolNameOf('crm.purchase_history')).toBe('crm__purchase_history');
    expect(operationIdOf('crm__purchase_history', ['crm.purchase_history', 'crm.purchase'])).toBe('crm.purchase_history');
  });
});
