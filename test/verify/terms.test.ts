import { describe, expect, it } from 'vitest';
import { containsName, nameHaystack, namesIn } from '../../src/verify/names.js';
import { clausesOf, negationCue, polarityProblem } from '../../src/verify/negation.js';
import { stem } from '../../src/verify/stem.js';
import { numbersIn, termLookup, termsOf, wordSequence } from '../../src/verify/terms.js';

describe('stem', () => {
  it('brings the inflections of a word together', () => {
    expect(['redact', 'redacts', 'redacted', 'redacting', 'redaction'].map(stem)).toEqual(Array(5).fill('redact'));
    expect(['enable', 'enables', 'enabled', 'enabling'].map(stem)).toEqual(Array(4).fill('enabl'));
    expect(['drop', 'drops', 'dropped', 'dropping'].map(stem)).toEqual(Array(4).fill('drop'));
    expect(['use', 'uses', 'used', 'using'].map(stem)).toEqual(Array(4).fill('us'));
    expect([stem('need'), stem('needed')]).toEqual(['need', 'need']);
  });

  it('keeps apart words that only look alike, and leaves numbers and short words alone', () => {
    expect(stem('general')).not.toBe(stem('generate'));
    expect(stem('option')).toBe('option');
    expect(stem('1048576')).toBe('1048576');
    expect(stem('is')).toBe('is');
  });
});

describe('termsOf', () => {
  it('stems, drops stop words and numbers, keeps an identifier whole and shows it as written', () => {
    expect(termsOf('The `ignoreTrailingSlash` option defaults to false, not 10 MB or 3 SQLite files.')).toEqual([
      { term: 'ignoretrailingslash', word: 'ignoreTrailingSlash' },
      { term: 'option', word: 'option' },
      { term: 'default', word: 'default' },
      { term: 'fals', word: 'false' },
      { term: 'mb', word: 'MB' },
      { term: 'sqlite', word: 'SQLite' },
      { term: 'file', word: 'file' },
    ]);
  });
});

describe('termLookup', () => {
  it('offers the words inside an identifier and adjacent words run together', () => {
    const fromIdentifier = termLookup('Set ignoreTrailingSlash or 10MB.');
    for (const term of ['ignoretrailingslash', 'ignor', 'trail', 'slash', 'mb']) expect(fromIdentifier.has(term)).toBe(true);
    const fromWords = termLookup('Ignore the trailing slash with keep-alive.');
    for (const term of ['ignor', 'trailingslash', stem('keepalive')]) expect(fromWords.has(term)).toBe(true);
    expect(fromWords.has('ignoretrailingslash')).toBe(false);
  });

  it('keeps a plural acronym whole and splits an acronym from the word after it', () => {
    const lookup = termLookup('vCPUs on the HTTPServer');
    for (const term of ['vcpu', 'cpu', 'http', 'server', 'httpserver']) expect(lookup.has(term)).toBe(true);
    expect(wordSequence('Set logLevel.')).toEqual(['set', 'log', 'level']);
  });
});

describe('numbersIn', () => {
  it('finds integers, thousands, exponents, versions, units and number words, compared by value', () => {
    expect(numbersIn('Use 10MB, 1,000,000 or 1e6, v1.2.3 at 127.0.0.1, 1.50 and three roles.')).toEqual([
      { text: '10MB', value: '10' },
      { text: '1,000,000', value: '1000000' },
      { text: '1e6', value: '1000000' },
      { text: 'v1.2.3', value: '1.2.3' },
      { text: '127.0.0.1', value: '127.0.0.1' },
      { text: '1.50', value: '1.5' },
      { text: 'three', value: '3' },
    ]);
  });

  it('compares a version as written', () => {
    expect(numbersIn('v1.10 and v20').map((number) => number.value)).toEqual(['1.10', '20']);
  });

  it('does not take digits inside identifiers for numbers', () => {
    expect(numbersIn('sha256, ES2022 and step s1')).toEqual([]);
  });
});

describe('namesIn', () => {
  it('finds code names, acronyms and capitalised words that do not start a sentence', () => {
    const names = namesIn('Set `bodyLimit` to raise it. The Checker in LangGraph reads HNSW files via fastify.close() and max_rounds, e.g. here. Baton runs.');
    expect(names.map((name) => [name.text, name.kind])).toEqual([
      ['bodyLimit', 'code'],
      ['fastify.close()', 'code'],
      ['max_rounds', 'code'],
      ['Checker', 'proper'],
      ['LangGraph', 'code'],
      ['HNSW', 'acronym'],
    ]);
  });

  it('matches a name however the identifier is written, but not its words apart', () => {
    const [name] = namesIn('the `ignoreTrailingSlash` option');
    expect(name).toBeDefined();
    expect(containsName(nameHaystack(['set ignore_trailing_slash to true']), name!)).toBe(true);
    expect(containsName(nameHaystack(['Ignore trailing slash.']), name!)).toBe(true);
    expect(containsName(nameHaystack(['ignoretrailingslash: true']), name!)).toBe(true);
    expect(containsName(nameHaystack(['a trailing slash is never ignored']), name!)).toBe(false);
  });
});

describe('negation', () => {
  it('finds negation cues, n\'t forms included, but not inside hyphenated words', () => {
    expect(negationCue('It is not enabled')).toBe('not');
    expect(negationCue('It doesn’t log')).toBe("doesn't");
    expect(negationCue('a no-op, non-blocking call')).toBeUndefined();
  });

  it('splits clauses where a negation stops applying', () => {
    expect(clausesOf('X is enabled by default, but Y is not; see | the table')).toEqual(['X is enabled by default', 'but Y is not', 'see', 'the table']);
  });

  it('reports a claim that negates what its quote affirms, and the reverse', () => {
    expect(polarityProblem('Compression is not enabled by default.', ['Compression is enabled by default.'])).toBe(
      'it says "not enabled" where its quote says "enabled" ("Compression is enabled by default")',
    );
    expect(polarityProblem('Compression is enabled by default.', ['Compression is never enabled by default.'])).toBe(
      'it says "enabled" where its quote says "never enabled" ("Compression is never enabled by default")',
    );
  });

  it('reports an opposite in place of the claim\'s word', () => {
    expect(polarityProblem('Compression is enabled by default.', ['Compression is disabled by default.'])).toBe(
      'it says "enabled" where its quote says "disabled" ("Compression is disabled by default")',
    );
  });

  it('accepts a quote whose negation is about something else', () => {
    expect(polarityProblem('Compression is enabled by default.', ['Compression is enabled by default, but caching is not.'])).toBeUndefined();
    expect(polarityProblem('Code: FSTSEC002', ['| FSTSEC002 | a schema that is not reached by header normalization |'])).toBeUndefined();
    expect(polarityProblem('Logging is not enabled by default.', ['Logging is disabled by default.'])).toBeUndefined();
  });
});
