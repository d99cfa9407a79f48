/** The vocabulary and keyword sets the groups of the rule table (./index.ts) are written with. */
import { raw } from '../rules.js';

// ---- shared vocabulary ----------------------------------------------------------------------------------------------
export const AI = raw`(?:ai|a\.i\.|ais|llms?|large language models?|language models?|ai (?:assistants?|agents?|models?|systems?|bots?|chatbots?|tools?|readers?|crawlers?|summari[sz]ers?|reviewers?)|chatbots?|gpts?|chatgpt|virtual assistants?|automated (?:assistants?|agents?|systems?|readers?|reviewers?|tools?)|autonomous agents?|artificial intelligence)`;
export const PROMPT_OBJ = raw`(?:system prompt|system message|system instructions|system-level instructions|initial (?:instructions|prompt)|original (?:instructions|prompt)|hidden (?:instructions|prompt|rules)|secret (?:instructions|prompt|rules)|internal (?:instructions|prompt|rules|guidelines)|developer (?:prompt|message|instructions)|pre-?prompt|meta-?prompt|base prompt|custom instructions|prompt instructions)`;
export const SENSITIVE = raw`(?:(?:this|the|all|every|any|your|my|these|those|our|entire|full|whole|complete|previous|current|user'?s?|customer'?s?|all the|all of the|all your) ){1,3}(?:\S+ )?(?:data|conversations?|chats?|chat history|chat logs?|message history|messages|history|transcripts?|context|context window|credentials|passwords?|api keys?|keys|tokens?|secrets?|session|cookies|inbox|system prompt|prompt|instructions|personal data|pii|memory|contacts|address book|records|database|card numbers?|bank details|information above)|everything(?: above| you know| you have| you can see| in (?:this|the) (?:conversation|chat|context))?|(?:customer|user|client|personal|private|confidential|sensitive) (?:data|records|details|information|emails?|contacts|list)`;
export const TARGET = raw`(?:https?://|www\.|ftp://|[\w.+-]+@[\w-]+\.[\w.]+|(?:the |this |our |my |an? )?(?:\S+ )?(?:following )?(?:url|link|address|e-?mail address|webhook|endpoint|server|external (?:server|address|url|site|email|endpoint)|attacker|slack(?: channel)?|discord|telegram|channel|pastebin|gist|ngrok|requestbin|webhook\.site)\b|#[\w-]+)`;
/** Where data is sent that can only be outside: a URL, an e-mail address, a channel, the attacker, a webhook. */
export const TARGET_TOKEN = raw`(?:https?://|www\.|[\w.+-]+@[\w-]+\.[\w.]+|#[\w-]+|(?:the )?attacker\b|webhook\b)`;
/** Everything there is: "all the data", "everything", "the entire conversation", "toutes les données", … */
export const EVERYTHING = raw`(?:all (?:of )?(?:the |your |my |this |that )?|everything|the (?:entire|full|whole|complete) |your (?:entire|full|whole|complete) )`;
export const VERDICT_OBJ = raw`(?:answers?|claims?|responses?|statements?|outputs?|results?|findings?|citations?|drafts?|summar(?:y|ies)|verdicts?|conclusions?|assertions?|facts?|sources?|passages?)`;
export const JUDGE = raw`(?:checker|verifier|reviewer|grader|judge|evaluator|validator|fact-?checker|moderator|critic|auditor|guard|classifier|screener|model|assistant|ai|llm)`;
export const TOOL_ID = raw`(?=["'\x60]?[a-z_]\w*(?:_|(?:\.|::|/)[a-z_]))["'\x60]?[a-z_]\w*(?:(?:\.|::|/)[a-z_]\w*){0,4}["'\x60]?(?![\w(]|\.[a-z_])`;

// ---- keyword sets ---------------------------------------------------------------------------------------------------
export const K_PROMPT = ['prompt', 'preprompt', 'metaprompt', 'instruction', 'system message', 'developer message', 'directive', 'rules', 'guidelines'];
export const K_SENSITIVE = ['data', 'conversation', 'chat', 'history', 'transcript', 'context', 'credential', 'password', 'api key', 'keys', 'token', 'secret', 'session', 'cookie', 'inbox', 'prompt', 'instruction', 'personal', 'pii', 'memory', 'contacts', 'address book', 'records', 'database', 'card number', 'bank details', 'information', 'everything', 'messages', 'customer', 'user', 'client', 'private', 'confidential', 'sensitive'];
export const K_TOOL_NOUN = ['tool', 'function', 'connector', 'plugin', 'action', 'operation'];
export const K_APPROVE = ['approve', 'accept', 'pass', 'verify', 'validate', 'confirm', 'endorse', 'sign off', 'greenlight', 'green-light', 'rubber-stamp'];
