/**
 * The rule table of the heuristic injection detector (src/guards/heuristics.ts): for each rule, groups of patterns and
 * the keywords that open them. A group's patterns run only when one of its keywords occurs in the detection form, so
 * every match of a pattern must contain one of its group's keywords.
 *
 * Notation. Patterns and keywords are written over the detection form: lower case, no diacritics (`précédentes` is
 * written `precedentes`), curly quotes and dashes as ASCII, whitespace collapsed. Non-ASCII letters are folded when the
 * table is compiled exactly as the text is, so Russian, Chinese and Japanese are written as they are spelled. A literal
 * space outside a character class stands for the single whitespace character the form has between words. Repetition
 * is always bounded and never nested, so no pattern can backtrack catastrophically.
 *
 * Fragments: {@link LEAD} requires an imperative position (start of a sentence, line or clause, or after "please",
 * "you must", "and", …); {@link NEG} refuses a verb that is negated or reported ("do not ignore", "models often
 * ignore", "how to ignore"). `compact` patterns match text whose letters were spaced out, with all spacing removed.
 */

/** The rules, as reported in `Detection.rule`. */
export type RuleId =
  | 'ignore-previous'
  | 'reveal-prompt'
  | 'role-override'
  | 'new-instructions'
  | 'fake-system-turn'
  | 'address-ai'
  | 'tool-command'
  | 'exfiltrate'
  | 'approve-answer'
  | 'dictate-answer'
  | 'fake-source'
  | 'hidden-instruction';

/** What each rule means, as a person reads it in the audit log. */
export const RULE_REASONS: Readonly<Record<RuleId, string>> = {
  'ignore-previous': 'Tells the reader to ignore or override its earlier instructions.',
  'reveal-prompt': 'Asks the reader to reveal its system prompt or hidden instructions.',
  'role-override': 'Tries to give the model a new role or lift its restrictions.',
  'new-instructions': 'Announces new or overriding instructions inside the data.',
  'fake-system-turn': 'Imitates a system or assistant turn of a chat template.',
  'address-ai': 'Addresses instructions to an AI that reads the text.',
  'tool-command': 'Tells the reader to call a tool or function.',
  'exfiltrate': 'Asks to send conversation or private data to an outside address.',
  'approve-answer': 'Tries to dictate the verdict on an answer or claim.',
  'dictate-answer': 'Tells the reader exactly what to answer.',
  'fake-source': 'Tells the reader what to cite or where to attribute a claim.',
  'hidden-instruction': 'Hides instructions from the user (comments, hidden styling, invisible characters, secrecy).',
};

/** Patterns of one rule and the keywords that open them. */
export interface PhraseGroup {
  rule: RuleId;
  /** Keywords (any form; folded when compiled), one of which every match of `patterns` contains. */
  keys: readonly string[];
  patterns: readonly string[];
  /** Patterns over spaced-out text compacted to letters and digits only. */
  compact?: readonly string[];
}

const raw = String.raw;

/**
 * What may stand before an order: the start of the text, a line, a sentence or a clause, or a word that leads one
 * ("please", "now", "and", "you must", "i want you to", …).
 */
export const LEAD_BEFORE = raw`(?:^|[\n.!?:;,>"'()[\]*•|#=~-] ?|\b(?:please|pls|plz|kindly|now|just|so|then|and|also|simply|immediately|first|instead|next|ok|okay|important|attention|note|always|hereby|you must|you should|you shall|you will|you'll|you need to|you have to|you are to|you're to|you are required to|you are instructed to|you are hereby|i want you to|i need you to|i order you to|i command you to|i instruct you to|make sure to|be sure to|remember to|don't forget to|do not forget to) )`;
/** Words before a verb that make it something other than an order: negated, possible, reported, a purpose. */
export const NOT_BEFORE = raw`\b(?:not|never|cannot|would|may|might|can|could|often|sometimes|usually|typically|frequently|commonly|rarely|models?|llms?|they|it|he|she|we|that|which|who|users?|attackers?|people|someone|tend to|tends to|likely to|how to|trying to|try to|tries to|attempt to|attempts to|designed to|able to|used to|not to|easy to|hard to|app|apps|server|client|browser|api|service|system|sdk|library|plugin|function|method) `;
/** Marker: the token after it must stand where an order can start ({@link LEAD_BEFORE}). */
export const LEAD = '\u{f0001}';
/**
 * Marker: the token after it must not follow {@link NOT_BEFORE}, "n't", "will" or "to" (unless after "you"), or
 * "if you". The compiler moves both checks behind their token, so a scan looks for the token first.
 */
export const NEG = '\u{f0002}';

// ---- ignore-previous ------------------------------------------------------------------------------------------------
const V_IGNORE = raw`\b(?:ignore|ignoring|disregard|disregarding|forget|forgetting|pay no attention to|do not (?:follow|obey|heed)|don't (?:follow|obey|heed)|stop (?:following|obeying))`;
const PRIOR = raw`(?:previous|previously given|prior|preceding|above|above-mentioned|earlier|foregoing|former|original|initial|aforementioned|system)`;
const ORDERS = raw`(?:instructions?|prompts?|directives?|directions|guidelines|guidance|rules|commands|orders|context|programming|training|constraints|restrictions|messages|input|text|content|conversation|system prompt|system message|policies)`;
const DE_V = raw`\b(?:ignorier(?:e|en|t)?|vergiss|vergesst|vergessen|missachte|missachtet|missachten|ubergeh(?:e|t|en)|verwirf|verwerft|verwerfen|befolge nicht|befolgt nicht|beachte nicht|beachtet nicht)`;
const DE_Q = raw`(?:vorherig\S*|bisherig\S*|vorangegangen\S*|vorangehend\S*|vorhergehend\S*|obig\S*|fruher\S*|vorig\S*|ursprunglich\S*|oben genannt\S*|obenstehend\S*|alle|samtliche\S*|jegliche\S*|deine|ihre|eure)`;
const DE_O = raw`(?:anweisung\S*|instruktion\S*|befehl\S*|regeln|vorgaben|anordnung\S*|richtlinie\S*|direktive\S*|prompts?|systemprompts?|system-prompts?|aufforderung\S*|vorschrift\S*|hinweise)`;
const FR_V = raw`\b(?:ignore|ignorez|ignorer|oublie|oubliez|oublier|ne (?:tiens|tenez) (?:pas|plus) compte|fais abstraction|faites abstraction|neglige|negligez|ecarte|ecartez|n'obeis plus|n'obeissez plus|ne (?:suis|suivez) (?:pas|plus)|passe outre|passez outre)`;
const FR_O = raw`(?:instructions?|consignes?|regles|directives|indications|ordres|prompts?|commandes)`;
const FR_Q = raw`(?:precedentes?|anterieures?|ci-dessus|plus haut|d'avant|initiales?|originales?|d'origine|du systeme|systeme|donnees|recues)`;
const ES_V = raw`\b(?:ignora|ignore|ignoren|ignorar|olvida|olvide|olviden|olvidate de|olvidese de|olvidar|no sigas|no siga|no sigan|haz caso omiso (?:a|de)|haga caso omiso (?:a|de)|hagan caso omiso (?:a|de)|descarta|descarte|desestima|omite|omita|pasa por alto|pase por alto)`;
const ES_O = raw`(?:instrucciones|instruccion|indicaciones|reglas|directrices|directivas|ordenes|consignas|prompts?|comandos|pautas)`;
const ES_Q = raw`(?:anteriores|previas|de arriba|precedentes|iniciales|originales|del sistema|dadas|recibidas)`;
const IT_V = raw`\b(?:ignora|ignorate|ignori|ignorare|dimentica|dimenticate|dimentichi|dimenticare|non seguire|non seguite|non segua|trascura|trascurate|non (?:tenere|tenete) conto (?:di|delle|dei)|scarta|scartate|tralascia)`;
const IT_O = raw`(?:istruzioni|indicazioni|regole|direttive|ordini|comandi|prompt|consegne)`;
const IT_Q = raw`(?:precedenti|di prima|sopra|qui sopra|iniziali|originali|del sistema|di sistema|date|ricevute|fornite)`;
const PT_V = raw`\b(?:ignore|ignora|ignorar|ignorem|esqueca|esquece|esquecam|esquecer|desconsidere|desconsidera|desconsiderem|nao siga|nao sigas|nao sigam|descarte|descarta|despreze|despreza)`;
const PT_O = raw`(?:instrucoes|instrucao|orientacoes|regras|diretrizes|diretivas|ordens|comandos|prompts?)`;
const PT_Q = raw`(?:anteriores|previas|acima|iniciais|originais|do sistema|de sistema|dadas|recebidas)`;
const NL_V = raw`\b(?:negeer|negeert|vergeet|sla over|omzeil|passeer|let niet op)`;
const NL_O = raw`(?:instructies|instructie|opdrachten|regels|aanwijzingen|richtlijnen|prompts?|commando's|bevelen|voorschriften)`;
const NL_Q = raw`(?:vorige|eerdere|voorgaande|bovenstaande|oorspronkelijke|originele|systeem|alle|je|jouw|uw)`;
const RU_V = raw`(?:игнорируй|игнорируйте|проигнорируй|проигнорируйте|игнорировать|забудь|забудьте|забыть|не обращай внимания на|не обращайте внимания на|не следуй|не следуйте|не выполняй|не выполняйте|отбрось|отбросьте|отмени|отмените|пренебреги|пренебрегите)`;
const RU_Q = raw`(?:предыдущ\S*|прежн\S*|предшествующ\S*|вышеуказанн\S*|вышеизложенн\S*|изначальн\S*|исходн\S*|первоначальн\S*|системн\S*|все|свои|твои|ваши|эти|данные тебе|данные вам)`;
const RU_O = raw`(?:инструкци\S*|указани\S*|команд\S*|правил\S*|промпт\S*|директив\S*|установк\S*|ограничени\S*|распоряжени\S*)`;
const ZH_V = raw`(?:忽略|无视|無視|忽视|忽視|不要理会|不要理會|不理会|不理會|忘记|忘記|忘掉|抛弃|拋棄|放弃|放棄|跳过|跳過|覆盖|覆蓋|不要遵守|不要遵循|停止遵循)`;
const ZH_Q = raw`(?:之前|以前|先前|此前|上面|上述|前面|上方|以上|原来|原來|原有|原先|所有|全部|一切|系统|系統|你的|您的)`;
const ZH_O = raw`(?:指令|指示|说明|說明|提示词|提示詞|提示|规则|規則|命令|设定|設定|要求|限制|约束|約束)`;
const JA_Q = raw`(?:以前|前|先|上記|上|これまで|今まで|先ほど|先程|すべて|全て|全部|元|最初|システム)`;
const JA_O = raw`(?:指示|指令|命令|ルール|プロンプト|設定|制約|指図)`;
const CJK_IGNORE = [
  raw`${ZH_V}掉?.{0,8}?${ZH_Q}的?.{0,6}?${ZH_O}`,
  raw`${ZH_Q}的?.{0,6}?${ZH_O}.{0,6}?(?:都|全部|一律)?(?:作废|作廢|无效|無效|不再有效|失效|${ZH_V})`,
  raw`${JA_Q}の.{0,10}?${JA_O}[はをも]?.{0,6}?(?:無視|忘れ|破棄|取り消)`,
  raw`${JA_O}を(?:すべて|全て)?(?:無視|忘れ)`,
  raw`(?:이전|위의|앞의|모든|기존|원래).{0,8}?(?:지시|명령|지침|규칙|프롬프트).{0,8}?(?:무시|잊어|잊으)`,
];

// ---- shared vocabulary ----------------------------------------------------------------------------------------------
const AI = raw`(?:ai|a\.i\.|ais|llms?|large language models?|language models?|ai (?:assistants?|agents?|models?|systems?|bots?|chatbots?|tools?|readers?|crawlers?|summari[sz]ers?|reviewers?)|chatbots?|gpts?|chatgpt|virtual assistants?|automated (?:assistants?|agents?|systems?|readers?|reviewers?|tools?)|autonomous agents?|artificial intelligence)`;
const PROMPT_OBJ = raw`(?:system prompt|system message|system instructions|system-level instructions|initial (?:instructions|prompt)|original (?:instructions|prompt)|hidden (?:instructions|prompt|rules)|secret (?:instructions|prompt|rules)|internal (?:instructions|prompt|rules|guidelines)|developer (?:prompt|message|instructions)|pre-?prompt|meta-?prompt|base prompt|custom instructions|prompt instructions)`;
const SENSITIVE = raw`(?:(?:this|the|all|every|any|your|my|these|those|our|entire|full|whole|complete|previous|current|user'?s?|customer'?s?|all the|all of the|all your) ){1,3}(?:\S+ )?(?:data|conversations?|chats?|chat history|chat logs?|message history|messages|history|transcripts?|context|context window|credentials|passwords?|api keys?|keys|tokens?|secrets?|session|cookies|inbox|system prompt|prompt|instructions|personal data|pii|memory|contacts|address book|records|database|card numbers?|bank details|information above)|everything(?: above| you know| you have| you can see| in (?:this|the) (?:conversation|chat|context))?|(?:customer|user|client|personal|private|confidential|sensitive) (?:data|records|details|information|emails?|contacts|list)`;
const TARGET = raw`(?:https?://|www\.|ftp://|[\w.+-]+@[\w-]+\.[\w.]+|(?:the |this |our |my |an? )?(?:following )?(?:url|link|address|e-?mail address|webhook|endpoint|server|external (?:server|address|url|site|email|endpoint)|attacker|slack(?: channel)?|discord|telegram|channel|pastebin|gist|ngrok|requestbin|webhook\.site)\b|#[\w-]+)`;
const VERDICT_OBJ = raw`(?:answers?|claims?|responses?|statements?|outputs?|results?|findings?|citations?|drafts?|summar(?:y|ies)|verdicts?|conclusions?|assertions?|facts?|sources?|passages?)`;
const JUDGE = raw`(?:checker|verifier|reviewer|grader|judge|evaluator|validator|fact-?checker|moderator|critic|auditor|guard|classifier|screener|model|assistant|ai|llm)`;
const TOOL_ID = raw`(?=["'\x60]?[a-z_]\w*(?:_|(?:\.|::|/)[a-z_]))["'\x60]?[a-z_]\w*(?:(?:\.|::|/)[a-z_]\w*){0,4}["'\x60]?(?![\w(]|\.[a-z_])`;


// ---- keyword sets ---------------------------------------------------------------------------------------------------
const K_PROMPT = ['prompt', 'preprompt', 'metaprompt', 'instruction', 'system message', 'developer message', 'directive', 'rules', 'guidelines'];
const K_SENSITIVE = ['data', 'conversation', 'chat', 'history', 'transcript', 'context', 'credential', 'password', 'api key', 'keys', 'token', 'secret', 'session', 'cookie', 'inbox', 'prompt', 'instruction', 'personal', 'pii', 'memory', 'contacts', 'address book', 'records', 'database', 'card number', 'bank details', 'information', 'everything', 'messages', 'customer', 'user', 'client', 'private', 'confidential', 'sensitive'];
const K_TOOL_NOUN = ['tool', 'function', 'connector', 'plugin', 'action', 'operation'];
const K_APPROVE = ['approve', 'accept', 'pass', 'verify', 'validate', 'confirm', 'endorse', 'sign off', 'greenlight', 'green-light', 'rubber-stamp'];

/** The rule table, in reporting order. */
export const PHRASE_GROUPS: readonly PhraseGroup[] = [
  // ---- ignore-previous ----------------------------------------------------------------------------------------------
  {
    rule: 'ignore-previous',
    keys: ['ignor', 'disregard', 'forget', 'pay no attention', 'not follow', "n't follow", 'not obey', "n't obey", 'not heed', "n't heed", 'stop follow', 'stop obey'],
    patterns: [
      raw`${NEG}${V_IGNORE} (?:(?:all|any|each|every) (?:of )?)?(?:the |your |my |these |those |its |our )?${PRIOR} (?:\S+ )?${ORDERS}\b(?! (?:if|unless)\b)`,
      raw`${NEG}${V_IGNORE} (?:(?:all|any) (?:of )?)?(?:the |your |my |these |those )?(?:\S+ )?${ORDERS} (?:above|before this|(?:you (?:were|have been|got) |that (?:were|was) )?(?:given|received|told|provided) (?:to you )?(?:above|before|earlier|previously|so far|until now)|from (?:before|earlier|above|the (?:system|developer|beginning|start))|so far|up to (?:now|this point)|until now|in (?:the|your) system prompt)\b`,
      raw`${NEG}${V_IGNORE} (?:all|any) (?:of )?(?:the |your |my |these |those )?(?:\S+ )?(?:instructions|prompts|directives|guidelines|programming|training|restrictions|constraints|safety (?:guidelines|rules|measures)|content polic(?:y|ies))\b`,
      raw`${NEG}${V_IGNORE} your (?:\S+ )?(?:instructions|prompt|system prompt|rules|guidelines|programming|training|directives|restrictions|constraints|policies|principles|filters|guardrails|safety|ethics|limitations)\b`,
      raw`${NEG}${V_IGNORE} (?:everything|anything|all|whatever|what) (?:that )?(?:(?:i|we|you|they|someone|anyone) )?(?:(?:have|has|had|was|were|is|are|'ve|'re|been) ){0,2}(?:(?:said|written|told|given|stated|mentioned|instructed|taught|shown|provided) )?(?:to you )?(?:above|before(?: this| now| that)?|previously|earlier|prior(?: to (?:this|now))?|so far|until now|up to (?:now|here|this point)|up until now)\b`,
    ],
    compact: [
      raw`(?:ignore|disregard|forget|override)(?:all|any|the|your|of|my|these){0,3}(?:previous|prior|above|earlier|preceding|original|initial|system|existing)?(?:instructions?|prompts?|rules|directions|directives|guidelines|commands|programming)`,
      raw`(?:ignore|disregard|forget)everything(?:above|before)`,
      raw`(?:ignorier\w{0,3}|vergiss)(?:alle|die|deine){0,2}(?:vorherigen|bisherigen|obigen)?anweisungen`,
      raw`(?:ignore\w{0,2}|oublie\w?|ignora\w?|olvida|dimentica|esqueca|negeer|vergeet)(?:toutes|todas|tutte|alle|les|las|le|as|tus|tes|je){0,3}(?:instructions|instrucciones|istruzioni|instrucoes|instructies|consignes)`,
      raw`(?:игнорируй|забудь)\S{0,24}?(?:инструкци|указани|правил|промпт)`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['overrid', 'overrul', 'overwrit', 'bypass', 'supersede', 'nullify', 'revoke', 'cancel'],
    patterns: [
      raw`${NEG}\b(?:override|bypass|overrule|overwrite|supersede|nullify|cancel|revoke) (?:all |any |your |all (?:of )?(?:your|the) |the (?:previous|prior|above|earlier) |(?:previous|prior|above|earlier) )(?:previous |prior |above |earlier |original |initial |system |existing )?(?:instructions|system prompt|prompts?|programming|directives|guidelines|safety (?:guidelines|rules|settings|filters|measures|protocols)|content polic(?:y|ies)|ethical guidelines|restrictions)\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['void', 'null', 'cancel', 'revoked', 'invalid', 'obsolete', 'superseded', 'overridden', 'overruled', 'rescinded', 'suspended', 'lifted', 'no longer', 'not valid', 'not applicable', 'not binding'],
    patterns: [
      raw`\b${PRIOR} (?:\S+ )?(?:instructions|prompts?|directives|system prompt) (?:are|were|is|have been|has been) (?:now |hereby |henceforth )?(?:void|null|null and void|cancel+ed|revoked|invalid|invalidated|obsolete|superseded|overridden|overruled|rescinded|suspended|lifted|no longer (?:valid|in effect|applicable|active|binding)|not (?:valid|applicable|binding))\b`,
      raw`\b${PRIOR} (?:\S+ )?(?:instructions|prompts?|directives) no longer apply\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['ignorier', 'vergiss', 'vergess', 'missacht', 'ubergeh', 'verwirf', 'verwerf', 'befolg', 'beacht'],
    patterns: [
      raw`${DE_V}(?: sie| du)? (?:(?:alle|samtliche|jegliche|die|deine|ihre|eure|meine|diese) ){0,2}${DE_Q} (?:\S+ )?${DE_O}`,
      raw`${DE_V}(?: sie| du)? alles,? (?:was |das )?(?:\S+ )?(?:davor|zuvor|vorher|bisher|oben|bis hierher|vorangegangen\S*|bisherige|vorherige|obenstehende|gesagt\S*)\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['ignorieren', 'vergessen', 'missachten', 'ubergehen', 'verwerfen', 'befolgen', 'beachten'],
    patterns: [raw`\b(?:(?:alle|samtliche|die|deine|ihre) )?${DE_Q} (?:\S+ )?${DE_O} (?:\S+ ){0,2}(?:ignorieren|vergessen|missachten|ubergehen|verwerfen|nicht (?:mehr )?(?:befolgen|beachten))\b`],
  },
  {
    rule: 'ignore-previous',
    keys: ['ignor', 'oubli', 'compte', 'abstraction', 'neglige', 'ecarte', "n'obei", 'ne suis', 'ne suivez', 'outre'],
    patterns: [
      raw`${FR_V}(?: (?:a|aux|de|des|du))? (?:toutes )?(?:les |des |ces |tes |vos )?(?:\S+ )?${FR_O} ${FR_Q}`,
      raw`${FR_V}(?: (?:a|aux|de|des))? (?:toutes )?(?:tes|vos) (?:\S+ )?${FR_O}\b`,
      raw`${FR_V} tout ce (?:qui (?:precede|a ete dit|est (?:ecrit )?(?:au-dessus|ci-dessus|plus haut)|vient avant)|que (?:je t'ai|on t'a|on vous a|je vous ai) dit)\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['ignor', 'olvid', 'caso omiso', 'no sig', 'descart', 'desestima', 'omit', 'pasa por alto', 'pase por alto'],
    patterns: [
      raw`${ES_V} (?:todas )?(?:las |tus |sus |estas |esas )?(?:\S+ )?${ES_O} ${ES_Q}\b`,
      raw`${ES_V} (?:todas )?(?:tus|sus) (?:\S+ )?${ES_O}\b`,
      raw`${ES_V} todo lo (?:anterior|que (?:se )?(?:te |le )?(?:dije|dijeron|ha dicho|han dicho|he dicho)|dicho (?:antes|anteriormente|arriba))\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['ignor', 'dimentic', 'non segu', 'non segua', 'trascur', 'non tenere', 'non tenete', 'scarta', 'tralascia'],
    patterns: [
      raw`${IT_V} (?:tutte )?(?:le |queste )?(?:tue |sue )?(?:\S+ )?${IT_O} ${IT_Q}\b`,
      raw`${IT_V} (?:tutte )?(?:le )?(?:tue|sue|vostre) (?:\S+ )?${IT_O}\b`,
      raw`${IT_V} tutto (?:quello |cio |quanto )?(?:che (?:ti |vi )?(?:e stato|hanno|ho) (?:detto|scritto)|sopra|prima)\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['ignor', 'esquec', 'desconsider', 'nao sig', 'descart', 'desprez'],
    patterns: [
      raw`${PT_V} (?:todas )?(?:as |suas |tuas |essas |estas )?(?:\S+ )?${PT_O} ${PT_Q}\b`,
      raw`${PT_V} (?:todas )?(?:as )?(?:suas|tuas) (?:\S+ )?${PT_O}\b`,
      raw`${PT_V} tudo (?:o que (?:foi|te foi|lhe foi) (?:dito|escrito)|acima|antes)\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['negeer', 'vergeet', 'sla over', 'omzeil', 'passeer', 'let niet', 'volg'],
    patterns: [
      raw`${NL_V} (?:alle |al )?(?:de |deze )?${NL_Q} (?:\S+ )?${NL_O}\b`,
      raw`\bvolg (?:de |alle )?${NL_Q} ${NL_O} niet\b`,
      raw`${NL_V} alles (?:hierboven|hiervoor|wat (?:je|u) (?:eerder )?(?:is|werd) (?:gezegd|verteld))\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['игнор', 'проигнор', 'забуд', 'забыть', 'не обращ', 'не след', 'не выполн', 'отбрось', 'отмени', 'пренебр'],
    patterns: [raw`${RU_V} (?:${RU_Q} ){1,3}${RU_O}`, raw`${RU_V} вс[её],? (?:что (?:было )?(?:сказано|написано)|вышесказанное|сказанное|выше|ранее|до этого)`],
  },
  {
    rule: 'ignore-previous',
    keys: ['忽略', '忽视', '忽視', '无视', '無視', '理会', '理會', '忘记', '忘記', '忘掉', '抛弃', '拋棄', '放弃', '放棄', '跳过', '跳過', '覆盖', '覆蓋', '遵守', '遵循', '作废', '作廢', '无效', '無效', '失效', '忘れ', '破棄', '取り消', '무시', '잊'],
    patterns: CJK_IGNORE,
    compact: CJK_IGNORE,
  },

  // ---- reveal-prompt ------------------------------------------------------------------------------------------------
  {
    rule: 'reveal-prompt',
    keys: K_PROMPT,
    patterns: [
      raw`${NEG}\b(?:reveal|repeat|disclose|leak|dump|recite|spell out|expose|divulge|reproduce|print|output|echo|regurgitate|show|display|tell|give|share|provide|write(?: out| down)?|return|list|type(?: out)?|send|paste|copy|read(?: out| back)?|state|summari[sz]e|translate|describe)(?: to me| me| us)?(?: back| out)?(?: all(?: of)?| the (?:full|entire|complete|exact|whole))? your (?:(?:full|entire|complete|exact|whole|verbatim|actual|real|current) )?${PROMPT_OBJ}\b`,
      raw`${NEG}\b(?:reveal|repeat|disclose|leak|dump|recite|spell out|expose|divulge|reproduce|print|output|echo|regurgitate)(?: to me| me| us)?(?: back| out)?(?: all(?: of)?)? your (?:(?:full|entire|complete|exact|whole|verbatim|actual|real|current|previous|original) )?(?:prompt|instructions|rules|guidelines|directives)\b`,
    ],
  },
  {
    rule: 'reveal-prompt',
    keys: ['reveal', 'leak', 'disclose', 'dump', 'expose', 'divulge'],
    patterns: [raw`${NEG}\b(?:reveal|leak|disclose|dump|expose|divulge)(?: to me| me| us)? (?:the|this|that) (?:\S+ ){0,2}${PROMPT_OBJ}\b`],
  },
  {
    rule: 'reveal-prompt',
    keys: K_PROMPT,
    patterns: [
      raw`${LEAD}\b(?:show|display|print|output|repeat|tell|give|write|send|share|return|list|type|paste|copy|recite|reproduce)(?: to)? (?:me|us) (?:the|this|that) (?:\S+ ){0,2}${PROMPT_OBJ}\b`,
      raw`${NEG}\b(?:show|display|print|output|repeat|tell|give|write|write out|send|share|return|list|type|paste|copy|recite|reproduce|echo|state)(?: back| out)? (?:the|this|that) (?:(?:full|entire|complete|exact|whole|original|initial|hidden|secret|internal|above|verbatim|current) ){0,3}${PROMPT_OBJ}(?=[^.\n]{0,40}?\b(?:verbatim|word for word|in full|exactly|above|you (?:were|have been|got) given|in (?:a|your) (?:code ?block|reply|response|answer)|(?:at|to) the (?:start|beginning|end) of your|without (?:any )?(?:changes|omissions|modifications?))\b)`,
    ],
  },
  {
    rule: 'reveal-prompt',
    keys: ['repeat', 'print', 'output', 'reproduce', 'recite', 'echo', 'reveal', 'tell me', 'give me', 'show me', 'write out', 'type out', 'spell out'],
    patterns: [
      raw`${LEAD}\b(?:repeat|print|output|reproduce|recite|echo|reveal|tell me|give me|show me|write out|type out|spell out)(?: back)? (?:all |the |every )?(?:(?:entire|full|whole|complete|exact) )?(?:texts?|words|content|contents|lines|message|messages|instructions|prompt|conversation|context|everything|sentences?)(?: that (?:is|was|are|were|came|comes|appears?|appeared))?(?: written)? (?:above|before this|before that|prior to this|preceding this|so far|at the (?:start|beginning|top))\b`,
      raw`${LEAD}\b(?:repeat|print|output|reproduce|recite|reveal|tell me|give me|show me) (?:all )?(?:the )?(?:instructions|text|words|rules) you (?:were|have been|got) (?:given|told)\b`,
    ],
  },
  {
    rule: 'reveal-prompt',
    keys: ['what is', 'what are', 'what was', 'what were', "what's", 'begin your', 'start your', 'prefix your', 'preface your', 'open your'],
    patterns: [
      raw`\bwhat (?:is|are|was|were|'s) your (?:(?:exact|full|original|initial|hidden|secret|current|real) )?(?:system prompt|system message|prompt|instructions|initial instructions|original instructions|hidden instructions)\b(?! (?:for|on|about|regarding|to)\b)`,
      raw`\bwhat (?:is|are|was|were|'s) the (?:instructions|prompt|system prompt) you (?:were|have been|got) given\b`,
      raw`\b(?:begin|start|prefix|preface|open) your (?:reply|response|answer|output|message) (?:with|by (?:repeating|printing|quoting|writing)) (?:your|the) (?:\S+ )?(?:system prompt|instructions|prompt|initial|original|hidden)\b`,
    ],
  },
  {
    rule: 'reveal-prompt',
    keys: ['zeig', 'gib', 'geben sie', 'verrate', 'wiederhole', 'nenne', 'schreib', 'drucke', 'offenbare', 'enthulle', 'teile'],
    patterns: [
      raw`\b(?:zeig(?:e|en sie)?|gib|geben sie|verrate|verraten sie|wiederhole|wiederholen sie|nenne|nennen sie|schreib(?:e|en sie)?|drucke|offenbare|enthulle|teile)(?: mir| uns)?(?: bitte)? (?:deinen|deine|ihren|ihre|den|die) (?:(?:kompletten|vollstandigen|genauen|ursprunglichen|versteckten|geheimen|internen) )?(?:system-?prompt|systemanweisung\S*|systemnachricht|ursprunglichen anweisungen|anfangsanweisungen|versteckten anweisungen|geheimen anweisungen|anweisungen|prompt)\b`,
    ],
  },
  {
    rule: 'reveal-prompt',
    keys: ['revele', 'affiche', 'montre', 'repete', 'donne', 'dis-moi', 'dis moi', 'dites', 'ecris', 'ecrivez', 'imprime', 'divulgue'],
    patterns: [
      raw`\b(?:revele|revelez|affiche|affichez|montre|montrez|repete|repetez|donne|donnez|dis|dites|ecris|ecrivez|imprime|imprimez|divulgue|divulguez)(?:-moi| moi|-nous)? (?:ton|ta|tes|votre|vos|le|les) (?:\S+ )?(?:prompt systeme|prompt du systeme|invite systeme|message systeme|message du systeme|instructions (?:initiales|systeme|du systeme|cachees|secretes|d'origine|originales)|consignes (?:initiales|systeme|cachees|secretes))\b`,
      raw`\b(?:revele|revelez|repete|repetez|divulgue|divulguez|affiche|affichez)(?:-moi| moi)? (?:ton|tes|votre|vos) (?:prompt|instructions|consignes)\b`,
    ],
  },
  {
    rule: 'reveal-prompt',
    keys: ['revela', 'revele', 'muestra', 'repite', 'repita', 'imprim', 'dime', 'digame', 'dame', 'deme', 'escrib', 'divulga', 'rivela', 'mostra', 'ripeti', 'stampa', 'dimmi', 'dammi', 'scrivi', 'svela', 'mostre', 'repete', 'diga', 'escreva', 'divulgue', 'toon', 'herhaal', 'geef', 'print', 'onthul', 'vertel', 'schrijf'],
    patterns: [
      raw`\b(?:revela|revele|muestra|muestre|muestrame|repite|repita|imprime|imprima|dime|digame|dame|deme|escribe|escriba|divulga)(?: me)? (?:tu|tus|su|sus|el|las|los) (?:\S+ )?(?:prompt (?:del|de) sistema|mensaje (?:del|de) sistema|instrucciones (?:iniciales|del sistema|de sistema|ocultas|secretas|originales)|prompt)\b`,
      raw`\b(?:revela|revele|repite|repita|divulga)(?: me)? (?:tus|sus) instrucciones\b`,
      raw`\b(?:rivela|rivelami|mostra|mostrami|ripeti|ripetimi|stampa|dimmi|dammi|scrivi|svela)(?: mi)? (?:il tuo|il suo|il|le tue|le sue|i tuoi|le) (?:\S+ )?(?:prompt (?:di|del) sistema|messaggio (?:di|del) sistema|istruzioni (?:iniziali|di sistema|del sistema|nascoste|segrete|originali)|prompt)\b`,
      raw`\b(?:revele|revela|mostre|mostra|repita|repete|imprima|diga|diga-me|me diga|escreva|divulgue)(?: me)? (?:seu|sua|suas|seus|teu|tuas|o|as|os) (?:\S+ )?(?:prompt (?:do|de) sistema|mensagem (?:do|de) sistema|instrucoes (?:iniciais|do sistema|de sistema|ocultas|secretas|originais)|prompt)\b`,
      raw`\b(?:toon|herhaal|geef|print|onthul|vertel|schrijf)(?: me| mij| ons)? (?:je|jouw|uw|de|het) (?:\S+ )?(?:systeemprompt|systeem-prompt|systeeminstructies|systeembericht|oorspronkelijke instructies|verborgen instructies|geheime instructies|prompt)\b`,
      raw`\b(?:herhaal|onthul)(?: me| mij)? (?:je|jouw|uw) instructies\b`,
    ],
  },
  {
    rule: 'reveal-prompt',
    keys: ['покаж', 'выведи', 'повтори', 'раскрой', 'напиши', 'скажи', 'напечатай', 'процитируй', 'сообщи', 'выдай', 'расскажи', '输出', '显示', '顯示', '告诉我', '告訴我', '重复', '重複', '打印', '泄露', '洩露', '透露', '给我', '給我', '展示', '列出', '复述', '複述', '说出', '說出', '写出', '寫出', '你的', '您的', 'システム', '初期', '元の', '隠された', '秘密の', 'あなたの', '시스템', '초기'],
    patterns: [
      raw`(?:покажи|покажите|выведи|выведите|повтори|повторите|раскрой|раскройте|напиши|напишите|скажи|скажите|напечатай|процитируй|сообщи|выдай|расскажи)(?: мне| нам)? (?:(?:свой|свои|твой|твои|ваш|ваши|весь|все|полный|исходный|изначальный|системный|скрытый|секретный|первоначальные|исходные|скрытые|системные|секретные) ){1,3}(?:промпт\S*|prompt|инструкци\S*|подсказк\S*|указани\S*)`,
      raw`(?:输出|显示|顯示|告诉我|告訴我|重复|重複|打印|泄露|洩露|透露|给我|給我|展示|列出|复述|複述|说出|說出|写出|寫出)(?:一下|出)?(?:你的|您的)?.{0,4}?(?:系统提示|系統提示|系统指令|系統指令|初始指令|原始指令|隐藏指令|隱藏指令|系统消息|系統訊息|提示词|提示詞|system prompt)`,
      raw`(?:你的|您的)(?:系统提示|系統提示|系统指令|系統指令|提示词|提示詞|初始指令)(?:是什么|是什麼)`,
      raw`(?:システムプロンプト|システム指示|初期指示|初期プロンプト|元の指示|隠された指示|秘密の指示|あなたの指示|あなたのプロンプト)(?:を|の内容を).{0,6}?(?:表示|出力|教え|見せ|繰り返|書き出|開示|共有)`,
      raw`(?:시스템 ?프롬프트|시스템 ?지시|초기 ?지시).{0,8}?(?:보여|출력|알려|공개|반복)`,
    ],
  },

  // ---- role-override ------------------------------------------------------------------------------------------------
  {
    rule: 'role-override',
    keys: ['you are now', "you're now", 'youre now', 'you re now', 'you r now', 'you are no longer', "you're no longer", 'you are in', "you're in", 'you are running', 'you are operating'],
    patterns: [
      raw`\byou(?: are|'re|re| r) now (?:(?:an?|the|my|in|acting as|playing|operating (?:as|in)) )?(?:\S+ ){0,2}(?:ai|assistant|bot|chatbot|model|llm|gpt|persona|character|dan|jailbroken|jailbreak|unrestricted|unfiltered|uncensored|unlimited|unbound|unchained|liberated|evil|rogue|amoral|hacker|terminal|shell|(?:developer|dev|god|jailbreak|dan|unrestricted|unfiltered|uncensored|evil|chaos|sudo) mode|free (?:from|of)|not bound|no longer (?:bound|restricted|limited|an?)|named|called)\b`,
      raw`\byou(?: are|'re) no longer (?:an? )?(?:ai|assistant|language model|chatbot|bound by|restricted by|limited by|subject to|governed by|required to follow|obliged to follow|chatgpt|claude)\b`,
      raw`\byou(?: are|'re) (?:now )?(?:in|running in|operating in) (?:developer|god|dan|jailbreak|unrestricted|unfiltered|uncensored|evil) mode\b`,
    ],
    compact: [raw`you(?:are|re)now(?:in)?(?:an?)?(?:developermode|dan|jailbroken|unrestricted|unfiltered|uncensored|evil|free)`],
  },
  {
    rule: 'role-override',
    keys: ['from now on'],
    patterns: [
      raw`\bfrom now on,? (?:you(?: are|'re| will be| shall be| will| shall| must| should|'ll)? )?(?:an? |my |called |named )?(?:(?:\S+ )?(?:ai|assistant|dan|evil|unrestricted|unfiltered|uncensored|jailbroken)\b|act (?:as|like)|behave (?:as|like)|pretend|roleplay|role-play|ignore|disregard|never refuse|speak as|answer as|respond as|reply as|only (?:respond|answer|reply|speak|output) (?:in|with|as|using)|always (?:respond|answer|reply) (?:as|in character|without))`,
      raw`\bfrom now on,? your (?:name|role|persona|identity|new instructions|instructions|only (?:task|goal)) (?:is|are|will be)\b`,
    ],
  },
  {
    rule: 'role-override',
    keys: ['act as', 'act like', 'behave as', 'behave like', 'roleplay as', 'role-play as', 'pose as', 'function as', 'operate as', 'pretend', 'become'],
    patterns: [
      raw`\b(?:act|behave|roleplay|role-play|pose|function|operate) (?:as|like) (?:an? |the |my )?(?:\S+ )?(?:unrestricted|unfiltered|uncensored|unlimited|unbounded|jailbroken|evil|rogue|amoral|immoral|unethical|malicious|dan|different (?:ai|assistant|model))\b`,
      raw`\b(?:act|behave|roleplay|role-play) as (?:an? )?(?:ai|assistant|model|chatbot|llm)(?: that| which| who)? (?:has no|with no|without(?: any)?|ignores|does not follow|doesn't follow|is free from) (?:\S+ )?(?:restrictions|rules|filters|limits|limitations|guidelines|polic(?:y|ies)|ethics|morals|censorship|instructions)\b`,
      raw`\bpretend (?:to be|you are|you're|that you are|that you're|you have|you've|that you have|to have) (?:an? )?(?:\S+ )?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|dan|no (?:\S+ )?(?:restrictions|rules|filters|limits|limitations|guidelines|content polic\S*|ethics|morals|ethical \S+)|free (?:of|from) (?:all |any )?(?:restrictions|rules|filters|guidelines))\b`,
      raw`\bpretend (?:that )?(?:the|your) (?:rules|restrictions|guidelines|filters|polic(?:y|ies)) (?:don't|do not|no longer) (?:exist|apply)\b`,
      raw`\b(?:pretend to be|pretend you are|become|roleplay as|role-play as|act as) (?:now )?dan\b`,
    ],
    compact: [raw`(?:actas|pretendtobe)(?:an?)?(?:unrestricted|unfiltered|uncensored|dan|evil|jailbroken)`],
  },
  {
    rule: 'role-override',
    keys: ['dan mode', 'jailbreak mode', 'jailbroken mode', 'god mode', 'evil mode', 'unrestricted mode', 'unfiltered mode', 'uncensored mode', 'chaos mode', 'anarchy mode', 'developer mode'],
    patterns: [
      raw`\b(?:enable|activate|enter|switch to|turn on|engage|unlock|initiate|start) (?:the )?(?:dan|jailbreak|jailbroken|god|evil|unrestricted|unfiltered|uncensored|chaos|anarchy) mode\b`,
      raw`\b(?:chatgpt|gpt|claude|llm|ai|assistant|model|you) (?:with|in) developer mode\b|\bdeveloper mode (?:output|response|enabled\b.{0,60}?\b(?:you|ai|model|assistant|respond|polic))|\bsimulate (?:a |the )?developer mode\b`,
    ],
    compact: [raw`developermode(?:enabled|activated|on)|jailbroken|jailbreakmode|doanythingnow`],
  },
  {
    rule: 'role-override',
    keys: ['dan', 'd.a.n', 'do anything now'],
    patterns: [raw`\b(?:you are|you're|you will be|you'll be) (?:now )?dan\b|\bdan (?:mode|jailbreak|prompt|persona)\b|\b(?:dan|d\.a\.n\.?)[,:]? (?:which |that )?(?:stands for|means) "?do anything now\b`],
  },
  {
    rule: 'role-override',
    keys: ['jailbr'],
    patterns: [raw`\b(?:you(?: are|'re)(?: now)?|i have|i've|successfully|been|is now|am now) jailbroken\b|\bjailbreak(?:ed)? mode\b|\b(?:enable|activate|begin|start|initiate|run|apply|execute|engage) (?:the |this |a )?jailbreak\b|\bjailbroken (?:ai|assistant|model|chatbot|version|persona)\b|\[[^\]\n]{0,6}jailbreak\]`],
  },
  {
    rule: 'role-override',
    keys: ['filter', 'guardrail', 'safeguard', 'restriction', 'limitation', 'safety', 'content polic', 'ethical', 'censorship', 'moral'],
    patterns: [
      raw`${LEAD}\b(?:ignore|bypass|disable|remove|turn off|deactivate|lift|drop|forget|override) (?:all |any )?(?:of )?your (?:\S+ )?(?:filters?|guardrails?|safeguards?|restrictions|limitations|safety (?:\S+)|content polic(?:y|ies)|ethical (?:\S+)|censorship)\b`,
      raw`${LEAD}\b(?:ignore|bypass|disable|remove|turn off|deactivate|lift|drop|override) (?:all |any |the )?(?:of )?(?:the )?(?:ai's |model's )?(?:safety|content|ethical|moral|openai|anthropic|ai) (?:filters?|guardrails?|safeguards?|restrictions|polic(?:y|ies)|guidelines|rules|censorship)\b`,
    ],
  },
  {
    rule: 'role-override',
    keys: ['du bist', 'ab jetzt', 'ab sofort', 'tu es', 'vous etes', 'ahora eres', 'a partir de', 'ora sei', "d'ora in poi", 'voce e', 'je bent', 'vanaf nu', 'теперь ты', 'отныне', 'с этого момента', '你现在是', '你現在是', '从现在开始', '從現在開始', '今からあなたは', 'これからあなたは', '開発者モード', '开发者模式', '開發者模式', '越狱', '越獄', 'dan模式', 'режим', 'entwicklermodus', 'dan-modus', 'mode developpeur', 'mode dan', 'modo desarrollador', 'modo dan', 'modalita', 'modo desenvolvedor'],
    patterns: [
      raw`\b(?:du bist (?:ab )?jetzt|ab (?:jetzt|sofort) bist du|tu es (?:maintenant|desormais)|vous etes (?:maintenant|desormais)|a partir de maintenant,? tu es|ahora eres|a partir de ahora,? (?:eres|seras)|ora sei|d'ora in poi,? sei|agora voce e|a partir de agora,? (?:voce e|es)|je bent nu|vanaf nu ben je) (?:\S+ ){0,2}(?:ki|ia|ai|assistent|assistant|asistente|assistente|dan|ohne (?:einschrankungen|regeln|filter)|sans (?:restrictions|regles|filtres)|sin (?:restricciones|reglas|filtros)|senza (?:restrizioni|regole|filtri)|sem (?:restricoes|regras|filtros)|zonder (?:beperkingen|regels|filters)|uneingeschrankt\S*|libre|libero|livre|vrij|im entwicklermodus|en mode developpeur|en modo desarrollador|in modalita sviluppatore|em modo desenvolvedor)\b`,
      raw`(?:теперь ты|отныне ты|с этого момента ты) (?:\S+ ){0,2}(?:ии|бот|ассистент|dan|без (?:ограничений|правил|фильтров|цензуры)|свободн\S*|в режиме разработчика)`,
      raw`(?:你现在是|你現在是|从现在开始你是|從現在開始你是|从现在开始,你是|今からあなたは|これからあなたは).{0,12}?(?:不受限制|没有限制|沒有限制|无限制|無限制|dan|越狱|越獄|开发者模式|開發者模式|制限のない|制限なし|脱獄|開発者モード)`,
      raw`(?:启用|啟用|进入|進入|开启|開啟|激活)(?:了)?(?:开发者模式|開發者模式|越狱模式|越獄模式|dan模式)|開発者モード(?:を有効|に入|を起動)|(?:включи|активируй|войди в) (?:режим разработчика|режим dan)|(?:aktiviere|starte) (?:den )?(?:entwicklermodus|dan-modus)|(?:active|activez|passe en) (?:le )?mode (?:developpeur|dan)|(?:activa|entra en) (?:el )?modo (?:desarrollador|dan)|(?:attiva|entra in) (?:la )?modalita (?:sviluppatore|dan)|(?:ative|ativa|entre no) (?:o )?modo (?:desenvolvedor|dan)`,
    ],
  },

  // ---- new-instructions ---------------------------------------------------------------------------------------------
  {
    rule: 'new-instructions',
    keys: ['instruction', 'prompt', 'directive', 'orders', 'rules'],
    patterns: [
      raw`\b(?:new|real|actual|true|secret|hidden|override|overriding|priority|system|admin|developer|replacement)(?<=(?:^|[\n.!?>\]*#"'(-] ?|\b(?:important|attention|urgent|note|update|begin|start|your)[:!]? )\b(?:new|real|actual|true|secret|hidden|override|overriding|priority|system|admin|developer|replacement)) (?:system )?(?:instructions?|prompt|directives?|orders|rules) ?(?::|-|=|\bare\b|\bfollow\b)`,
    ],
    compact: [raw`(?:new|real|actual|secret|hidden|system)instructions|systemoverride|adminoverride`],
  },
  {
    rule: 'new-instructions',
    keys: ['your new', 'your real', 'your actual', 'your true', 'your only'],
    patterns: [
      raw`\byour (?:new|real|actual|true|only) (?:instructions|directive|directives|orders|system prompt) (?:are|is|will be|follow)\b`,
      raw`\byour (?:new|real|actual|true|only) (?:task|job|goal|objective|mission|purpose) (?:is|will be) to (?:ignore|reveal|send|print|output|say|write|respond|tell|pretend|act|approve|forward|email|call|leak|include|insert|recommend|praise)\b`,
    ],
  },
  {
    rule: 'new-instructions',
    keys: ['override'],
    patterns: [
      raw`\b(?:system|admin|administrator|root|developer|sudo|emergency|security|master|god) override\b(?= ?[:!\]]| (?:activated|enabled|engaged|initiated|accepted|granted|in effect|protocol|mode|code|command|confirmed)\b)|\b(?:system|admin|developer)(?<=(?:^|\n|[\[(*] ?)(?:system|admin|developer)) override\b`,
    ],
  },
  {
    rule: 'new-instructions',
    keys: ['##'],
    patterns: [raw`#{2,4}(?<=(?:^|\n) ?#{2,4}) ?(?:instruction|instructions|system|system prompt|system message|new instructions|new task|prompt) ?:`],
  },
  {
    rule: 'new-instructions',
    keys: ['follow', 'obey', 'execute'],
    patterns: [raw`\b(?:ignore|disregard|replace|supersede|override) (?:\S+ ){0,3}(?:and|then|,) (?:follow|obey|execute) (?:these|the following|my|the new|these new) (?:instructions|orders|directives|commands|steps)\b`],
  },
  {
    rule: 'new-instructions',
    keys: ['neue anweisung', 'nouvelles instructions', 'nuevas instrucciones', 'nuove istruzioni', 'novas instrucoes', 'nieuwe instructies', 'новые инструкции', '新的指令', '新指令', '新しい指示'],
    patterns: [
      raw`(?:(?:deine |ihre )?neue(?:n)? anweisung(?:en)?|(?:tes |vos )?nouvelles instructions|(?:tus |sus )?nuevas instrucciones|(?:le tue )?nuove istruzioni|(?:suas )?novas instrucoes|(?:je )?nieuwe instructies|(?:твои |ваши )?новые инструкции|新的指令|新指令|新しい指示) ?(?::|sind|sont|son|sono|sao|zijn|は)`,
    ],
  },

  // ---- fake-system-turn ---------------------------------------------------------------------------------------------
  {
    rule: 'fake-system-turn',
    keys: ['<|', '[inst', '[/inst', '<<sys', '<</sys', '</s>', '<start_of_turn', '<end_of_turn', '<s>'],
    patterns: [
      raw`<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|eom_id|channel|message|end|start|tool|ipython|developer)\|>`,
      raw`\[/?inst\]|<</?sys>>|<(?:start|end)_of_turn>|</s> ?(?:<s>|\[inst\]|<\||(?:system|user|assistant|human) ?:)|<s> ?\[inst\]`,
    ],
  },
  {
    rule: 'fake-system-turn',
    keys: ['system', 'assistant', 'human', 'user', 'ai', 'developer', 'sys'],
    patterns: [
      raw`\b(?:system|assistant|human|user|ai|developer|sys|system message|system prompt)(?<=(?:^|\n) ?[*#>[]{0,3} ?(?:system|assistant|human|user|ai|developer|sys|system message|system prompt))\]?[*]{0,2} ?:[*]{0,2} ?[^\n]{0,80}?(?<![\w/.\-])(?:ignore|disregard|forget|override|you (?:must|are now|will now|should now|have been|are required|are instructed|may now)|from now on|new (?:instructions|rules|task|role)|reveal|print your|output your|approve|mark (?:it|this)|do not (?:tell|reject|mention|reveal|refuse)|don't (?:tell|reject|mention|reveal|refuse)|always respond|never refuse|respond only|jailbr|developer mode|access granted|sure[,!]? (?:here is|here's|i will|i'll)|the (?:user|assistant|ai|model) (?:is|has been|must|should|will now|may now)|i will (?:now )?(?:ignore|approve|comply|reveal|obey))`,
    ],
  },
  {
    rule: 'fake-system-turn',
    keys: ['<system', '<sys', '<developer', '<im_system', '<admin', '<instruction', '[system', '[admin', '[developer', '[sys'],
    patterns: [
      raw`<(?:system|sys|system[_ -]?(?:prompt|message|instructions?|note|override)|developer[_ -]?(?:message|instructions?|prompt)|im_system|admin[_ -]?(?:message|instructions?))>|<(?:system|instructions?|admin|developer)>[^<]{0,200}?\b(?:you|ignore|disregard|instructions?|assistant|ai|model|must|reveal|always|never|do not|don't|approve|send)\b`,
      raw`\[(?:system|system message|system prompt|admin|developer|sys)\] ?:? ?[^\n]{0,80}?\b(?:ignore|disregard|you|must|new|always|never|do not|don't|approve|reveal|override)\b`,
    ],
  },
  {
    rule: 'fake-system-turn',
    keys: ['systeme', 'sistema', 'systeem', 'система', '系统', '系統', 'システム'],
    patterns: [
      raw`(?:systeme|sistema|systeem|система|系统|系統|システム)(?<=(?:^|\n) ?(?:systeme|sistema|systeem|система|系统|系統|システム)) ?: ?[^\n]{0,60}?(?:ignor|vergiss|oubli|olvid|dimentic|esquec|negeer|игнор|забуд|忽略|无视|無視|忘记|忘れ|du bist|tu es|vous etes|eres|sei|voce e|je bent|ты|你是|あなたは)`,
    ],
  },

  // ---- address-ai ---------------------------------------------------------------------------------------------------
  {
    rule: 'address-ai',
    keys: ['dear', 'hey', 'hello', 'hi ', 'attention', 'note to', 'note for', 'message to', 'message for', 'memo to', 'instruction', 'notice to', 'notice for', 'reminder', 'important for', 'important to', 'a note for', 'this is a note', 'this is a message'],
    patterns: [
      raw`\b(?:dear|hey|hello|hi|attention|note to|note for|message to|message for|memo to|instructions? (?:to|for)|notice (?:to|for)|reminder (?:to|for)|important (?:for|to)|a note for|this (?:is )?(?:a )?(?:note|message) for) (?:the |any |all |every |an? |you,? )?${AI}\b(?: ?[:!-]|, (?:please|you|ignore|do|don't|make|when|if|always|never|note|remember|before)\b| (?:reading|processing|that|who|which|summari[sz]ing|analy[sz]ing|reviewing|evaluating|checking|parsing|scanning|handling)\b)`,
    ],
  },
  {
    rule: 'address-ai',
    keys: ['reading', 'processing', 'parsing', 'summari', 'analy', 'reviewing', 'viewing', 'scanning', 'seeing', 'evaluating', 'checking', 'handling', 'ingesting', 'crawling', 'indexing', 'that reads', 'who reads', 'that sees', 'that processes', 'who processes', 'who sees'],
    patterns: [
      raw`\b(?:${AI}|assistants?|agents?|bots?) (?:\S+ ){0,2}(?:reading|processing|parsing|summari[sz]ing|analy[sz]ing|reviewing|viewing|scanning|seeing|evaluating|checking|handling|ingesting|crawling|indexing|that (?:reads?|processes|sees|summari[sz]es|analy[sz]es)|who (?:reads?|processes|sees)) (?:this|these|the following|my|our)\b[^.!?\n]{0,80}?\b(?:must|should|shall|need to|needs to|have to|has to|is required to|are required to|is instructed to|are instructed to|please|do not|don't|must not|should not|will|is to|are to|ought to|ignore|disregard)\b`,
    ],
  },
  {
    rule: 'address-ai',
    keys: ['if you are', "if you're", 'when you are', "when you're", 'in case you are', "in case you're", 'if you happen', 'should you be', 'as an ai', 'as a language', 'as an llm', 'as a large', 'as an artificial', 'as a chatbot', 'as an a.i.', 'as a.i.'],
    patterns: [
      raw`\b(?:if|when|in case|should) you(?: are|'re| happen to be| be)(?: an?| the)? (?:${AI}|claude|gemini|copilot)\b(?! (?:developer|engineer|researcher|company|startup|vendor|provider|expert|enthusiast|trainer|team|product|user|practitioner|specialist|consultant|student)s?\b)`,
      raw`\bas an? (?:ai|a\.i\.|llm|large language model|language model|ai (?:assistant|model|agent|system)|chatbot|artificial intelligence)(?: \S+)?,? you (?:must|should|shall|will|are (?:required|instructed|expected|obligated|asked)|need|have to)\b`,
    ],
  },
  {
    rule: 'address-ai',
    keys: ['intended for', 'meant for', 'addressed to', 'directed at', 'written for', 'is for', 'are for', 'only for', 'is only for', 'are only for'],
    patterns: [
      raw`\b(?:this|the following|these) (?:message|text|instructions?|note|section|paragraph|content|comment|line|lines|part) (?:is|are) (?:only )?(?:for|intended for|addressed to|directed at|meant for|written for) (?:the |any |all |an? )?(?:${AI}|assistant|model|models)\b`,
    ],
  },
  {
    rule: 'address-ai',
    keys: ['wenn du', 'falls du', 'wenn sie', 'falls sie', 'si tu es', 'si vous etes', 'si eres', 'si usted es', 'se sei', 'se e', 'se voce', 'se tu', 'als je', 'als u', 'hinweis', 'nachricht', 'notiz', 'note a', 'note pour', 'nota para', 'nota per', 'если ты', 'если вы', 'ии', 'нейросеть', 'языковая модель', '如果你是', '如果您是', '假如你是', '若你是', 'もしあなたが', 'あなたが', '给ai', '致ai', '给人工智能', '致人工智能', 'aiへの', '만약'],
    patterns: [
      raw`\b(?:wenn|falls) (?:du|sie) (?:eine? )?(?:ki|k\.i\.|kunstliche intelligenz|sprachmodell|llm|ki-assistent|ki-modell|chatbot|ai) (?:bist|sind)\b|\b(?:si tu es|si vous etes) (?:une? )?(?:ia|i\.a\.|intelligence artificielle|modele de langage|llm|assistant ia|chatbot|ai)\b|\bsi (?:eres|usted es) (?:una? )?(?:ia|i\.a\.|inteligencia artificial|modelo de lenguaje|llm|asistente de ia|chatbot|ai)\b|\bse (?:sei|e) (?:un'|una |un )?(?:ia|intelligenza artificiale|modello linguistico|llm|assistente ia|chatbot|ai)\b|\bse (?:voce|tu) (?:for|e|es) (?:uma? )?(?:ia|inteligencia artificial|modelo de linguagem|llm|assistente de ia|chatbot|ai)\b|\bals (?:je|u) (?:een )?(?:ai|ki|taalmodel|llm|chatbot|ai-assistent) (?:bent|is)\b`,
      raw`(?:если ты|если вы) (?:\S+ )?(?:ии|искусственный интеллект|языковая модель|нейросеть|чат-бот|llm|ai)`,
      raw`(?:如果你是|如果您是|假如你是|若你是)(?:一个|一個)?(?:ai|人工智能|语言模型|語言模型|大模型|ai助手|助手|聊天机器人|聊天機器人)|(?:もしあなたが|あなたが)(?:ai|人工知能|言語モデル|aiアシスタント|チャットボット)(?:なら|であれば|の場合)|만약 (?:당신이|네가) (?:ai|인공지능|언어 모델)`,
      raw`\b(?:hinweis|nachricht|notiz) (?:fur|an) (?:die |alle )?(?:ki|ki-assistenten|ki-modelle|sprachmodelle)\b|\bnote (?:a|pour) (?:l'|les )?(?:ia|i\.a\.)\b|\bnota para (?:la |a )?(?:ia|i\.a\.)\b|\bnota per (?:l'|le )?(?:ia|ai)\b|(?:ии|нейросеть|языковая модель),? (?:котор\S+|читающ\S+) (?:это|этот|эту)|(?:给|致)(?:ai|人工智能|ai助手|语言模型)的(?:说明|指示|提示|留言)|aiへの(?:メモ|指示|注意|メッセージ)`,
    ],
  },

  // ---- tool-command -------------------------------------------------------------------------------------------------
  {
    rule: 'tool-command',
    keys: ['<tool', '<function', '<invoke', '[tool', '[function', '[[tool', '[[function', '```tool', '```function', 'tool_call', 'function_call'],
    patterns: [raw`<(?:tool_call|tool_calls|function_call|function_calls|tool_use|tool_code|invoke|function=)[\s>=]|\[\[?(?:tool|function)_?calls?\]|\x60\x60\x60 ?(?:tool_code|tool_call|function_call)\b|"?(?:tool_call|function_call)s?"? ?: ?[{\[]`],
  },
  {
    rule: 'tool-command',
    keys: ['you must', 'you should', 'you need to', 'you have to', 'you are required', 'you are instructed', 'immediately', 'before answering', 'before responding', 'before replying', 'before you answer', 'before you respond', 'before you reply', 'instead of answering', 'secretly', 'silently', 'quietly', 'without telling', 'without asking', 'without informing'],
    patterns: [
      raw`\b(?:you (?:must|should|need to|have to|are (?:required|instructed) to)|immediately|before (?:answering|responding|replying|you (?:answer|respond|reply))|instead of answering|secretly|silently|quietly|without (?:telling|asking|informing)),?(?: also| first| then| now)? (?:(?:call|invoke|execute|trigger|fire) (?:the |your )?(?:(?:tool|function|connector|plugin|action|operation) )?|(?:use|run) (?:the |your )?(?:tool|function|connector|plugin|action|operation) )${TOOL_ID}`,
    ],
  },
  {
    rule: 'tool-command',
    keys: K_TOOL_NOUN,
    patterns: [
      raw`${LEAD}\b(?:call|invoke|use|run|execute|trigger|fire) (?:the |your )?(?:tool|function|connector|plugin|action|operation) ${TOOL_ID}`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['without telling', 'without asking', 'without informing', 'without notifying', 'before answering', 'before responding', 'before replying', 'instead of answering'],
    patterns: [
      raw`\b(?:call|invoke|use|run|execute) (?:the |your )?(?:\S+ )?(?:tool|function)s? (?:\S+ ){0,4}(?:without (?:telling|asking|informing|notifying) (?:the )?(?:user|customer|anyone)|before (?:answering|responding|replying)|instead of answering)\b`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['call', 'invoke', 'trigger'],
    patterns: [
      raw`${LEAD}\b(?:call|invoke|trigger) (?:the |your )?${TOOL_ID}(?: (?:tool|connector|plugin|action|operation))? (?:with (?:\{|\(|the (?:arguments?|parameters?|payload|input)|arguments?|parameters?|args)|to (?:send|forward|email|post|upload|delete|remove|transfer|refund|share|export|grant|leak|publish|cancel|pay|notify|message|create|issue|approve))`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['to send', 'to forward', 'to email', 'to post', 'to upload', 'to transfer', 'to refund', 'to share', 'to export', 'to leak', 'to exfiltrate', 'to notify', 'to message', 'to issue', 'to delete', 'to cancel', 'to pay', 'to grant'],
    patterns: [
      raw`${LEAD}use (?:the )?${TOOL_ID}(?: (?:tool|connector|plugin|action|operation))? to (?:send|forward|email|post|upload|transfer|refund|share|export|leak|exfiltrate|notify|message|issue|delete|cancel|pay|grant)\b[^.\n]{0,80}?\b(?:to|for) (?:[\w.+-]+@[\w-]+\.[\w.]+|#[\w-]+|(?:the )?attacker|(?:an? )?external)`,
      raw`${LEAD}\b(?:call|invoke|use|run|execute) (?:the |your )?(?:\S+ )?(?:tool|function|connector)s? (?:\S+ ){0,3}(?:to|and) (?:send|forward|email|post|upload|transfer|refund|share|export|leak|exfiltrate) (?:\S+ ){0,3}(?:to|with) ${TARGET}`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['tool', 'werkzeug', 'outil', 'fonction', 'herramienta', 'funcion', 'strumento', 'funzione', 'ferramenta', 'funcao', 'functie'],
    patterns: [
      raw`\b(?:rufe|ruf|verwende|benutze|nutze|fuhre|appelle|appelez|utilise|utilisez|executez|llama|usa|utiliza|invoca|ejecuta|chiama|esegui|chame|use|execute|roep|gebruik)(?: sofort| jetzt| immediatement| maintenant| ahora| inmediatamente| subito| ora| agora| imediatamente| nu| direct)? (?:das |die |den |l'|le |la |el |lo |il |o |a |de |het )?(?:tool|werkzeug|outil|fonction|herramienta|funcion|strumento|funzione|ferramenta|funcao|functie) ${TOOL_ID}`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['sofort', 'jetzt', 'immediatement', 'maintenant', 'ahora', 'inmediatamente', 'subito', 'agora', 'imediatamente', 'direct'],
    patterns: [
      raw`\b(?:rufe|ruf|verwende|benutze|nutze|appelle|appelez|utilise|utilisez|llama|utiliza|invoca|ejecuta|chiama|esegui|chame|roep|gebruik) (?:sofort|jetzt|immediatement|maintenant|ahora|inmediatamente|subito|agora|imediatamente|direct) ${TOOL_ID}`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['rufe', 'ruf', 'appelle', 'appelez', 'llama', 'chiama', 'chame', 'roep'],
    patterns: [raw`\b(?:rufe|ruf) ${TOOL_ID} auf\b|\b(?:appelle|appelez|llama|chiama|chame|roep) ${TOOL_ID} (?:avec|con|com|met) (?:\{|\()`],
  },
  {
    rule: 'tool-command',
    keys: ['вызови', 'используй', 'запусти', '调用', '調用', '使用', '执行', '執行', '呼び出', '実行', 'を使'],
    patterns: [
      raw`(?:вызови|используй|запусти)(?:те)? (?:инструмент |функцию )?${TOOL_ID}|(?:调用|調用|使用|执行|執行)(?:工具|函数|函數)? ?${TOOL_ID}`,
      raw`を(?<=[._:/][a-z0-9_]{1,40}["'\x60]? ?(?:ツール)?を)(?:呼び出|実行|使)`,
    ],
  },

  // ---- exfiltrate ---------------------------------------------------------------------------------------------------
  {
    rule: 'exfiltrate',
    keys: K_SENSITIVE,
    patterns: [raw`${NEG}\b(?:send|email|e-mail|mail|post|upload|transmit|forward|leak|submit|deliver|share|copy|paste|dump|push|report|relay|sync|export|publish|pipe|transfer|write|append|include|embed|encode|attach|cc|bcc)(?: me| us)? (?:${SENSITIVE}) (?:\S+ ){0,3}(?:to|into|at|via|in|on|with) ${TARGET}`],
    compact: [raw`(?:send|forward|post|upload|leak|exfiltrate|email)(?:this|the|all|your|me|us|entire|full|whole){0,3}(?:conversation|chathistory|data|credentials|passwords?|apikeys?|secrets?|systemprompt)\w{0,30}?to(?:https?|www)`],
  },
  {
    rule: 'exfiltrate',
    keys: ['to send', 'to forward', 'to email', 'to post', 'to upload', 'to leak', 'to share', 'to transfer'],
    patterns: [raw`${LEAD}use (?:the )?(?:\S+ ){0,2}to (?:send|forward|email|post|upload|leak|share|transfer) (?:${SENSITIVE}) (?:\S+ ){0,3}(?:to|into|at|via) ${TARGET}`],
  },
  {
    rule: 'exfiltrate',
    keys: ['forward'],
    patterns: [raw`${NEG}\bforward (?:all|every|any|each|future|incoming|new|all future|all incoming|all new|copies of all|a copy of all)(?: \S+)? (?:e-?mails?|messages?|mails?|correspondence|conversations?|chats?|data|documents|files|invoices|notifications|texts|sms)(?: \S+){0,3} to ${TARGET}`],
  },
  {
    rule: 'exfiltrate',
    keys: ['exfiltrat', 'smuggle out', 'siphon'],
    patterns: [raw`${LEAD}\b(?:exfiltrate|smuggle out|siphon)\b`],
  },
  {
    rule: 'exfiltrate',
    keys: ['![', '<img'],
    patterns: [
      raw`!\[[^\]\n]{0,200}\]\(<? ?(?:https?:)?//[^)\s]{1,300}?[?&](?:[\w.-]{1,40}=[^)\s&]{0,200}?(?:\{|\$|<|\[|%7b|%24|%3c|\.\.\.)|(?:data|leak|exfil|conv|conversation|chat|chat_history|history|prompt|system_prompt|context|memory|payload|secret|secrets|summary|answer|ssn|pii|creds|credentials|password|passwd|api_key|apikey)=)`,
      raw`<img\b[^>]{0,200}?src ?= ?["']?(?:https?:)?//[^"'\s>]{1,300}?[?&][\w.-]{1,40}=[^"'\s>&]{0,200}?(?:\{|\$|<|\[|%7b|%24|%3c|\.\.\.)`,
    ],
  },
  {
    rule: 'exfiltrate',
    keys: ['image', 'img'],
    patterns: [
      raw`\b(?:render|display|include|add|output|show|print|append|insert|embed|write) (?:this|the following|an?|the) (?:markdown |html )?(?:image|img|link|url)[^.\n]{0,80}?(?:replac\S*|append\S*|add\S*|includ\S*|contain\S*|with|where|fill\S*|substitut\S*|encod\S*) [^.\n]{0,60}?(?:conversation|chat history|data|summary|secret|password|credential|token|api key|prompt|instructions|context|memory|user'?s? (?:name|email|address|message|question))`,
    ],
  },
  {
    rule: 'exfiltrate',
    keys: ['curl', 'wget', 'invoke-webrequest', 'iwr'],
    patterns: [
      raw`\b(?:curl|wget|invoke-webrequest|iwr)\b[^\n]{0,200}?(?:\$\((?:cat|env|printenv|whoami|ls|echo)\b|@?~/\.(?:ssh|aws|env|config)|/etc/(?:passwd|shadow)|\bid_rsa\b|\$\{?(?:conversation|system_prompt|prompt|context|history|chat|chat_history|messages)\b)`,
      raw`${LEAD}\b(?:run|execute|exec) (?:this |the following |the )?(?:command:? )?\x60?(?:curl|wget) (?:-\S+ ){0,4}["']?https?://[^\s\x60"']{1,200}?(?:[?&][\w-]{1,20}=|/(?:collect|exfil|log|steal|leak|c2|beacon)\b)`,
    ],
  },
  {
    rule: 'exfiltrate',
    keys: ['sende', 'schick', 'leite', 'envoie', 'envoyez', 'transfere', 'transmets', 'transmettez', 'envia', 'envie', 'manda', 'reenvia', 'reenvie', 'invia', 'inoltra', 'stuur'],
    patterns: [
      raw`\b(?:sende|schicke|schick|leite) (?:\S+ ){0,3}(?:den gesamten verlauf|die gesamte konversation|das gesamte gesprach|alle daten|die kundendaten|alle kundendaten|den systemprompt|alle informationen|alles)(?: \S+){0,3} (?:an|zu|nach) ${TARGET}|\b(?:envoie|envoyez|transfere|transferez|transmets|transmettez) (?:\S+ ){0,2}(?:toute la conversation|tout l'historique|toutes les donnees|les donnees (?:du client|client|clients)|le prompt systeme|tout)(?: \S+){0,3} (?:a|au|vers|sur) ${TARGET}|\b(?:envia|envie|manda|reenvia|reenvie) (?:\S+ ){0,2}(?:toda la conversacion|todo el historial|todos los datos|los datos del cliente|el prompt del sistema|toda a conversa|todos os dados|os dados do cliente)(?: \S+){0,3} (?:a|al|para) ${TARGET}|\b(?:invia|inoltra) (?:\S+ ){0,2}(?:tutta la conversazione|tutti i dati|i dati del cliente)(?: \S+){0,3} (?:a|al) ${TARGET}|\bstuur (?:\S+ ){0,2}(?:het hele gesprek|alle gegevens|de klantgegevens)(?: \S+){0,3} naar ${TARGET}`,
    ],
  },
  {
    rule: 'exfiltrate',
    keys: ['отправь', 'перешли', '发送', '發送', '转发', '轉發', '发给', '發給'],
    patterns: [
      raw`(?:отправь|отправьте|перешли|перешлите) (?:\S+ ){0,2}(?:всю переписку|весь разговор|все данные|данные клиента|системный промпт)(?: \S+){0,3} (?:на|в) ${TARGET}|(?:所有数据|所有數據|全部对话|全部對話|客户数据|客戶數據|以上所有内容|全部内容|对话记录|對話記錄|系统提示|系統提示).{0,10}?(?:发送|發送|转发|轉發|发给|發給)(?:到|至|给|給)? ?${TARGET}|(?:发送|發送|转发|轉發)(?:所有数据|全部对话|客户数据|对话记录|以上所有内容).{0,6}?(?:到|至|给) ?${TARGET}`,
    ],
  },

  // ---- approve-answer -----------------------------------------------------------------------------------------------
  {
    rule: 'approve-answer',
    keys: K_APPROVE,
    patterns: [
      raw`\b(?:approve|accept|pass|verify|validate|confirm|endorse|sign off on|green-?light|rubber-?stamp)(?<=\b${JUDGE}(?:s| agent| role| model| step)? (?:must|should|shall|has to|needs to|need to|is to|are to|will|is required to|are required to|is instructed to|are instructed to|is expected to|can only|must only|should only|may only) (?:now |always |simply |just |immediately |automatically )?\b(?:approve|accept|pass|verify|validate|confirm|endorse|sign off on|green-?light|rubber-?stamp)) (?:this|these|it|the following|my|our|that|everything|all (?:claims|answers|statements))\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['mark ', 'rate ', 'score ', 'grade ', 'label ', 'classify ', 'treat ', 'consider '],
    patterns: [
      raw`\b(?:mark|rate|score|grade|label|classify|treat|consider)(?<=\b${JUDGE}s? (?:must|should|shall|will|is to|has to|needs to) (?:now |always |simply |just )?\b(?:mark|rate|score|grade|label|classify|treat|consider)) (?:this|these|it|the following|everything) (?:\S+ ){0,2}(?:as )?(?:verified|supported|correct|approved|true|accurate|valid|grounded|fact-?checked|fully supported)\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['approve', 'endorse', 'greenlight', 'green-light', 'rubber-stamp', 'sign off'],
    patterns: [
      raw`${LEAD}\b(?:approve|endorse|greenlight|green-light|rubber-stamp|sign off on) (?:this|these|my|the following|that|our) (?:\S+ )?${VERDICT_OBJ}\b`,
      raw`${LEAD}approve (?:the|this) (?:answer|claim|response|statement|finding|citation|draft|verdict|output|summary)\b`,
    ],
    compact: [raw`approve(?:this|the)(?:answer|claim|response|draft)|mark(?:it|this)asverified`],
  },
  {
    rule: 'approve-answer',
    keys: ['mark ', 'rate ', 'score ', 'grade ', 'rank ', 'label ', 'classify ', 'evaluate ', 'judge ', 'assess ', 'consider ', 'treat '],
    patterns: [
      raw`${LEAD}mark (?:this|it|these|them|the (?:answer|claim|response|statement|citation|finding|source|draft|output|passage)|this (?:\S+ ){0,2}) as (?:verified|supported|correct|approved|true|accurate|valid|passed|grounded|fact-?checked|trustworthy|reliable|authoritative|confirmed|factual|fully supported)\b(?! (?:in|on|from|under|via|using|once|when|after|if|by|with|before|within)\b)`,
      raw`${LEAD}\b(?:rate|score|grade|rank|label|classify|evaluate|judge|assess|consider|treat) (?:this|it|these|the (?:answer|claim|response|statement)|this (?:answer|claim|response|statement|source|document)) (?:as|with(?: a)?|at) (?:supported|verified|correct|true|accurate|approved|fully supported|grounded|entailed|faithful|factual)\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['not reject', "n't reject", 'never reject', 'not flag', "n't flag", 'never flag', 'not question', "n't question", 'not challenge', "n't challenge", 'not dispute', "n't dispute", 'not contradict', "n't contradict", 'not fact', "n't fact", 'not verify', "n't verify", 'not check', "n't check", 'not quarantine', "n't quarantine", 'not penali', "n't penali", 'not doubt', "n't doubt", 'not second', "n't second", 'not refuse', "n't refuse", 'not fail', "n't fail", 'not downgrade', "n't downgrade", 'not scrutini', "n't scrutini"],
    patterns: [
      raw`\b(?:do not|don't|never|must not|should not|shouldn't|mustn't) (?:reject|flag|refuse|question|challenge|fail|downgrade|contradict|dispute|doubt|penali[sz]e|quarantine|fact-?check|verify|check|second-guess|scrutini[sz]e) (?:this|these|my|the (?:answer|claim|response|statement|citation|source|passage|document|text|content|finding|draft))\b(?! (?:request|return|order|application|payment|refund|form|booking|reservation|ticket|delivery|package|parcel|item|product|call|email|page|link|file|setting|option|box|field|step|certificate|signature)s?\b)`,
      raw`\b(?:do not|don't|never) (?:reject|flag|question|challenge|dispute|contradict|penali[sz]e|fact-?check|quarantine) it\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['fact-check', 'factcheck', 'evidence check', 'citation check', 'checker', 'verifier', 'grounding check', 'verification of'],
    patterns: [raw`${LEAD}\b(?:skip|bypass|disable|ignore|turn off) (?:the )?(?:fact-?check(?:ing|er)?|evidence check|citation check|checker|verifier|grounding check|verification of (?:this|these))\b`],
  },
  {
    rule: 'approve-answer',
    keys: ['verified', 'fact-checked', 'factchecked', 'approved', 'validated', 'confirmed', 'certified'],
    patterns: [
      raw`\b(?:this|the (?:above|following)) (?:answer|claim|statement|response|information|content|document|text|passage) (?:is|has been|was|has already been|is already|was already) (?:already |pre-?)?(?:verified|fact-?checked|approved|validated|confirmed|certified)(?: by [^.\n]{1,40})?[,.;:]? ?(?:so |therefore |thus )?(?:you |the checker |the verifier )?(?:do not|don't|does not|doesn't|need not|no need to|must not|should not|can skip|may skip|skip)(?: need)?(?: to)? (?:verify|check|fact-?check|validate|question|review|reject|double-check)\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['genehmig', 'akzeptier', 'bestatig', 'markier', 'bewerte', 'approuve', 'valide', 'marque', 'considere', 'aprueba', 'apruebe', 'marca', 'approva', 'segna', 'aprove', 'aprova', 'keur', 'markeer', 'als verifiziert', 'als gepruft', 'als korrekt'],
    patterns: [
      raw`\b(?:genehmige|akzeptiere|bestatige|approuve|approuvez|valide|validez|aprueba|apruebe|approva|approvate|aprove|aprova|keur) (?:diese|die|das|cette|la|esta|questa|a|dit|het) (?:antwort|aussage|behauptung|reponse|affirmation|respuesta|afirmacion|risposta|affermazione|resposta|afirmacao|antwoord)\b`,
      raw`\b(?:markiere|markieren sie|bewerte|marque|marquez|considere|considerez|marca|segna|segnate|markeer) (?:dies|diese antwort|es|das|sie|ceci|cela|la|cette reponse|la reponse|esto|la respuesta|esta respuesta|questo|la risposta|questa risposta|isto|isso|a resposta|esta resposta|dit|het antwoord) (?:als|comme|como|come) (?:verifiziert|gepruft|korrekt|richtig|belegt|bestatigt|wahr|verifiee?s?|correcte?|vraie?|valide|verificad[ao]|correct[ao]|verdader[ao]|verificat[oa]|corrett[oa]|vero|vera|corret[ao]|geverifieerd|correct|juist)\b`,
      raw`\bals (?:verifiziert|gepruft|korrekt) (?:markieren|markiert|bewerten)\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['одобри', 'подтверди', 'отметь', 'пометь', '批准', '通过', '通過', '认可', '認可', '标记', '標記', 'この回答', 'この答え', 'この主張'],
    patterns: [
      raw`(?:одобри|подтверди|отметь|пометь)(?:те)? (?:этот |это |данный )?(?:ответ|утверждение)?(?: как)? ?(?:проверенн\S*|верн\S*|правильн\S*|подтвержденн\S*)|(?:批准|通过|通過|认可|認可)(?:这个|這個|此|该|該)?(?:答案|回答|说法|說法)|(?:标记|標記)为(?:已验证|已驗證|正确|正確|已核实|已核實)|この(?:回答|答え|主張)を(?:承認|正しいと)`,
    ],
  },

  // ---- dictate-answer -----------------------------------------------------------------------------------------------
  {
    rule: 'dictate-answer',
    keys: ['exactly', 'verbatim', 'word for word', 'only the following', 'only this', 'only with'],
    patterns: [raw`${LEAD}\b(?:reply|answer|respond|say|state|write|output)(?: to (?:the|this|any|every) (?:question|user|customer|request))?(?: with| only with)? (?:exactly|verbatim|word for word|only(?= the following| this))(?: the following| this)? ?:`],
  },
  {
    rule: 'dictate-answer',
    keys: ['your answer', 'your final', 'your only', 'your reply', 'your response', 'your output'],
    patterns: [raw`\byour (?:final |only )?(?:answer|reply|response|output) (?:must|should|shall|has to|will) (?:be|read|say|state|contain only|consist of)(?: exactly| only| verbatim)? ?:`],
  },
  {
    rule: 'dictate-answer',
    keys: ['antworte', 'die antwort', 'repond', 'la reponse', 'responde', 'la respuesta', 'rispondi', 'la risposta', 'responda', 'a resposta', 'antwoord', 'ответь', 'ответ должен', '回答', '答案', '回复', '回覆', '答え'],
    patterns: [
      raw`\b(?:antworte(?:n sie)?|antwortet) (?:genau|exakt|wortlich|nur)(?: mit)? ?:|\bdie antwort (?:muss|lautet|soll)(?: genau)? ?:|\brepond(?:s|ez)? (?:exactement|mot pour mot|uniquement)(?: par)? ?:|\bla reponse doit etre ?:|\bresponde(?:r)? (?:exactamente|literalmente|solo)(?: con)? ?:|\bla respuesta debe ser ?:|\brispondi (?:esattamente|testualmente|solo)(?: con)? ?:|\bla risposta deve essere ?:|\bresponda (?:exatamente|literalmente|apenas)(?: com)? ?:|\ba resposta deve ser ?:|\bantwoord (?:precies|letterlijk|alleen)(?: met)? ?:|(?:ответь|ответьте) (?:точно|дословно|только) ?:|ответ должен быть ?:`,
      raw`请?(?:准确地?|原样|逐字|只)(?:回答|回复|回覆):|(?:回答|答案|回复)(?:必须是|只能是):?|(?:次のように|そのまま)(?:答え|回答)(?:て|なさい|ろ)`,
    ],
  },

  // ---- fake-source --------------------------------------------------------------------------------------------------
  {
    rule: 'fake-source',
    keys: ['cite', 'reference', 'quote', 'attribute', 'credit', 'source'],
    patterns: [
      raw`${LEAD}\b(?:cite|reference|quote|attribute|credit|source) (?:this|these|the following|it|my|our|this (?:\S+ ){0,2}|the (?:above|following) (?:\S+ ){0,2})(?:\S+ )?(?:as|to) (?:an? |the )?(?:\S+ ){0,2}(?:source|reference|authority|evidence|fact|official|authoritative|primary|trusted|reliable|peer-reviewed|verified|expert|study|research|wikipedia|government)\b`,
    ],
  },
  {
    rule: 'fake-source',
    keys: ['cite', 'reference', 'quote', 'link to', 'credit', 'attribute'],
    patterns: [raw`\b(?:cite|reference|quote|link to|credit|attribute (?:this|it) to)(?<=\b(?:always|only|must|should|be sure to|make sure to|remember to|you (?:must|should|need to|have to)) (?:also )?\b(?:cite|reference|quote|link to|credit|attribute (?:this|it) to)) (?:this|these|the following|our|my|https?://|www\.|[\w-]+\.(?:com|org|net|io|gov|edu|info|example)\b)`],
  },
  {
    rule: 'fake-source',
    keys: ['cite'],
    patterns: [raw`${LEAD}cite (?:this|the following|these) (?:source|sources|page|document|website|site|url|link|article|passage|text|reference|blog|post)(?: (?:in|for|as|when|whenever|with|at)\b(?! ?:)| ?(?:[.!]|$))`],
  },
  {
    rule: 'fake-source',
    keys: ['citation', 'footnote', 'source', 'reference'],
    patterns: [raw`${LEAD}add (?:a |an |the |this )?(?:citation|footnote|source|reference)s? (?:to|for|pointing to|from) (?:this (?:answer|response|claim|statement|summary|source|page|document|article|url)|the following|https?://|www\.|[\w-]+\.(?:com|org|net|io|gov|edu|example)\b|the (?:answer|response|reply|summary|claim)|your (?:answer|response|reply|summary)|every (?:answer|response|claim)|each (?:answer|response|claim))`],
  },
  {
    rule: 'fake-source',
    keys: ['coming from', 'originating from', 'being from', 'having come from', 'comes from', 'is from', 'as an official', 'as a verified', 'as an authoritative', 'as a peer-reviewed', 'attribute', 'ascribe', 'treat'],
    patterns: [
      raw`\bquote (?:this|it|the following|these (?:words|lines)|this (?:\S+ ){0,2})as (?:coming|originating|being|having come) from\b`,
      raw`${LEAD}\b(?:attribute|ascribe) (?:this|it|these|the following)(?: \S+){0,2} to (?:an? |the )?(?:official|government|authoritative|reliable|trusted|peer-reviewed|reputable|expert|wikipedia|reuters|who|cdc|fda|nasa|\S+ (?:university|institute|journal|agency|ministry|department))\b`,
      raw`${LEAD}\b(?:present|report|state|describe|say|claim|tell the user) (?:that )?(?:this|it|these)(?: \S+){0,2} (?:as coming from|as an? (?:official|verified|authoritative|peer-reviewed)|comes from an? (?:official|authoritative|verified|peer-reviewed|reputable|trusted|government)|is from an? (?:official|authoritative|verified|peer-reviewed|reputable|trusted|government))\b`,
      raw`${LEAD}treat (?:this|the following|these)(?: \S+){0,2} as (?:an? |the )?(?:(?:authoritative|official|primary|only|trusted|verified|canonical|definitive|most reliable) (?:source|reference|evidence|truth)|ground truth)\b`,
    ],
  },
  {
    rule: 'fake-source',
    keys: ['zitier', 'nenne', 'cite', 'citez', 'cita', 'citeer', 'сошлись', 'ссылайся', 'ссылайтесь', 'цитируй', '引用', '援引', 'この情報源', 'このソース', 'このサイト', 'この記事'],
    patterns: [
      raw`\b(?:zitiere|zitieren sie|nenne) (?:diese|die folgende) (?:quelle|seite|webseite)(?: als)?\b|\b(?:cite|citez) (?:cette|la) (?:source|page)\b|\bcita (?:esta|la siguiente|questa) (?:fuente|pagina|fonte)\b|\bcite (?:esta|a seguinte) (?:fonte|pagina)\b|\bciteer (?:deze|de volgende) (?:bron|pagina)\b|(?:сошлись|ссылайся|ссылайтесь|цитируй) на (?:этот|данный|следующий) (?:источник|документ|сайт)|(?:引用|援引)(?:这个|這個|此|该|該|以下)(?:来源|來源|资料|資料|文档|文檔|网站|網站)|この(?:情報源|ソース|サイト|記事)を(?:引用|出典)`,
    ],
  },

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
