/**
 * What kind of answer a question asks for. "How long is a version supported?" is answered by a duration, not by any
 * sentence that mentions versions and support; "Which option raises it?" by the name of an option. A step whose
 * question asks for a quantity or a name is answered only when its passing claims, read with their quotes, give one:
 * a classic expected-answer-type check of question answering, lexical and deterministic like the rest.
 *
 * Only unambiguous cues are read. "When" (a time or a condition) and "what is the default" (a number, a word, a
 * boolean) ask for no particular kind. A question may ask for several ("what status code and which error code"):
 * each must be given, by one claim or another.
 */
import { namesIn } from './names.js';
import { numbersIn } from './terms.js';

export type AnswerKind = 'quantity' | 'name' | 'value' | 'code';

export interface AnswerDemand {
  kind: AnswerKind;
  /** The words of the question that ask for it, as written. */
  cue: string;
}

const QUANTITY_NOUNS = String.raw`(?:size|number|amount|percentage|port|length|duration|count|status codes?|exit codes?|http status|status|version|year|limit|timeout|interval|delay)`;
const NAME_NOUNS = String.raw`(?:options?|settings?|methods?|functions?|hooks?|propert(?:y|ies)|keys?|flags?|headers?|events?|fields?|decorators?|plugins?|packages?|modules?|variables?|commands?)`;
/** What may stand between "what"/"which" and the noun: "the", "default", a qualifier such as "server" or "route". */
const BETWEEN = String.raw`(?:'s| is| are)?(?: the)?(?: (?:maximum|minimum|max|min|default|config(?:uration)?|server|route|plugin|http|environment|fastify|[A-Z][\w-]*))?`;

/**
 * Cues: the noun right after "what"/"which" ("which option"), or after "and" later in the same question ("what status
 * code and Fastify error code": the second noun is asked with the same "what").
 */
function cues(nouns: string): RegExp[] {
  return [
    new RegExp(String.raw`\b(?:what|which)${BETWEEN} ${nouns}\b`, 'gi'),
    new RegExp(String.raw`\b(?:what|which)\b[^?.;]*?\b(?:and|or)${BETWEEN.replace(String.raw`(?:'s| is| are)?`, '')} ${nouns}\b`, 'gi'),
  ];
}

/** "What is the default log level?": a default is a value (a number, a word set apart, true or false), not a remark. */
const VALUE_CUES: readonly RegExp[] = [/\b(?:what|which)(?:'s| is| are)? (?:the )?default(?: value)?\b/gi, /\bdefaults? to what\b/gi];

const QUANTITY_CUES: readonly RegExp[] = [
  /\bhow (?:long|many|much|big|large|small|often|far|old|soon|high|low|fast|tall|wide|deep|heavy)\b/gi,
  /\b(?:what|which)(?:'s| is| are)? the (?:biggest|largest|smallest|maximum|max|minimum|min|highest|lowest|longest|shortest)\b/gi,
  ...cues(QUANTITY_NOUNS),
];
/**
 * "How do I stop Fastify from sending the response?": in technical documentation the answer to a how-to names what
 * to call, set or write (an option, a method, a value); a sentence that only describes the situation does not answer.
 */
const HOW_TO = /\b(?:how (?:do|can|could|should) (?:i|we|you|one)|how to)\b/gi;
const NAME_CUES: readonly RegExp[] = [...cues(NAME_NOUNS), HOW_TO];
/** "Which error code": an error code is written as one (`FST_ERR_VALIDATION`, `ENOENT`, `ERR_INVALID_ARG`), not a class name. */
const CODE_CUES: readonly RegExp[] = cues(String.raw`error codes?`);

/** The kinds of answer a question asks for, each once, with the words that ask. */
export function demandsOf(whole: string): AnswerDemand[] {
  const question = whole.slice(0, 1000);
  const demands: AnswerDemand[] = [];
  const scan = (patterns: readonly RegExp[], kind: AnswerKind): void => {
    for (const pattern of patterns) {
      for (const match of question.matchAll(pattern)) {
        if (!demands.some((demand) => demand.kind === kind)) demands.push({ kind, cue: match[0] });
      }
    }
  };
  // "What status code and which error code": one quantity, one name; a name cue also covers "error code".
  scan(CODE_CUES, 'code');
  scan(NAME_CUES, 'name');
  scan(QUANTITY_CUES, 'quantity');
  // A default that is a number or a name is asked for already; otherwise it is some value.
  if (!demands.some((demand) => demand.kind === 'quantity' || demand.kind === 'name')) scan(VALUE_CUES, 'value');
  return demands;
}

const NUMBER_WORDS = /\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|hundred|thousand|million|billion|half|once|twice|dozen|unlimited|infinite|infinity)\b/i;

/** A name prose introduces by what it is: "the command baton runs", "the logger option", "the onClose hook". */
const INTRODUCED_NAME = /\b(?:command|option|method|function|hook|property|flag|setting|variable|field|header|event|plugin|decorator)s? [a-z][\w.-]*\b|\b[a-z][\w.-]* (?:option|method|function|hook|property|flag|setting|command)s?\b/i;

/** A command line in prose ("install it with npm install fastify"): what to run is a name too. */
const COMMAND = /\b(?:npm|npx|yarn|pnpm|pip|pipx|brew|apt|apt-get|docker|git|curl|go|cargo|baton) [a-z][\w@./:-]*/i;

/** Whether `texts` (a claim and its quotes) give an answer of `kind`. */
export function gives(kind: AnswerKind, texts: readonly string[]): boolean {
  if (kind === 'quantity') return texts.some((text) => numbersIn(text).length > 0 || NUMBER_WORDS.test(text));
  if (kind === 'code') return texts.some((text) => /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\bE[A-Z]{3,}\b/.test(text));
  if (kind === 'value') return gives('quantity', texts) || gives('name', texts) || texts.some((text) => /\b(?:true|false|null|undefined|none|enabled|disabled)\b/i.test(text));
  // A name: an identifier, an acronym, or a term the text sets apart in quotes or code ('info', `text/plain`).
  // A capitalised word alone is a proper noun, not the name of an option; `Accept-Version` or `FastifyInstance` is one.
  const named = (text: string): boolean => namesIn(text).some((name) => name.kind !== 'proper' || /-|\p{Lu}.*\p{Lu}/u.test(name.text.slice(1)));
  return texts.some((text) => named(text) || /(["'`])[^"'`\s][^"'`\n]{0,60}\1/.test(text) || INTRODUCED_NAME.test(text) || COMMAND.test(text));
}

/** The demands of `question` that none of `answers` (each a claim's text and quotes) meets. */
export function unmetDemands(question: string, answers: ReadonlyArray<readonly string[]>): AnswerDemand[] {
  return demandsOf(question).filter((demand) => !answers.some((texts) => gives(demand.kind, texts)));
}

/** The words for a demand in a message: what the question asks for. */
export function describeDemand(demand: AnswerDemand): string {
  const what = { quantity: 'a number', name: 'a name', value: 'a value', code: 'a code such as FST_ERR_VALIDATION or ENOENT' }[demand.kind];
  return `${what} ("${demand.cue}")`;
}
