/**
 * The output policy: rules every final answer and every outgoing side-effect payload must pass before it leaves Baton
 * (personal data, forbidden phrases, patterns and topics, a required disclaimer, a maximum length). Each rule's action
 * is `block` (refused), `redact` (the matching text replaced by `[REDACTED:<rule>]`) or `flag` (let through, audited).
 */
import { findSecrets, type Detector } from '../routing/detectors.js';
import { normaliseForDetection, originalSpan } from '../routing/normalise.js';
import type { OutputPolicyConfig, OutputRule } from './config.js';
import type { Detection, GuardAction } from './types.js';

export type PolicedSurface = 'answer' | 'side-effect';

export interface PolicyResult {
  /** The text as it may leave (redacted, a disclaimer appended, cut), or the original when blocked. */
  text: string;
  /** The strongest action taken: `block` > `redact` > `flag` > `allow`. */
  action: Extract<GuardAction, 'allow' | 'flag' | 'redact' | 'block'>;
  detections: Detection[];
}

const STRENGTH = { allow: 0, flag: 1, redact: 2, block: 3 } as const;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The rule's pattern over normalised text: a phrase with flexible spacing, a regex, or any whole keyword of a topic. */
function rulePattern(rule: OutputRule): RegExp {
  if (rule.pattern !== undefined) return new RegExp(rule.pattern, 'giu');
  if (rule.phrase !== undefined) return new RegExp(escapeRegExp(rule.phrase.trim()).replace(/\s+/g, '\\s+'), 'giu');
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${rule.topic!.map((word) => escapeRegExp(word.trim()).replace(/\s+/g, '\\s+')).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

/** `text` with each span replaced by `marker` (spans in order, overlapping ones merged). */
function replaceSpans(text: string, spans: ReadonlyArray<[number, number]>, marker: string): string {
  const pieces: string[] = [];
  let cursor = 0;
  for (const [start, end] of [...spans].sort((left, right) => left[0] - right[0])) {
    if (end <= cursor) continue;
    pieces.push(text.slice(cursor, Math.max(cursor, start)), marker);
    cursor = end;
  }
  pieces.push(text.slice(cursor));
  return pieces.join('');
}

export class OutputPolicy {
  private readonly rules: Array<{ rule: OutputRule; pattern: RegExp }>;
  private readonly personal: Detector[];

  constructor(
    private readonly config: OutputPolicyConfig,
    detectors: readonly Detector[],
  ) {
    this.rules = config.rules.map((rule) => ({ rule, pattern: rulePattern(rule) }));
    // Personal-data detectors, run as redacting ones (findSecrets redacts credential kinds only).
    this.personal = detectors.filter((detector) => detector.kind === 'personal').map((detector) => ({ ...detector, kind: 'credential' as const }));
  }

  /** Whether any rule applies to `surface`: a payload no rule looks at is passed without scanning. */
  appliesTo(surface: PolicedSurface): boolean {
    if (surface === 'answer') return this.config.personal !== undefined || this.rules.length > 0 || this.config.disclaimer !== undefined || this.config.maxLength !== undefined;
    return (this.config.personal?.applies.includes('side-effect') ?? false) || this.rules.some(({ rule }) => rule.applies.includes('side-effect'));
  }

  /**
   * Checks one text. `whole: false` (a citation's quote, one string of a payload) leaves out the rules about a whole
   * answer: the disclaimer and the maximum length.
   */
  check(text: string, surface: PolicedSurface, options: { whole?: boolean } = {}): PolicyResult {
    const whole = options.whole ?? surface === 'answer';
    let result = text;
    let action = 'allow' as PolicyResult['action'];
    const detections: Detection[] = [];
    const take = (taken: PolicyResult['action'], detection: Detection): void => {
      detections.push(detection);
      if (STRENGTH[taken] > STRENGTH[action]) action = taken;
    };

    const personal = this.config.personal;
    if (personal && personal.applies.includes(surface)) {
      const scan = findSecrets(result, this.personal);
      const kinds = [...new Set(scan.secrets.map((secret) => secret.detector))];
      for (const kind of kinds) {
        const count = scan.secrets.filter((secret) => secret.detector === kind).length;
        take(personal.action, { detector: 'personal', rule: kind, score: 1, reason: `${count} ${kind} match(es) of personal data` });
      }
      if (kinds.length && personal.action === 'redact') result = scan.text;
    }

    for (const { rule, pattern } of this.rules) {
      if (!rule.applies.includes(surface)) continue;
      const normalised = normaliseForDetection(result);
      const matches = [...normalised.text.matchAll(pattern)].filter((match) => match[0].length > 0);
      if (matches.length === 0) continue;
      take(rule.action, { detector: 'policy', rule: rule.name, score: 1, reason: `output policy rule "${rule.name}" matched ${matches.length} time(s)` });
      // Matched on the normalised form (zero-width characters dropped, full-width letters folded): what is replaced is
      // the original text behind each match, so a disguised phrase is removed as surely as a plain one.
      if (rule.action === 'redact') result = replaceSpans(result, matches.map((match) => originalSpan(normalised, match.index, match.index + match[0].length)), `[REDACTED:${rule.name}]`);
    }

    const disclaimer = whole ? this.config.disclaimer : undefined;
    const missing = disclaimer !== undefined && !normaliseForDetection(result).text.toLowerCase().includes(normaliseForDetection(disclaimer.text).text.toLowerCase());
    const appending = missing && disclaimer.action === 'append';
    if (missing && disclaimer.action !== 'append') take(disclaimer.action, { detector: 'policy', rule: 'disclaimer', score: 1, reason: 'the answer lacks the required disclaimer' });
    // The length counts the disclaimer about to be appended: a cut never drops it.
    const room = whole && this.config.maxLength ? this.config.maxLength.chars - (appending ? disclaimer!.text.length + 2 : 0) : Infinity;
    if (result.length > room) {
      const { chars, action: onLong } = this.config.maxLength!;
      take(onLong, { detector: 'policy', rule: 'max-length', score: 1, reason: `the answer has ${result.length + (appending ? disclaimer!.text.length + 2 : 0)} characters, more than the ${chars} allowed` });
      if (onLong === 'redact') result = `${result.slice(0, Math.max(0, room - 1))}…`;
    }
    if (appending) {
      result = `${result.trimEnd()}\n\n${disclaimer!.text}`;
      detections.push({ detector: 'policy', rule: 'disclaimer', score: 1, reason: 'the required disclaimer was missing and was appended' });
    }
    return { text: action === 'block' ? text : result, action, detections };
  }

  /** Every string in a JSON-like payload checked; a redaction changes the strings in place of a copy. */
  checkPayload(value: unknown, surface: PolicedSurface = 'side-effect'): { value: unknown; action: PolicyResult['action']; detections: Detection[] } {
    let action = 'allow' as PolicyResult['action'];
    const detections: Detection[] = [];
    const walk = (item: unknown): unknown => {
      if (typeof item === 'number' && this.config.personal?.applies.includes(surface)) {
        // A number can carry personal data (a card number as an SQL parameter); it cannot be redacted without changing
        // its type, so a finding blocks unless the rule only flags.
        const checked = this.check(String(item), surface, { whole: false });
        const personal = checked.detections.filter((detection) => detection.detector === 'personal');
        if (personal.length) {
          const taken = this.config.personal.action === 'flag' ? 'flag' : 'block';
          if (STRENGTH[taken] > STRENGTH[action]) action = taken;
          detections.push(...personal);
        }
        return item;
      }
      if (typeof item === 'string') {
        const checked = this.check(item, surface, { whole: false });
        if (STRENGTH[checked.action] > STRENGTH[action]) action = checked.action;
        detections.push(...checked.detections);
        return checked.text;
      }
      if (Array.isArray(item)) return item.map(walk);
      if (item && typeof item === 'object') return Object.fromEntries(Object.entries(item as Record<string, unknown>).map(([key, entry]) => [key, walk(entry)]));
      return item;
    };
    const walked = walk(value);
    return { value: walked, action, detections };
  }
}
