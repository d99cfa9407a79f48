/**
 * A flow whose roles need language models, loaded where only the offline engine is configured: it stops before any
 * call with one message naming every role that needs a model and what for (a vision model for the photo), never
 * pretending to have read the photo.
 */
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { RoleError } from '../../src/errors.js';
import { makeProject } from '../support/project.js';

describe('a flow that needs models, with none configured', () => {
  it('names every role that needs a model, and the vision it needs', () => {
    const cwd = makeProject({
      'baton.config.yaml': 'flow: [intent, inspector, planner, researcher, checker]\n',
      'agents/intent.yaml': 'name: intent\nkind: generic\noutput: { type: object, properties: { urgency: { type: string } }, required: [urgency] }\n',
      'agents/inspector.yaml': 'name: inspector\nkind: generic\nneeds: { capabilities: [vision] }\n',
      'prompts/intent.md': '---\nvariables: [goal]\n---\n# System\nYou extract the intent.\n# User\n{{goal}}\n',
      'prompts/inspector.md': '---\nvariables: [goal]\n---\n# System\nYou inspect photos.\n# User\n{{goal}}\n',
    });
    let error: unknown;
    try {
      loadProject({ cwd, env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RoleError);
    const message = (error as RoleError).message;
    expect(message).toMatch(/this flow needs language models, and only the offline engine is configured: intent needs text \(structured output\); inspector needs vision/);
    expect(message).toContain('no photo or document was read');
    expect((error as RoleError).hint).toMatch(/models:/);
  });
});
