/**
 * The idempotency key hashes the mapped request; a mapping using JSONata's $now() (or $millis(), $random()) would give
 * a new request, so a new key, on every execution of the node, and a replay after a crash would send the effect again.
 * Such mappings are refused at load for side effects.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/load.js';
import { crm, ENV, project } from './helpers.js';

const FLOW_NOW = `[planner, researcher, checker, { action: customer, call: crm.customer, input: "{ 'id': 'c-1001' }" }, { action: ticket, call: crm.open_ticket, input: "{ 'customerId': outputs.customer.id, 'summary': 'Ledger question at ' & $millis() }" }]`;

describe('a mapping with $millis()/$now()', () => {
  it('is refused at load for a side effect, naming the config line: its key would change on a resume and the effect happen twice', async () => {
    const system = await crm();
    const cwd = project(system.url, { approval: 'never' }, FLOW_NOW);
    expect(() => loadProject({ cwd, env: ENV })).toThrow(/baton\.config\.yaml:\d+:\d+ \(at flow\[4\]\.input\).*\$millis\(\), which gives another value each time/);
  });

  it('is refused in a side-effect operation\'s request mapping, and allowed in a read\'s', async () => {
    const system = await crm();
    const cwd = project(system.url);
    const file = path.join(cwd, 'connectors', 'crm.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace("body: \"{ 'customerId': customerId, 'summary': summary }\"", "body: \"{ 'customerId': customerId, 'at': $now() }\""));
    expect(() => loadProject({ cwd, env: ENV })).toThrow(/crm\.yaml:\d+:\d+ \(at operations\.open_ticket\.request\.body\).*\$now\(\) gives another value/);
    writeFileSync(file, readFileSync(file, 'utf8').replace("'at': $now()", "'summary': summary").replace('    records: { id: id }', "    records: { id: id }\n    request: { query: \"{ 'at': $millis() }\" }"));
    expect(() => loadProject({ cwd, env: ENV })).not.toThrow();
  });
});
