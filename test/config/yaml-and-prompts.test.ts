/**
 * YAML and prompt files that used to be half-read or misreported: unknown tags, keys that are collections, nesting
 * too deep for the parser, a byte order mark before front matter, empty front matter, and front matter errors whose
 * line numbers did not match the file. Also the static list of tool names role files are checked against.
 */
import { describe, expect, it, vi } from 'vitest';
import { parsePrompt } from '../../src/config/prompts.js';
import { YamlSource } from '../../src/config/yaml.js';
import { PromptError } from '../../src/errors.js';
import { BUILT_IN_TOOL_NAMES } from '../../src/tools/names.js';
import { builtInTools } from '../../tools/index.js';

function problemsOf(text: string): Array<{ message: string; line?: number }> {
  const parsed = YamlSource.parse('/p/baton.config.yaml', text);
  if (!('problems' in parsed)) throw new Error('expected problems');
  return parsed.problems.map((problem) => ({ message: problem.message, ...(problem.location.line !== undefined ? { line: problem.location.line } : {}) }));
}

function promptError(text: string): PromptError {
  try {
    parsePrompt('/p/prompts/x.md', text);
  } catch (error) {
    if (error instanceof PromptError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('YAML Baton cannot read is refused, not half-read', () => {
  it('an unknown or unsafe tag is an error with its line', () => {
    const [jsFunction] = problemsOf('log:\n  level: info\ndataDir: !!js/function "function(){}"\n');
    expect(jsFunction?.line).toBe(3);
    expect(jsFunction?.message).toContain('Unresolved tag: tag:yaml.org,2002:js/function');
    expect(jsFunction?.message).toContain('without tags such as !!js/function');
    const [custom] = problemsOf('dataDir: !custom x\n');
    expect(custom).toMatchObject({ line: 1 });
    expect(custom?.message).toContain('Unresolved tag: !custom');
    const [misfit] = problemsOf('limits:\n  maxCostUsd: !!float 1\n');
    expect(misfit).toMatchObject({ line: 2 });
    expect(misfit?.message).toMatch(/does not fit its tag !!float; write the value without the tag/);
  });

  it('a complex key is refused clearly, and the parser prints no warning of its own', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      const [problem] = problemsOf('flow: []\n? [a, b]\n: 1\n');
      expect(problem).toEqual({ message: expect.stringContaining('a key that is a list or a mapping') as string, line: 2 });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('very deep nesting says "nested too deeply", not "Maximum call stack size exceeded"', () => {
    for (const text of ['['.repeat(5000) + ']'.repeat(5000), Array.from({ length: 3000 }, (_, index) => `${' '.repeat(index)}a:`).join('\n')]) {
      const problems = problemsOf(text);
      expect(problems[0]?.message).toContain('nested too deeply');
      expect(problems.map((problem) => problem.message).join(' ')).not.toMatch(/call stack/i);
    }
  });

  it('ordinary files still parse, including !!str and other standard tags', () => {
    const parsed = YamlSource.parse('/p/ok.yaml', 'name: !!str 123\nitems: [1, 2]\n');
    expect('source' in parsed && parsed.source.value).toEqual({ name: '123', items: [1, 2] });
  });
});

describe('prompt front matter', () => {
  const body = '# System\nYou plan.\n# User\n{{goal}}\n';

  it('a UTF-8 byte order mark before the front matter is ignored', () => {
    expect(parsePrompt('/p/prompts/x.md', `\uFEFF---\nvariables: [goal]\n---\n${body}`).variables).toEqual(['goal']);
  });

  it('empty front matter declares no variables', () => {
    const template = parsePrompt('/p/prompts/x.md', '---\n---\n# System\nYou plan.\n# User\nGo.\n');
    expect(template.variables).toEqual([]);
    expect(template.user).toBe('Go.');
    // A placeholder then points at the body line it stands on: line 6 of the file.
    expect(promptError('---\n---\n# System\nYou plan.\n# User\n{{goal}}\n').locations[0]?.line).toBe(6);
  });

  it('YAML errors in the front matter report lines of the file', () => {
    const error = promptError('---\nvariables: [goal]\ndescription: "a\n  b: : c\n---\n' + body);
    expect(error.message).toContain('invalid YAML');
    const parsedLine = YamlSource.parse('front', 'variables: [goal]\ndescription: "a\n  b: : c');
    const frontLine = 'problems' in parsedLine ? (parsedLine.problems[0]?.location.line ?? 0) : 0;
    expect(error.locations[0]?.line).toBe(frontLine + 1);
    const tagged = promptError('---\nvariables: [goal]\ndescription: !custom x\n---\n' + body);
    expect(tagged.message).toContain('/p/prompts/x.md:3:');
  });
});

describe('tool names checked at load', () => {
  it('the static list equals the names of the built-in tools', () => {
    expect([...BUILT_IN_TOOL_NAMES].sort()).toEqual(builtInTools.map((tool) => tool.name).sort());
  });
});
