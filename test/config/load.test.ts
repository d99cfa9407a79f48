import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { BatonError, ConfigError, ConfigNotFoundError, FlowError, PromptError, RoleError, UnknownModelError } from '../../src/errors.js';
import { EDITOR_PROMPT, EDITOR_ROLE, makeProject } from '../support/project.js';

function load(files: Record<string, string>, env: Record<string, string> = {}) {
  const cwd = makeProject(files);
  return loadProject({ cwd, env });
}

function failure(files: Record<string, string>): BatonError {
  try {
    load(files);
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error('expected the project to be refused');
}

describe('loadProject', () => {
  it('uses the built-in flow and the offline engine with no config file', () => {
    const project = load({});
    expect(project.stages.map((stage) => `${stage.name}:${stage.kind}`)).toEqual(['planner:planner', 'researcher:researcher', 'checker:checker']);
    expect(project.defaultModel).toBe('offline');
    expect(project.modelSource).toBe('offline');
    expect(project.stages[2]?.onReject).toBe(0);
  });

  it('uses the environment endpoint when OPENAI_BASE_URL is set and the config names no default', () => {
    const project = load({}, { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', BATON_MODEL: 'llama3' });
    expect(project.modelSource).toBe('environment');
    const model = project.models.find((candidate) => candidate.name === 'env');
    expect(model).toMatchObject({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', model: 'llama3' });
    expect(project.stages.every((stage) => stage.model === 'env')).toBe(true);
  });

  it('lets a config-only role join the flow', () => {
    const project = load({
      'baton.config.yaml': 'flow: [planner, researcher, editor, checker]\n',
      'agents/editor.yaml': EDITOR_ROLE,
      'prompts/editor.md': EDITOR_PROMPT,
    });
    expect(project.stages.map((stage) => stage.name)).toEqual(['planner', 'researcher', 'editor', 'checker']);
    expect(project.stages[2]?.prompt.variables).toEqual(['goal', 'draft']);
  });

  it('reports a wrong type with file, field path and line', () => {
    const error = failure({ 'baton.config.yaml': 'version: 1\nlimits:\n  maxRounds: "three"\n' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/baton\.config\.yaml:3:\d+ \(at limits\.maxRounds\)/);
    expect(error.message).toMatch(/expected number/);
  });

  it('reports an unknown field by name', () => {
    const error = failure({ 'baton.config.yaml': 'version: 1\nflwo: [planner]\n' });
    expect(error.message).toMatch(/unknown field "flwo"/);
  });

  it('reports YAML syntax errors with their line', () => {
    const error = failure({ 'baton.config.yaml': 'version: 1\nflow: [planner\nlimits: {}\n' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/invalid YAML/);
    expect(error.message).toMatch(/baton\.config\.yaml:\d+/);
  });

  it('refuses a missing explicit config file', () => {
    const cwd = makeProject({});
    expect(() => loadProject({ cwd, env: {}, configFile: 'nope.yaml' })).toThrow(ConfigNotFoundError);
  });

  it('refuses an unknown role in the flow, listing the roles there are', () => {
    const error = failure({ 'baton.config.yaml': 'flow: [planner, researcher, reviewer, checker]\n' });
    expect(error).toBeInstanceOf(FlowError);
    expect(error.message).toMatch(/unknown role "reviewer"; available roles: .*checker.*planner.*researcher/);
    expect(error.message).toMatch(/:1:\d+ \(at flow\[2\]\)/);
  });

  it('refuses a flow with no checker gate', () => {
    const error = failure({ 'baton.config.yaml': 'flow: [planner, researcher]\n' });
    expect(error).toBeInstanceOf(FlowError);
    expect(error.message).toMatch(/no checker gate/);
  });

  it('refuses onReject on a stage that is not a checker', () => {
    const error = failure({ 'baton.config.yaml': 'flow:\n  - planner\n  - role: researcher\n    onReject: planner\n  - checker\n' });
    expect(error.message).toMatch(/only a checker gate may loop back/);
  });

  it('refuses a researcher before any planner, and a role twice', () => {
    expect(failure({ 'baton.config.yaml': 'flow: [researcher, planner, checker]\n' }).message).toMatch(/a planner must come before it/);
    expect(failure({ 'baton.config.yaml': 'flow: [planner, researcher, checker, planner]\n' }).message).toMatch(/appears twice/);
  });

  it('refuses a role that writes the draft after the last gate', () => {
    const error = failure({
      'baton.config.yaml': 'flow: [planner, researcher, checker, editor]\n',
      'agents/editor.yaml': EDITOR_ROLE,
      'prompts/editor.md': EDITOR_PROMPT,
    });
    expect(error.message).toMatch(/would never be verified/);
  });

  it('refuses an invalid role file, naming the file and field', () => {
    const error = failure({
      'baton.config.yaml': 'flow: [planner, researcher, editor, checker]\n',
      'agents/editor.yaml': 'name: editor\nkind: polisher\n',
      'prompts/editor.md': EDITOR_PROMPT,
    });
    expect(error).toBeInstanceOf(RoleError);
    expect(error.message).toMatch(/editor\.yaml:2:\d+ \(at kind\)/);
  });

  it('refuses a role whose name does not match its file', () => {
    const error = failure({
      'baton.config.yaml': 'flow: [planner, researcher, editor, checker]\n',
      'agents/editor.yaml': 'name: polisher\nkind: generic\n',
      'prompts/editor.md': EDITOR_PROMPT,
    });
    expect(error.message).toMatch(/does not match its file name/);
  });

  it('refuses a prompt placeholder that is not declared', () => {
    const error = failure({
      'baton.config.yaml': 'flow: [planner, researcher, editor, checker]\n',
      'agents/editor.yaml': EDITOR_ROLE,
      'prompts/editor.md': '---\nvariables: [goal]\n---\n# System\nEdit.\n# User\n{{goal}} {{draft}}\n',
    });
    expect(error).toBeInstanceOf(PromptError);
    expect(error.message).toMatch(/editor\.md:7.*\{\{draft\}\} is not declared/);
  });

  it('refuses a prompt variable the state does not provide', () => {
    const error = failure({
      'baton.config.yaml': 'flow: [planner, researcher, editor, checker]\n',
      'agents/editor.yaml': EDITOR_ROLE,
      'prompts/editor.md': '---\nvariables: [goal, customerName]\n---\n# System\nEdit.\n# User\n{{goal}} {{customerName}}\n',
    });
    expect(error.message).toMatch(/variable "customerName" is not provided by the state for a generic role; available: goal/);
  });

  it('refuses a role whose prompt file is missing, and a prompt with no sections', () => {
    expect(
      failure({ 'baton.config.yaml': 'flow: [planner, researcher, editor, checker]\n', 'agents/editor.yaml': EDITOR_ROLE }).message,
    ).toMatch(/prompt "editor" not found/);
    expect(
      failure({
        'baton.config.yaml': 'flow: [planner, researcher, editor, checker]\n',
        'agents/editor.yaml': EDITOR_ROLE,
        'prompts/editor.md': '---\nvariables: []\n---\nJust text.\n',
      }).message,
    ).toMatch(/# System.*# User/);
  });

  it('refuses an unknown model, listing the registered ones', () => {
    const error = failure({ 'baton.config.yaml': 'defaultModel: gpt-9\n' });
    expect(error).toBeInstanceOf(UnknownModelError);
    expect(error.message).toMatch(/unknown model "gpt-9". Available models: offline/);
  });

  it('refuses a model entry with a bad base URL or zone', () => {
    const error = failure({
      'baton.config.yaml': 'models:\n  - name: local\n    provider: openai-compatible\n    baseUrl: ftp://x\n    model: m\n    zone: moon\n',
    });
    expect(error.message).toMatch(/models\[0\]\.baseUrl/);
    expect(error.message).toMatch(/models\[0\]\.zone/);
  });
});

describe('loadProject: model declarations', () => {
  const model = (fields: string) => `models:\n  - name: m\n    provider: openai-compatible\n    baseUrl: http://127.0.0.1:9/v1\n    model: x\n${fields}`;

  it('refuses an unknown capability and a price that is not a number, naming the field', () => {
    const error = failure({ 'baton.config.yaml': model('    capabilities: [text, telepathy]\n    pricing: { inputPerMillion: cheap, outputPerMillion: 1 }\n') });
    expect(error.message).toMatch(/models\[0\]\.capabilities\[1\]/);
    expect(error.message).toMatch(/models\[0\]\.pricing\.inputPerMillion/);
  });

  it('refuses a model entry without a base URL', () => {
    const error = failure({ 'baton.config.yaml': 'models:\n  - name: m\n    provider: openai-compatible\n    model: x\n' });
    expect(error.message).toMatch(/models\[0\]\.baseUrl.*missing required field/);
  });

  it('refuses a role that needs a capability no model has', () => {
    const error = failure({
      'baton.config.yaml': `${model('')}flow: [planner, researcher, checker]\n`,
      'agents/researcher.yaml': 'name: researcher\nkind: researcher\nneeds:\n  capabilities: [vision]\n',
    });
    expect(error).toBeInstanceOf(RoleError);
    expect(error.message).toMatch(/researcher\.yaml \(at needs\.capabilities\).*needs vision, and no registered model has it/);
  });

  it('refuses a preference for a model that is not declared', () => {
    const error = failure({
      'baton.config.yaml': model(''),
      'agents/checker.yaml': 'name: checker\nkind: checker\nneeds:\n  prefer: [gpt-9]\n',
    });
    expect(error).toBeInstanceOf(UnknownModelError);
    expect(error.message).toMatch(/unknown model "gpt-9"/);
  });

  it('refuses a config detector whose pattern is not a regular expression', () => {
    const error = failure({ 'baton.config.yaml': 'detectors:\n  - name: ticket\n    pattern: "TCK-("\n' });
    expect(error.message).toMatch(/detector "ticket"/);
  });
});
