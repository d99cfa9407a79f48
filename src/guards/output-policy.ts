/**
 * The output policy: rules every final answer and every outgoing side-effect payload must pass before it leaves Baton
 * (personal data, forbidden phrases, patterns and topics, a required disclaimer, a maximum length). Each rule's action
 * is `block` (refused), `redact` (the matching text replaced by `[REDACTED:<rule>]`) or `flag` (let through, audited).
 */
import { findSecrets, type Detector } from '../routing/detectors.js';
import { normaliseForDetection } from '../routing/normalise.js';
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

  check(text: string, surface: PolicedSurface): PolicyResult {
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
      const normal = normaliseForDetection(result).text;
      const matches = [...normal.matchAll(pattern)];
      if (matches.length === 0) continue;
      take(rule.action, { detector: 'policy', rule: rule.name, score: 1, reason: `output policy rule "${rule.name}" matched ${matches.length} time(s)` });
      // Redacting works on the original text: normalisation may have changed lengths, so the rule runs on it again.
      if (rule.action === 'redact') result = result.replace(new RegExp(pattern.source, pattern.flags), `[REDACTED:${rule.name}]`);
    }

    if (surface === 'answer' && this.config.disclaimer) {
      const { text: disclaimer, action: onMissing } = this.config.disclaimer;
      const present = normaliseForDetection(result).text.toLowerCase().includes(normaliseForDetection(disclaimer).text.toLowerCase());
      if (!present) {
        if (onMissing === 'append') {
          result = `${result.trimEnd()}\n\n${disclaimer}`;
          detections.push({ detector: 'policy', rule: 'disclaimer', score: 1, reason: 'the required disclaimer was missing and was appended' });
        } else take(onMissing, { detector: 'policy', rule: 'disclaimer', score: 1, reason: 'the answer lacks the required disclaimer' });
      }
    }

    if (surface === 'answer' && this.config.maxLength && result.length > this.config.maxLength.chars) {
      const { chars, action: onLong } = this.config.maxLength;
      take(onLong, { detector: 'policy', rule: 'max-length', score: 1, reason: `the answer has ${result.length} characters, more than the ${chars} allowed` });
      if (onLong === 'redact') result = `${result.slice(0, Math.max(0, chars - 1))}…`;
    }
    return { text: action === 'block' ? text : result, action, detections };
  }

  /** Every string in a JSON-like payload checked; a redaction changes the strings in place of a copy. */
  checkPayload(value: unknown, surface: PolicedSurface = 'side-effect'): { value: unknown; action: PolicyResult['action']; detections: Detection[] } {
    let action = 'allow' as PolicyResult['action'];
    const detections: Detection[] = [];
    const walk = (item: unknown): unknown => {
      if (typeof item === 'string') {
        const checked = this.check(item, surface);
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
