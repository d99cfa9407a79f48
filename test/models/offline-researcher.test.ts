/**
 * The offline researcher answers the step's question or says it cannot: sentences are scored against the question
 * with their heading and neighbours as context; headings, link lists, table separators, code (unless asked for),
 * front matter and comments are never claims; claims stop when relevance drops; an unanswerable question gives a gap,
 * not a weak claim. Every quote it returns stands in its passage as the evidence check compares quotes.
 */
import { describe, expect, it } from 'vitest';
import { FolderEvidence } from '../../src/knowledge/folder.js';
import type { Passage } from '../../src/knowledge/types.js';
import { offlineResearch } from '../../src/models/offline/researcher.js';
import { checkEvidence, normaliseForQuote } from '../../src/roles/evidence.js';
import { ResearchOutput } from '../../src/roles/schemas.js';

let chunk = 0;
/** A passage of `source` at the given lines. */
function passage(text: string, options: { source?: string; startLine?: number } = {}): Passage {
  chunk += 1;
  const startLine = options.startLine ?? chunk * 100;
  return { chunkId: `c${chunk}`, source: options.source ?? 'docs/guide.md', location: { startLine, endLine: startLine + text.split('\n').length - 1 }, text, score: 1 };
}

/** The researcher's reply, checked against its schema and for every quote standing in the passage it cites. */
function research(question: string, passages: Passage[]): ResearchOutput {
  const output = ResearchOutput.parse(offlineResearch({ kind: 'research', role: 'researcher', goal: question, step: { id: 's1', question }, passages }));
  for (const claim of output.claims) {
    for (const citation of claim.citations) {
      const cited = passages.find((candidate) => candidate.chunkId === citation.chunkId);
      expect(cited, `claim "${claim.text}" cites chunk ${citation.chunkId}`).toBeDefined();
      expect(normaliseForQuote(cited!.text), `quote "${citation.quote}"`).toContain(normaliseForQuote(citation.quote));
    }
  }
  return output;
}

/** Every word of the claim is a word of its quotes: the claim says nothing its quotes do not. */
function expectClaimsInTheirQuotes(output: ResearchOutput): void {
  for (const claim of output.claims) {
    const quoted = new Set(normaliseForQuote(claim.citations.map((citation) => citation.quote).join(' ')).split(' '));
    const extra = normaliseForQuote(claim.text)
      .split(' ')
      .filter((word) => word && !quoted.has(word));
    expect(extra, `claim "${claim.text}"`).toEqual([]);
  }
}

describe('offline researcher: what it quotes', () => {
  it('skips a link list, a heading and a code line that carry the keywords, and quotes the sentence that answers', () => {
    const passages = [
      passage(['## Redact keys', '', '- [Redact keys](redact.md)', '- [Drop redacted keys](drop.md)', '- [Log output](output.md)'].join('\n')),
      passage(['```js', "logger({ redact: { paths: ['key'], remove: true } }) // drop redacted keys from log output", '```'].join('\n')),
      passage(['### Drop redacted keys from the log output', '', 'Set `redact.remove` to `true` and the redacted keys are dropped from the log output instead of masked.'].join('\n')),
    ];
    const output = research('How do I drop redacted keys from the log output?', passages);
    expect(output.claims).toHaveLength(1);
    expect(output.claims[0]!.text).toBe('Set redact.remove to true and the redacted keys are dropped from the log output instead of masked.');
    expect(output.claims[0]!.citations.map((citation) => citation.quote)).toEqual([
      'Set `redact.remove` to `true` and the redacted keys are dropped from the log output instead of masked.',
    ]);
    expectClaimsInTheirQuotes(output);
  });

  it('quotes a code block when the question asks for code, and only then', () => {
    const passages = [passage(['## Redaction example', '', '```js', "const logger = pino({ redact: ['password'] })", '```', '', 'Read more in [the guide](guide.md).'].join('\n'))];
    const asked = research('Show an example of redaction in pino', passages);
    expect(asked.claims).toHaveLength(1);
    expect(asked.claims[0]!.citations.map((citation) => citation.quote)).toEqual(['Redaction example', "const logger = pino({ redact: ['password'] })"]);
    const notAsked = research('What does redaction do in pino?', passages);
    expect(notAsked.claims).toEqual([]);
  });

  it('cites the heading a short answer sits under, and the claim reads "<heading>: <sentence>"', () => {
    const passages = [
      passage(['### `ignoreTrailingSlash`', '<a id="ignore-slash"></a>', '', '+ Default: `false`', '', 'The router takes trailing slashes into account unless this is set.'].join('\n')),
      passage(['### `caseSensitive`', '', '+ Default: `true`'].join('\n')),
    ];
    const output = research('What is the default of ignoreTrailingSlash?', passages);
    expect(output.claims[0]).toEqual({
      text: 'ignoreTrailingSlash: Default: false',
      citations: [
        { source: 'docs/guide.md', quote: '`ignoreTrailingSlash`', chunkId: passages[0]!.chunkId },
        { source: 'docs/guide.md', quote: 'Default: `false`', chunkId: passages[0]!.chunkId },
      ],
    });
    // The other option's default is not an answer: the question names ignoreTrailingSlash.
    expect(output.claims.some((claim) => claim.text.includes('caseSensitive'))).toBe(false);
    expectClaimsInTheirQuotes(output);
  });

  it('takes the heading from the passage before when the search returned a heading chunk and its paragraph apart', () => {
    const heading = passage('### `maxParamLength`', { startLine: 40 });
    const body = passage('+ Default: `100`', { startLine: 42 });
    const output = research('What is the default maxParamLength?', [heading, body]);
    expect(output.claims.map((claim) => claim.text)).toEqual(['maxParamLength: Default: 100']);
  });

  it('quotes the sentence before an "It" sentence with it, as one quote when they are contiguous', () => {
    const text = 'The `redact.remove` option drops redacted keys from the log output.\nIt keeps every other key as it is.';
    const output = research('Does dropping redacted keys keep the other keys?', [passage(text)]);
    expect(output.claims[0]!.text).toBe('The redact.remove option drops redacted keys from the log output. It keeps every other key as it is.');
    expect(output.claims[0]!.citations.map((citation) => citation.quote)).toEqual([
      'The `redact.remove` option drops redacted keys from the log output. It keeps every other key as it is.',
    ]);
    expectClaimsInTheirQuotes(output);
  });

  it('pairs a table row with its header, quoting both, and never quotes the separator row', () => {
    const text = ['| Option | Default | Effect |', '| --- | --- | --- |', '| `censor` | `"[Redacted]"` | replaces redacted values |', '| `remove` | `false` | drops redacted keys |'].join('\n');
    const output = research('Which option drops redacted keys?', [passage(text)]);
    expect(output.claims[0]!.text).toBe('Option: remove; Default: false; Effect: drops redacted keys');
    expect(output.claims[0]!.citations.map((citation) => citation.quote)).toEqual(['| Option | Default | Effect |', '| `remove` | `false` | drops redacted keys |']);
    expect(output.claims.flatMap((claim) => claim.citations).some((citation) => citation.quote.includes('---'))).toBe(false);
  });

  it('never quotes front matter, an HTML comment or a fragment', () => {
    const text = [
      '---',
      'title: Redaction of keys in the log output',
      'tags: [redaction, keys]',
      '---',
      '<!-- TODO: explain how redaction keys are dropped from the log output -->',
      'Redacted keys.',
      '',
      'Redaction replaces the values of the listed keys in the log output with a censor string.',
    ].join('\n');
    const output = research('What does redaction do to keys in the log output?', [passage(text)]);
    expect(output.claims.map((claim) => claim.text)).toEqual(['Redaction replaces the values of the listed keys in the log output with a censor string.']);
  });
});

describe('offline researcher: when to stop', () => {
  it('answers nothing from a passage about something else, and says what it did not find', () => {
    const passages = [
      passage('## Log levels\n\nEach log line carries its level as a number in the output, unless a formatter prints the label instead.'),
      passage('The log output goes to standard output by default; a transport may send it elsewhere.'),
    ];
    const output = research('How do I drop redacted keys from the log output?', passages);
    expect(output.claims).toEqual([]);
    expect(output.gaps).toEqual(['no passage answers "How do I drop redacted keys from the log output?": none mentions "drop", "redacted" or "keys"']);
  });

  it('gives no claim when the search returned nothing or the question has no key terms', () => {
    expect(research('What does the Fresnel lens do?', []).gaps).toEqual(['no passage answers "What does the Fresnel lens do?": the search returned no passage']);
    expect(research('What is it?', [passage('It is what it is, and that is all there is to it.')]).claims).toEqual([]);
  });

  it('stops adding claims once relevance drops below the best', () => {
    const text = [
      'A lighthouse warns ships about rocks and shoals near the coast.',
      'Every lighthouse warns ships about dangerous rocks at night with a beam.',
      'Ships pass the harbour wall at dawn.',
      'A lighthouse keeper lived in the tower.',
    ].join(' ');
    const output = research('What does a lighthouse warn ships about?', [passage(text)]);
    expect(output.claims.map((claim) => claim.text)).toEqual([
      'A lighthouse warns ships about rocks and shoals near the coast.',
      'Every lighthouse warns ships about dangerous rocks at night with a beam.',
    ]);
  });

  it('returns at most three claims', () => {
    const text = Array.from({ length: 6 }, (_, index) => `Lighthouse number ${index + 1} warns ships about the rocks of its coast.`).join(' ');
    expect(research('What does a lighthouse warn ships about?', [passage(text)]).claims).toHaveLength(3);
  });

  it('counts a term every passage shares for less than a rare one', () => {
    // "log" is in every passage, "censor" in one: the sentence with the rare term wins though each holds one term of two.
    const passages = [
      passage('Each log line is written as one JSON object with the level and time.'),
      passage('The log destination can be a file or a stream of your choice.'),
      passage('The censor string replaces each redacted value, and defaults to the text Redacted.'),
    ];
    const output = research('What is the log censor string?', passages);
    expect(output.claims.map((claim) => claim.text)).toEqual(['The censor string replaces each redacted value, and defaults to the text Redacted.']);
  });

  it('is deterministic', () => {
    const passages = [passage('A lighthouse warns ships about rocks near the coast. It flashes a pattern of its own.'), passage('The Fresnel lens bends light into a beam.')];
    const first = research('What does a lighthouse warn ships about?', passages);
    expect(research('What does a lighthouse warn ships about?', passages)).toEqual(first);
  });
});

describe('offline researcher on a documentation set: answers or says it cannot', () => {
  const docs: Array<[string, string]> = [
    [
      'docs/redaction.md',
      [
        '# Redaction',
        '',
        'To hide sensitive values, list the paths of the keys that hold them in the `redact` option.',
        '',
        '```js',
        "const logger = pino({ redact: ['key', 'path.to.key'] })",
        '```',
        '',
        '## Removing keys',
        '',
        'The `redact.remove` option drops the redacted keys from the log output instead of replacing their values.',
        '',
        '## Censor',
        '',
        'The `redact.censor` option sets the string that replaces a redacted value; it defaults to `[Redacted]`.',
      ].join('\n'),
    ],
    [
      'docs/levels.md',
      [
        '# Log levels',
        '',
        'Each log line carries its level, printed as a number in the log output by default.',
        '',
        'See also:',
        '',
        '- [Redaction](redaction.md)',
        '- [Transports](transports.md)',
        '',
        'The default log level is `info`, so `debug` and `trace` lines are not written.',
      ].join('\n'),
    ],
    [
      'docs/server.md',
      ['# Server options', '', '### `ignoreTrailingSlash`', '', '+ Default: `false`', '', 'When it is `true`, `/foo` and `/foo/` reach the same route.'].join('\n'),
    ],
  ];
  const evidence = FolderEvidence.fromTexts(docs);
  const texts = new Map(docs);

  async function answer(question: string) {
    const passages = await evidence.search(question, { limit: 6 });
    const output = research(question, passages);
    const plan = { steps: [{ id: 's1', question }] };
    const claims = output.claims.map((claim, index) => ({ id: `s1.c${index + 1}`, ...claim }));
    const report = await checkEvidence({ plan, claims, sourcesRead: [...texts.keys()], readSource: async (source) => texts.get(source) });
    return { output, report };
  }

  it('answers the questions the documents answer, each claim verified by the evidence check', async () => {
    const expected: Array<[string, RegExp]> = [
      ['How do I drop redacted keys from the log output?', /redact\.remove option drops the redacted keys/],
      ['What string replaces a redacted value?', /redact\.censor option sets the string/],
      ['What is the default log level?', /default log level is info/],
      ['What is the default of ignoreTrailingSlash?', /^ignoreTrailingSlash: Default: false$/],
    ];
    for (const [question, pattern] of expected) {
      const { output, report } = await answer(question);
      expect(output.claims.map((claim) => claim.text).filter((text) => pattern.test(text)), question).toHaveLength(1);
      expect(report.objections, question).toEqual([]);
    }
  });

  it('does not answer a question the documents do not answer', async () => {
    const { output, report } = await answer('How do I rotate the log files every day?');
    expect(output.claims).toEqual([]);
    expect(output.gaps[0]).toMatch(/^no passage answers "How do I rotate the log files every day\?": none mentions "rotate"/);
    expect(report.unsupportedSteps).toEqual(['s1']);
  });
});
