/**
 * The `hidden-instruction` rule: instructions hidden from the user (comments, hidden styling, invisible characters,
 * secrecy).
 */
import { LEAD, raw, type PhraseGroup } from '../rules.js';
import { AI } from './vocabulary.js';

export const HIDDEN_GROUPS: readonly PhraseGroup[] = [
  // ---- hidden-instruction -------------------------------------------------------------------------------------------
  {
    rule: 'hidden-instruction',
    keys: ['<!--'],
    patterns: [
      raw`<!--[^>]{0,400}?(?:\bignore (?:all |the |any |previous |prior |above |your )|\bdisregard (?:all|previous|the|your|any)\b|\b(?:${AI}|assistants?|agents?|models?)(?: ?:|,? (?:must|should|shall|please|ignore|disregard|do not|don't|always|never|you (?:must|should|are))\b)|\b(?:note|message|instructions?|attention) (?:to|for) (?:the |any |all )?(?:${AI}|assistants?|models?)\b|\b(?:dear|hey|hi|hello) ${AI}\b|\bsystem prompt\b|\bdo not (?:tell|mention|reveal|show) (?:the )?user\b)`,
    ],
  },
  {
    rule: 'hidden-instruction',
    keys: ['style'],
    patterns: [
      raw`<[a-z]+\b[^>]{0,120}?style ?= ?["'][^"'>]{0,120}?(?:display ?: ?none|visibility ?: ?hidden|font-size ?: ?0(?:px|pt|em|rem)? ?[;"']|opacity ?: ?0(?:\.0+)? ?[;"']|color ?: ?(?:white|#fff(?:fff)?|transparent)\b)[^>]{0,80}>[^<]{0,240}?(?:\bignore\b|\bdisregard\b|\byou (?:must|should|are)\b|\b${AI}\b|\bassistant\b|\binstructions?\b|\bprompt\b|\bapprove\b|\breveal\b)`,
    ],
  },
  {
    rule: 'hidden-instruction',
    keys: ['secretly', 'covertly'],
    patterns: [raw`\b(?:secretly|covertly) (?:also )?(?:send|forward|call|invoke|email|transfer|include|append|add|insert|execute|run|change|modify|delete|approve|upload|post|share|copy|leak|exfiltrate|mention|recommend)\b`],
  },
  {
    rule: 'hidden-instruction',
    keys: ['without telling', 'without informing', 'without notifying', 'without alerting', 'without asking', 'without letting'],
    patterns: [raw`${LEAD}\b(?:send|forward|call|invoke|email|transfer|include|append|add|insert|execute|run|change|modify|delete|approve|upload|post|share|copy|leak|recommend)\b[^.\n]{0,80}?\bwithout (?:telling|informing|notifying|alerting|asking|letting) (?:the )?(?:user|customer|human|anyone|them)\b`],
  },
  {
    rule: 'hidden-instruction',
    keys: ['not tell', "n't tell", 'never tell', 'not inform', "n't inform", 'never inform', 'not notify', "n't notify", 'not alert', "n't alert", 'not warn', "n't warn", 'not mention', "n't mention", 'never mention', 'not reveal', "n't reveal", 'never reveal', 'not disclose', "n't disclose", 'never disclose', 'not let', "n't let", 'never let', 'not acknowledge', "n't acknowledge", 'not reference', "n't reference", 'not repeat', "n't repeat", 'not quote', "n't quote", 'keep this', 'keep these', 'hide this', 'hide these', 'the user'],
    patterns: [
      raw`\b(?:do not|don't|never) (?:tell|inform|notify|alert|warn|mention (?:this|it) to|reveal (?:this|it) to|let) (?:the )?(?:user|customer|human|recipient)s?(?: know)? (?:about|that|of) (?:this|these) (?:instructions?|message|note|request|change|action|step|email|text|comment)\b`,
      raw`\b(?:do not|don't|never) (?:mention|reveal|disclose|acknowledge|reference|repeat|quote) (?:these|this) (?:instructions?|message|note|text|comment|directive|hidden text)(?: (?:to|in|from) (?:the )?(?:user|your (?:answer|response|reply)))?\b`,
      raw`\b(?:keep|hide) (?:this|these) (?:instructions?|message|note|text|directive) (?:secret|hidden|confidential|from the user)\b`,
      raw`\bthe user (?:must|should|will|does|may) (?:not|never) (?:know|find out|be told|notice|learn) (?:about )?(?:this|these|that you)\b`,
    ],
  },
  {
    rule: 'hidden-instruction',
    keys: ['[hidden', '[invisible', '[white'],
    patterns: [raw`\[(?:hidden|invisible|white) (?:text|instructions?)\]`],
  },
];
