import { describe, expect, it } from 'vitest';
import { describeEngines, displayEndpoint } from '../../src/cli/engines.js';
import { loadProject } from '../../src/config/load.js';
import { RunLabels } from '../../src/routing/needs.js';
import { makeProject } from '../support/project.js';

const MODELS = `models:
  - name: local
    provider: openai-compatible
    baseUrl: http://localhost:11434/v1
    model: llama3.1
    zone: private
    pricing: { inputPerMillion: 0, outputPerMillion: 0 }
  - name: big
    provider: openai-compatible
    baseUrl: https://user:secret@api.example.com/v1?key=abc
    model: gpt-4o
    zone: external
    pricing: { inputPerMillion: 5, outputPerMillion: 15 }
`;

function role(name: string, kind: string, extra: string): string {
  return `name: ${name}\nkind: ${kind}\ndescription: ${name}.\nprompt: ${name}\n${extra}`;
}

/** Planner on a configured model, researcher routed by needs, checker on the offline engine. */
function mixedProject(env: Record<string, string> = {}) {
  const cwd = makeProject({
    'baton.config.yaml': MODELS,
    'agents/planner.yaml': role('planner', 'planner', 'model: local\n'),
    'agents/researcher.yaml': role('researcher', 'researcher', 'needs:\n  capabilities: [text]\n'),
    'agents/checker.yaml': role('checker', 'checker', 'model: offline\n'),
  });
  return loadProject({ cwd, env });
}

describe('describeEngines (the banner of baton run)', () => {
  it('names each role\'s engine when only some roles are offline', () => {
    const banner = describeEngines(mixedProject());
    expect(banner).toBe(
      'Engines: planner → local (openai-compatible, http://localhost:11434/v1, llama3.1); researcher → routed by needs (candidates: local, big); checker → offline',
    );
    expect(banner).not.toMatch(/offline engine/);
  });

  it('ranks a routed role\'s candidates under the run\'s labels', () => {
    const confidential = describeEngines(mixedProject(), RunLabels.parse({ confidential: true }));
    expect(confidential).toContain('researcher → routed by needs (candidates: local)');
    const broke = describeEngines(mixedProject(), RunLabels.parse({ budgetUsd: 0 }));
    expect(broke).toContain('researcher → routed by needs (candidates: local)');
  });

  it('says so when no model fits a routed role', () => {
    const cwd = makeProject({
      'baton.config.yaml': MODELS,
      'agents/researcher.yaml': role('researcher', 'researcher', 'needs:\n  tier: 3\n'),
    });
    const banner = describeEngines(loadProject({ cwd, env: {} }));
    expect(banner).toContain('researcher → routed by needs (no eligible model)');
  });

  it('is one short entry when every role uses the offline engine', () => {
    expect(describeEngines(loadProject({ cwd: makeProject({}), env: {} }))).toBe('Engines: every role → offline (no network, deterministic)');
  });

  it('is one short entry when every role uses the same endpoint', () => {
    const project = loadProject({ cwd: makeProject({}), env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', BATON_MODEL: 'llama3' } });
    expect(describeEngines(project)).toBe('Engines: every role → env (openai-compatible, http://127.0.0.1:9/v1, llama3)');
  });

  it('--offline puts every role on the offline engine whatever the config says', () => {
    const cwd = makeProject({ 'baton.config.yaml': MODELS, 'agents/planner.yaml': role('planner', 'planner', 'model: local\n') });
    expect(describeEngines(loadProject({ cwd, env: {}, offline: true }))).toBe('Engines: every role → offline (no network, deterministic)');
  });

  it('never shows credentials, query or fragment of an endpoint', () => {
    expect(displayEndpoint('https://user:secret@api.example.com/v1?key=abc#x')).toBe('https://api.example.com/v1');
    expect(displayEndpoint('http://localhost:8080/')).toBe('http://localhost:8080');
    const cwd = makeProject({ 'baton.config.yaml': MODELS, 'agents/planner.yaml': role('planner', 'planner', 'model: big\n') });
    const banner = describeEngines(loadProject({ cwd, env: {} }));
    expect(banner).toContain('planner → big (openai-compatible, https://api.example.com/v1, gpt-4o)');
    expect(banner).not.toMatch(/secret|key=abc/);
  });
});
