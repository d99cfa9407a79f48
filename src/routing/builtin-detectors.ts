/**
 * The built-in detectors: credentials (provider keys, tokens, private keys, passwords in assignments, headers, URLs
 * and markup) and personal data (e-mail addresses, phone numbers, card numbers, IBANs). A credential detector that
 * captures a group named `secret…` has only that part redacted, so the label (`password=`) stays readable.
 */
import { passesIbanCheck, passesLuhn } from './checksums.js';
import type { Detector } from './detectors.js';

const digitsOf = (text: string): string => text.replace(/\D/g, '');

/** Values after `password=` and the like that are placeholders, references or already redacted, not secrets. */
const PLACEHOLDER =
  /^(?:\[REDACTED:|\$\{|\$[A-Za-z_]|%\(|\{\{|<|process\.env|os\.environ|env\(|(?:string|number|boolean|null|undefined|none|nil|true|false|required|optional|redacted|value|example|sample|placeholder|your[\w-]*|x+|\*+|\.+)$)/i;

/** The span of the part to redact: the first `secret…` group that took part in the match, else the whole match. */
/** Where the e-mail address whose `@` is at `at` begins: the local part before it. */
function emailStart(text: string, at: number): number {
  let start = at;
  while (start > 0 && /[\p{L}\p{N}._%+-]/u.test(text[start - 1]!)) start -= 1;
  return start;
}

export function secretSpan(match: RegExpMatchArray): [number, number] | undefined {
  const groups = match.indices?.groups;
  if (groups) {
    for (const [name, span] of Object.entries(groups)) if (name.startsWith('secret') && span) return span;
  }
  return match.indices?.[0];
}

/** The text of the part to redact (see {@link secretSpan}). */
function secretText(match: RegExpMatchArray): string {
  if (match.groups) {
    for (const [name, value] of Object.entries(match.groups)) if (name.startsWith('secret') && value !== undefined) return value;
  }
  return match[0];
}

/**
 * A value that is a real secret: not a placeholder, not only redaction markers. What stands beside a marker (the
 * other cookies of a header) is judged on its own.
 */
const notPlaceholder = (match: RegExpMatchArray): boolean => {
  const value = secretText(match).trim();
  const unmarked = value.replace(/\[REDACTED:[A-Za-z0-9._-]{1,64}\]/g, '').trim();
  if (unmarked === '') return false;
  return !PLACEHOLDER.test(unmarked === value ? value : unmarked.replace(/^[;,\s]+/, ''));
};

function credential(name: string, source: string, flags = '', accept?: Detector['accept'], requires?: readonly string[]): Detector {
  return { name, kind: 'credential', pattern: new RegExp(source, `g${flags}`), accept, ...(requires ? { requires } : {}) };
}

function personal(name: string, source: string, flags = '', accept?: Detector['accept']): Detector {
  return { name, kind: 'personal', pattern: new RegExp(source, `g${flags}`), accept };
}

/**
 * Names that announce a secret, at the end of an identifier (`password`, `DB_PASSWORD`, `dbPassword`,
 * `spring.datasource.password`, `AccountKey`).
 */
const SECRET_NAME =
  String.raw`(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]{0,40}?` +
  String.raw`(?<name>api[_-]?key|api[_-]?secret|client[_-]?secret|secret(?:[_-]?key(?:[_-]?base)?)?|(?:access|auth|refresh|private|bearer|session|id)[_-]?token|token` +
  String.raw`|(?:account|access|private|secret|signing|encryption|master|app|license|subscription|consumer|client)[_-]?key` +
  String.raw`|password|passwd|passphrase|pwd|credentials?|(?:(?<=[_.-])|(?<![A-Za-z0-9_.-]))pass)`;
/** A quote that may come escaped (`\"`): text that holds JSON, such as a prompt embedding passages, is still text. */
const QUOTE = String.raw`(?:\\{0,7}["'])`;
/** `=`, `:`, `:=`, `=>`, with optional quotes around the name's end and spaces. */
const ASSIGN = String.raw`${QUOTE}?[ \t]*(?<assign>:=|=>|[:=])[ \t]*`;
/**
 * The value: quoted (up to the closing quote, spaces and escaped quotes included; when the opening quote is itself
 * escaped, as in JSON inside text, up to the next backslash) or bare (up to a space or quote; a comma or semicolon
 * ends it only when a space or the end follows, so `p@ss,w0rd` stays whole). Never across a line break.
 */
const VALUE =
  String.raw`(?:(?<!\\)"(?<secretDouble>(?:[^"\\\n]|\\[^\n]){1,256})"|(?<!\\)'(?<secretSingle>(?:[^'\\\n]|\\[^\n]){1,256})'` +
  // An escaped opening quote is closed by the same escape; deeper-escaped quotes (`\\\"` inside `\"…\"`) are part of the
  // value. Up to seven backslashes: JSON inside JSON inside JSON. A run of backslashes is taken whole with the character
  // it escapes (`\\+(?!\\)[^\\]`), so every text can be read only one way (no backtracking blow-up).
  String.raw`|(?<escapedOpen>\\{1,7})(?<escapedQuote>["'])(?<secretEscaped>(?:(?!\k<escapedOpen>\k<escapedQuote>)(?:[^\n\\]|\\+(?!\\)[^\n\\])){1,256}?)\k<escapedOpen>\k<escapedQuote>` +
  String.raw`|(?<secretBare>(?:[^\s"'\x60<>\\&,;]|[,;](?=[^\s"'\x60<>\\&,;])){4,}))`;

/** Words of code that stand where a value would: the value is computed, not written (`password = await prompt()`). */
const CODE_WORD =
  /^(?:await|new|yield|lambda|function|this|self|cls|os|process|env|config|settings|request|req|params|args|input|getpass|prompt|read|get|none|nil|null|undefined|true|false|str|string|int|integer|bool|boolean|bytes|number|any|object|optional|list|dict|secretstr)$/i;

/**
 * Whether a bare value (no quotes) is a secret rather than code or prose: not a call or an expression
 * (`getpass.getpass()`, `hash(raw)`), not the variable's own name (`self.password = password`), not a language word,
 * and not a lower-case word that a sentence goes on after (`password: must be at least 12 characters`).
 */
function bareValueAccepted(match: RegExpMatchArray, value: string): boolean {
  const core = value.replace(/[),]+$/, '');
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\(/.test(value) || CODE_WORD.test(core)) return false;
  const name = (match.groups?.['name'] ?? '').toLowerCase();
  if (core.toLowerCase() === name || core.toLowerCase().endsWith(`.${name}`)) return false;
  // After a colon (YAML, prose, type annotations, object literals), a lower-case word that a sentence goes on after,
  // or an identifier closed by `,` or `)`, is text or code. After `=` it is a value: `DB_PASSWORD=secret npm start`.
  if (match.groups?.['assign'] === ':') {
    const after = (match.input ?? '').slice((match.index ?? 0) + match[0].length);
    if (/^[a-z]+$/.test(core) && /^['"\u2019)\]]?[.,;!?]?[ \t]+[a-z]/.test(after)) return false;
    if (/^[a-z_$][\w$]*$/.test(core) && (core !== value || /^[,)]/.test(after))) return false;
  }
  return true;
}

/** A bare `token` or `secret` whose value is only digits is a count or an id, not a credential. */
function assignmentAccepted(match: RegExpMatchArray): boolean {
  if (!notPlaceholder(match)) return false;
  const name = (match.groups?.['name'] ?? '').toLowerCase();
  const value = secretText(match);
  if ((name === 'token' || name === 'secret') && /^\d+$/.test(value)) return false;
  return match.groups?.['secretBare'] === undefined || bareValueAccepted(match, value);
}

/**
 * Whether 40 base64 characters look like a random key rather than a path: mixed case, digits and `/` or `+`, not
 * starting with `/`, and not mostly made of word-like path segments (`/Users/Alice/Documents/…`).
 */
function awsSecretLike(match: RegExpMatchArray): boolean {
  const text = match[0];
  if (!/[a-z]/.test(text) || !/[A-Z]/.test(text) || !/\d/.test(text) || !/[/+]/.test(text) || text.startsWith('/')) return false;
  const segments = text.split('/');
  return segments.filter((segment) => /^[A-Z]?[a-z]+\d*$/.test(segment)).length * 2 < segments.length;
}

const COOKIE_ATTRIBUTE = /^(?:samesite|path|domain|expires|max-age|secure|httponly|partitioned|priority)$/i;
/** A cookie pair: at the start of the header, after `;`, or after another `Cookie:` header on the same line. */
const COOKIE_PAIR = /(?:^|;|(?:set-)?cookie\\{0,7}["']?[ \t]*:)[ \t]*\\{0,7}["']?([^\s;="'\\]{1,128})=([^\s;"'\\]{3,4096})/gi;

/** The values of the cookies in a header line, not attributes (`Path=/`) or placeholders (`<name>=<value>`). */
function cookieValues(text: string, start: number, end: number): Array<[number, number]> {
  const line = text.slice(start, end);
  const parts: Array<[number, number]> = [];
  for (const pair of line.matchAll(COOKIE_PAIR)) {
    const [whole, name = '', value = ''] = pair;
    if (COOKIE_ATTRIBUTE.test(name) || /^<.*>$/.test(name) || PLACEHOLDER.test(value)) continue;
    const valueStart = start + (pair.index ?? 0) + whole.length - value.length;
    parts.push([valueStart, valueStart + value.length]);
  }
  return parts;
}

/** Names of query parameters that carry secrets (`?token=`, `&X-Amz-Signature=`, `&private_token=`). */
const QUERY_SECRET_NAME = String.raw`[A-Za-z0-9_.-]{0,40}?(?:token|secret|signature|sig|password|passwd|pwd|passphrase|api[_-]?key|apikey|key|auth|code|credential|session|sid)`;

/**
 * Starts at the `@` and checks the local part with a lookbehind: a pattern that starts at every word and scans ahead
 * for an `@` costs about ten times more on ordinary prose. The match is `@domain`, enough to count.
 */
const EMAIL = String.raw`@(?<=[\p{L}\p{N}._%+-]@)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}(?![\p{L}\p{N}_-])`;
/** International (+CC …), North American (415) 555-2671, and trunk-prefix national 020 7946 0958 forms. */
const PHONE =
  String.raw`(?:(?<![\w+])\+[1-9]\d{0,3}(?:[ .-]?\(?\d{1,5}\)?){1,6}` +
  String.raw`|(?<![\w(+.-])(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}` +
  String.raw`|(?<![\w+.-])0\d{1,4}(?:[ /-]?\d{2,4}){2,5})(?![\w-])`;
/** Leading digit 2–6 covers Mastercard 2-series, Amex/Diners, Visa, Mastercard and Discover/UnionPay. */
const CARD =
  String.raw`(?<![\d.,-])(?:[2-6]\d{12,18}` +
  String.raw`|[2-6]\d{3}(?<sep> {1,2}|[./-])\d{4}\k<sep>\d{4}\k<sep>\d{1,4}(?:\k<sep>\d{1,3})?` +
  String.raw`|3\d{3}(?<amexSep> {1,2}|[./-])\d{6}\k<amexSep>\d{4,5})(?!\d)`;
/** Matched case-insensitively (an IBAN typed in lower case is still one) and upper-cased for the mod-97 check. */
const IBAN = String.raw`(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ .-]?[A-Z0-9]{4}){2,7}(?:[ .-]?[A-Z0-9]{1,4})?(?![A-Za-z0-9])`;

/**
 * Credentials first and the generic assignment last, so that redaction names the most specific detector and the
 * generic one then sees only `[REDACTED:…]` markers.
 */
export const builtinDetectors: readonly Detector[] = Object.freeze([
  credential(
    'private-key',
    String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)`,
    '',
    undefined,
    ['-----BEGIN '],
  ),
  // Prefixes that no word contains are found even when glued to other text (`xxxghp_…` in a URL path).
  credential('anthropic-api-key', String.raw`sk-ant-[A-Za-z0-9_-]{20,}`, '', undefined, ['sk-ant-']),
  // Project, service-account and admin keys are keys whatever their letters; a bare `sk-…` needs a digit, as every
  // real one has, so that `sk-learn-…`-like names are left alone.
  credential('openai-api-key', String.raw`(?<![\w-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, '', (match) => /\d/.test(match[0]) || /^sk-(?:proj|svcacct|admin)-/.test(match[0]), ['sk-']),
  credential('stripe-key', String.raw`(?<![\w-])(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}`, '', undefined, ['_live_', '_test_']),
  credential('aws-access-key-id', String.raw`(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])`, '', undefined, ['AKIA', 'ASIA']),
  credential(
    'aws-secret-access-key',
    String.raw`(?<![A-Za-z0-9])aws[\w .-]{0,30}?(?:secret|key)[\w .-]{0,20}?${QUOTE}?[ \t]*[:=][ \t]*${QUOTE}?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
    'i',
  ),
  credential('github-token', String.raw`(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})(?!\w)`, '', undefined, ['gh', 'github_pat_']),
  credential('gitlab-token', String.raw`glpat-[A-Za-z0-9_-]{20,}`, '', undefined, ['glpat-']),
  credential('digitalocean-token', String.raw`do[opr]_v1_[a-f0-9]{64}`, '', undefined, ['_v1_']),
  credential('npm-token', String.raw`(?<![\w-])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])`, '', undefined, ['npm_']),
  credential('huggingface-token', String.raw`(?<![\w-])hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9])`, '', undefined, ['hf_']),
  credential('sendgrid-key', String.raw`(?<![\w-])SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}`, '', undefined, ['SG.']),
  credential('slack-token', String.raw`xox[abposr]-[0-9A-Za-z]{4,}-[A-Za-z0-9-]{6,}`, '', undefined, ['xox']),
  credential('google-api-key', String.raw`(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])`, '', undefined, ['AIza']),
  credential('jwt', String.raw`(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?![\w-])`, '', undefined, ['eyJ']),
  // Webhook URLs are credentials: whoever holds one can post as the integration.
  credential('slack-webhook', String.raw`hooks\.slack\.com/(?:services|workflows|triggers)/(?<secret>[A-Za-z0-9_/-]{16,})`, 'i', undefined, ['hooks.slack.com']),
  credential('discord-webhook', String.raw`discord(?:app)?\.com/api/webhooks/(?<secret>\d+/[A-Za-z0-9_-]{20,})`, 'i', undefined, ['/api/webhooks/']),
  credential('teams-webhook', String.raw`\.webhook\.office\.com/webhookb2/(?<secret>[^\s"'<>\\]{20,})`, 'i', undefined, ['webhook.office.com']),
  // Credentials inside URLs: a password in the user-info part (the user may be empty: `redis://:pw@host`), and
  // secret-named query parameters, so a logged request line or a fetched link never carries them.
  // The password ends at the `@` before the host, so one holding `@`, `/` or `#` (written unencoded) is taken whole.
  credential(
    'url-credential',
    String.raw`(?<=\b[a-z][a-z0-9+.-]*://)[^\s/?#@:[\]]*:(?<secret>(?!\[REDACTED:)[^\s"'<>]{1,128}?)@(?=[A-Za-z0-9.\[\]:-]+(?:[/?#\s"'<>,;)]|$))`,
    'i',
    (match) => notPlaceholder(match) && !/^\d{1,5}(?:[/?#]|$)/.test(secretText(match)),
    ['://'],
  ),
  credential('url-query-secret', String.raw`[?&;]${QUERY_SECRET_NAME}=(?<secret>[^&#\s"'<>\\]{4,})`, 'i', notPlaceholder, ['=']),
  // `Authorization: Bearer …` / `Basic …` headers as text (logged, quoted in a document), and a bare bearer token.
  credential(
    'authorization-header',
    String.raw`(?<![A-Za-z0-9-])(?:proxy-)?authorization${QUOTE}?[ \t]*[:=][ \t]*${QUOTE}?(?:(?<scheme>bearer|basic|token|digest|apikey|key)[ \t]+)?(?!(?:bearer|basic|token|digest|apikey|key)\b)(?<secret>[A-Za-z0-9._~+/=:-]{6,})`,
    'i',
    // Without a scheme, a word (`authorization=granted`) is not a credential: a token has digits or length.
    (match) => notPlaceholder(match) && (match.groups?.['scheme'] !== undefined || /\d/.test(secretText(match)) || secretText(match).length >= 16),
    ['uthorization', 'UTHORIZATION'],
  ),
  credential('bearer-token', String.raw`(?<![A-Za-z0-9])bearer[ \t]+(?<secret>[A-Za-z0-9._~+/-]{12,}=*)`, 'i', (match) => /\d/.test(secretText(match)) && notPlaceholder(match)),
  // Cookies carry sessions: the whole value of a Cookie or Set-Cookie header.
  // The cookie name is a token glued to its `=`, so spaces are never matched two ways (no backtracking blow-up) and
  // prose about cookie attributes (`Set-Cookie: SameSite=Lax …`) is not a cookie.
  // Each cookie's value in a Cookie or Set-Cookie header line: one match per line (linear time), then the values of its
  // `name=value` pairs are redacted; names, attributes (`Path=/`, `SameSite=Lax`) and prose around them stay.
  {
    ...credential('cookie-header', String.raw`(?<![A-Za-z0-9-])(?:set-)?cookie${QUOTE}?[ \t]*:(?<secret>[^\r\n]{1,4096})`, 'i', (match) => cookieValues(secretText(match), 0, secretText(match).length).length > 0, ['ookie', 'OOKIE']),
    secretParts: cookieValues,
  },
  // Passwords on command lines and in .netrc: `--password x`, `curl -u user:pw`, `machine h login u password pw`.
  // A value in capitals (`--token TOKEN`, `--password PASSWORD`) is the help text's name for the value, not one.
  credential(
    'command-line-secret',
    String.raw`(?<![\w-])--?(?:password|passwd|pwd|token|api-key|client-secret)(?:=|[ \t]+)(?<secret>[^\s"'-][^\s"']{3,})`,
    'i',
    (match) => notPlaceholder(match) && !/^[A-Z][A-Z0-9_-]*$/.test(secretText(match)),
  ),
  credential('command-line-cookie', String.raw`\bcurl\b[^\r\n]{0,200}?[ \t](?:-b|--cookie)[ \t]+${QUOTE}?(?<secret>[^\s"'\\]{3,})`, '', notPlaceholder, ['curl']),
  credential('mysql-password', String.raw`\bmysql(?:dump|admin|import|show|slap)?\b[^\r\n]{0,200}?[ \t]-p(?<secret>[^\s"'-][^\s"']{2,})`, '', notPlaceholder, ['mysql']),
  credential('command-line-user', String.raw`\bcurl\b[^\r\n]{0,200}?[ \t](?:-u|--user)[ \t]*[^\s:"']+:(?<secret>[^\s"']{3,})`, '', notPlaceholder, ['curl']),
  credential('netrc-password', String.raw`\b(?:machine\s+\S+|default)\s+login\s+\S+\s+password\s+(?<secret>\S{3,})`, 'i', notPlaceholder),
  // An AWS-style secret key without its label: exactly 40 base64 characters, mixing cases and digits (a hex hash is
  // one case, a longer base64 blob does not stop at 40).
  credential('aws-secret-like', String.raw`(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])`, '', awsSecretLike),
  // `<password>…</password>` in XML or HTML.
  credential('markup-secret', String.raw`<(?<name>[A-Za-z0-9_.:-]{0,40}?(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|credentials?))>(?<secret>[^<]{1,256})</`, 'i', notPlaceholder),
  credential('secret-assignment', `${SECRET_NAME}${ASSIGN}${VALUE}`, 'i', assignmentAccepted),
  // The pattern starts at the `@` (a look-behind checks the local part, which keeps the scan cheap); redacting an
  // address takes the local part too.
  { ...personal('email', EMAIL, 'u'), secretParts: (text: string, start: number, end: number): Array<[number, number]> => [[emailStart(text, start), end]] },
  personal('phone', PHONE, '', (match) => {
    const digits = digitsOf(match[0]);
    // E.164 allows at most 15 digits; under 9 (or 8 with a country code) are dates, extensions or plain numbers.
    // `00` is the international prefix written without `+`: then up to 15 digits follow it.
    if (match[0].startsWith('+')) return digits.length >= 8 && digits.length <= 15;
    return match[0].startsWith('00') ? digits.length >= 10 && digits.length <= 17 : digits.length >= 9 && digits.length <= 12;
  }),
  personal('payment-card', CARD, '', (match) => {
    const digits = digitsOf(match[0]);
    return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits);
  }),
  personal('iban', IBAN, 'i', (match) => passesIbanCheck(match[0].replace(/[ .-]/g, '').toUpperCase())),
]);
