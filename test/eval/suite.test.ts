/** Reading eval suites: a valid one, and each mistake reported with its file, line, column and field path. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError, exitCodeFor } from '../../src/errors.js';
import { loadSuite, selectQuestions, SuiteError } from '../../src/eval/suite.js';
import { temporaryDirectories } from '../support/project.js';

const tempDir = temporaryDirectories('baton-eval-suite-');

function writeSuite(text: string): { dir: string; file: string } {
  const dir = tempDir();
  const file = path.join(dir, 'suite.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

function loadError(text: string): ConfigError {
  const { dir } = writeSuite(text);
  try {
    loadSuite('suite.yaml', dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(exitCodeFor(error)).toBe(78);
    return error as ConfigError;
  }
  throw new Error('the suite loaded');
}

const VALID = `name: fastify-docs
description: Questions on the Fastify docs
config: ./project/baton.config.yaml
thresholds:
  approvedCorrect: 0.8
  citationPrecision: 0.9
questions:
  - id: trailing-slash
    question: "Can I make /foo and /foo/ match the same route?"
    facts: [ignoreTrailingSlash, ["true", enabled]]
    sources: [Reference/Server.md]
  - id: body-limit
    question: What is the default body limit?
    facts: [1048576, true]
    sources: [Reference/Server.md, Guides/Limits.md]
  - id: graphql-builtin
    question: Does Fastify ship a GraphQL server?
    answerable: false
    why: the docs describe no built-in GraphQL support
`;

describe('loadSuite', () => {
  it('reads a valid suite: defaults, fact alternatives, scalars as text, the config resolved against the suite file', () => {
    const { dir, file } = writeSuite(VALID);
    const suite = loadSuite('suite.yaml', dir);
    expect(suite.file).toBe(file);
    expect(suite.name).toBe('fastify-docs');
    expect(suite.configFile).toBe(path.join(dir, 'project', 'baton.config.yaml'));
    expect(suite.thresholds).toEqual({ approvedCorrect: 0.8, citationPrecision: 0.9 });
    expect(suite.questions.map((question) => question.id)).toEqual(['trailing-slash', 'body-limit', 'graphql-builtin']);
    expect(suite.questions[0]).toMatchObject({ answerable: true, facts: [['ignoreTrailingSlash'], ['true', 'enabled']], sources: ['Reference/Server.md'] });
    // YAML reads 1048576 and true as a number and a boolean: both are taken as their text.
    expect(suite.questions[1]?.facts).toEqual([['1048576'], ['true']]);
    expect(suite.questions[2]).toMatchObject({ answerable: false, why: 'the docs describe no built-in GraphQL support', facts: [], sources: [] });
  });

  it('has no thresholds and no config when the suite names none', () => {
    const { dir } = writeSuite('name: tiny\nquestions:\n  - id: q\n    question: What?\n    facts: [x]\n    sources: [a.md]\n');
    const suite = loadSuite('suite.yaml', dir);
    expect(suite.thresholds).toEqual({});
    expect(suite.configFile).toBeUndefined();
  });

  it('refuses an answerable question without facts, naming its line and field path', () => {
    const error = loadError('name: s\nquestions:\n  - id: ok\n    question: Fine?\n    facts: [x]\n    sources: [a.md]\n  - id: no-facts\n    question: Which?\n    sources: [a.md]\n');
    expect(error.message).toMatch(/suite\.yaml:7:5 \(at questions\[1\]\.facts\): an answerable question needs at least one fact/);
    expect(error.locations[0]).toMatchObject({ line: 7, path: 'questions[1].facts' });
  });

  it('refuses an answerable question without sources', () => {
    const error = loadError('name: s\nquestions:\n  - id: q\n    question: Which?\n    facts: [x]\n');
    expect(error.message).toMatch(/suite\.yaml:3:5 \(at questions\[0\]\.sources\): an answerable question needs at least one source/);
  });

  it('refuses an unanswerable question without why, and one that has facts', () => {
    const missingWhy = loadError('name: s\nquestions:\n  - id: q\n    question: Which?\n    answerable: false\n');
    expect(missingWhy.message).toMatch(/suite\.yaml:3:5 \(at questions\[0\]\.why\): missing required field: .*needs a why/);
    const withFacts = loadError('name: s\nquestions:\n  - id: q\n    question: Which?\n    answerable: false\n    why: not in the docs\n    facts: [x]\n');
    expect(withFacts.message).toMatch(/\(at questions\[0\]\.facts\): an unanswerable question has no facts/);
  });

  it('names both lines of a duplicate id', () => {
    const error = loadError('name: s\nquestions:\n  - id: same\n    question: One?\n    facts: [x]\n    sources: [a.md]\n  - id: same\n    question: Two?\n    facts: [y]\n    sources: [b.md]\n');
    expect(error.message).toMatch(/suite\.yaml:3:9 \(at questions\[0\]\.id\), .*suite\.yaml:7:9 \(at questions\[1\]\.id\): duplicate question id "same"/);
    expect(error.locations.map((location) => location.line)).toEqual([3, 7]);
  });

  it('refuses a threshold outside 0..1 and one that is not a number', () => {
    const percent = loadError('name: s\nthresholds:\n  approvedCorrect: 80\nquestions:\n  - id: q\n    question: Q?\n    facts: [x]\n    sources: [a.md]\n');
    expect(percent.message).toMatch(/suite\.yaml:3:20 \(at thresholds\.approvedCorrect\): expected a share from 0 to 1 \(0\.8, not 80\)/);
    const text = loadError('name: s\nthresholds:\n  citationPrecision: high\nquestions:\n  - id: q\n    question: Q?\n    facts: [x]\n    sources: [a.md]\n');
    expect(text.message).toMatch(/\(at thresholds\.citationPrecision\): expected a share from 0 to 1/);
    const unknown = loadError('name: s\nthresholds:\n  recall: 0.5\nquestions:\n  - id: q\n    question: Q?\n    facts: [x]\n    sources: [a.md]\n');
    expect(unknown.message).toMatch(/suite\.yaml:3:\d+ \(at thresholds\.recall\): unknown field "recall"/);
  });

  it('refuses facts that are empty values, nested lists or punctuation only, at the entry', () => {
    const error = loadError('name: s\nquestions:\n  - id: q\n    question: Q?\n    facts: [x, [~], "?!", []]\n    sources: [a.md]\n');
    expect(error).toBeInstanceOf(SuiteError);
    const lines = error.message.split('\n');
    expect(lines[0]).toMatch(/\(at questions\[0\]\.facts\[1\]\[0\]\): expected a fact as text; got nothing/);
    expect(lines[1]).toMatch(/\(at questions\[0\]\.facts\[2\]\): the fact "\?!" has no letter or digit/);
    expect(lines[2]).toMatch(/\(at questions\[0\]\.facts\[3\]\): an empty list of alternatives/);
  });

  it('refuses a question holding a control character, like a goal', () => {
    const error = loadError('name: s\nquestions:\n  - id: q\n    question: "Q\\u001b[2J?"\n    facts: [x]\n    sources: [a.md]\n');
    expect(error.message).toMatch(/\(at questions\[0\]\.question\): the question contains the control character/);
  });

  it('reports YAML syntax errors, an empty file and a missing file with the file name and no stack', () => {
    expect(loadError('name: s\nquestions: [\n').message).toMatch(/suite\.yaml:\d+:\d+: invalid YAML/);
    expect(loadError('# nothing\n').message).toMatch(/suite\.yaml: the suite file is empty/);
    const dir = tempDir();
    expect(() => loadSuite('missing.yaml', dir)).toThrow(/missing\.yaml: file not found/);
  });
});

describe('selectQuestions', () => {
  it('keeps suite order, and refuses an unknown id listing the known ones', () => {
    const { dir } = writeSuite(VALID);
    const suite = loadSuite('suite.yaml', dir);
    expect(selectQuestions(suite, ['graphql-builtin', 'trailing-slash']).map((question) => question.id)).toEqual(['trailing-slash', 'graphql-builtin']);
    expect(selectQuestions(suite).length).toBe(3);
    expect(() => selectQuestions(suite, ['nope'])).toThrow(UsageError);
    expect(() => selectQuestions(suite, ['nope'])).toThrow(/nope\. The suite's ids: trailing-slash, body-limit, graphql-builtin/);
  });
});
