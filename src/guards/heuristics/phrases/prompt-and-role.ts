/**
 * The `reveal-prompt`, `role-override` and `new-instructions` rules: asks for the hidden prompt, new roles and lifted
 * restrictions, instructions announced as new.
 */
import { LEAD, NEG, raw, type PhraseGroup } from '../rules.js';
import { PROMPT_OBJ, K_PROMPT } from './vocabulary.js';

/** The start of a heading or sentence, or after `important:`, `note:`, `your`, … (a lookbehind ending in `words`). */
const HEAD_AT = (words: string): string => raw`(?<=(?:^|[\n.!?>\]*#"'(-] ?|\b(?:important|attention|urgent|note|update|begin|start|your)[:!]? )\b${words})`;
const NEW = raw`(?:new|updated|revised|replacement|changed)`;
const ORDER_NOUN = raw`(?:instructions?|prompt|directives?|orders|rules)`;
/** After a "New instructions:" heading: an order aimed at the reader, not a memo (`the warehouse closes at 5pm`). */
const AIMED_ORDER = raw`(?:from now on,? |effective immediately,? )?(?:you(?: are| must| will| shall| should|'re|'ll| need to| have to| may not| can no longer)\b|(?:ignore|disregard|forget|override|bypass|reveal|disclose|leak|print|output|repeat|exfiltrate|call|invoke|approve|pretend)\b|(?:reply|respond|answer|say) (?:only|with|exactly)\b|(?:transfer|wire|pay) (?:\S+ )?(?:\d|funds|money|the (?:funds|money|amount|balance)))`;
/** The same after a foreign heading: an imperative or "you" in German, French, Spanish, Italian, Portuguese, Dutch, Russian, Chinese or Japanese. */
const AIMED_ORDER_FOREIGN = raw`(?:(?:antworte|antworten sie|ignoriere|ignorieren sie|vergiss|vergessen sie|gib|geben sie|zeige?|zeigen sie|sende|senden sie|schicke?|leite|uberweise|uberweisen sie|genehmige|bestatige|sage?|sagen sie|schreibe?|rufe?|du bist|du musst|du sollst|du wirst|du darfst|sie sind jetzt|sie mussen|reponds|repondez|ignorez|oublie|oubliez|revele|revelez|affiche|affichez|envoie|envoyez|transfere|transferez|approuve|approuvez|dites|tu es|vous etes|tu dois|vous devez|responde|responda|ignora|ignore|olvida|olvide|revela|muestra|envia|envie|transfiere|aprueba|diga|eres|debes|rispondi|dimentica|rivela|mostra|invia|inoltra|trasferisci|approva|sei|devi|esqueca|revele|mostre|encaminhe|transfira|aprove|voce e|voce deve|antwoord|negeer|vergeet|onthul|toon|stuur|verstuur|keur|zeg|je bent|u bent|je moet|u moet)\b|отвечай|ответь|игнорируй|забудь|раскрой|покажи|отправь|перешли|одобри|скажи|ты |вы должны|你|您|忽略|回答|回复|输出|显示|发送|转发|批准|只|あなた|無視|答え|回答|出力|表示|送信|転送|承認)`;

export const PROMPT_AND_ROLE_GROUPS: readonly PhraseGroup[] = [
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
    keys: ['revele', 'affiche', 'montre', 'repete', 'donne', 'dis-moi', 'dis moi', 'dites', 'ecris', 'ecrivez', 'imprime', 'divulgue', 'recopie', 'copie', 'cite'],
    patterns: [
      raw`\b(?:revele|revelez|affiche|affichez|montre|montrez|repete|repetez|donne|donnez|dis|dites|ecris|ecrivez|imprime|imprimez|divulgue|divulguez)(?:-moi| moi|-nous)? (?:ton|ta|tes|votre|vos|le|les) (?:\S+ )?(?:prompt systeme|prompt du systeme|invite systeme|message systeme|message du systeme|instructions (?:initiales|systeme|du systeme|cachees|secretes|d'origine|originales)|consignes (?:initiales|systeme|cachees|secretes))\b`,
      raw`\b(?:revele|revelez|repete|repetez|divulgue|divulguez|affiche|affichez|recopie|recopiez|copie|copiez|ecris|ecrivez|cite|citez)(?:-moi| moi)? (?:ton|tes|votre|vos) (?:prompt|instructions|consignes)\b`,
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
      raw`\b(?:real|actual|true|secret|hidden|override|overriding|priority|system|admin|developer)${HEAD_AT(raw`(?:real|actual|true|secret|hidden|override|overriding|priority|system|admin|developer)`)} (?:system )?${ORDER_NOUN} ?(?::|-|=|\bare\b|\bfollow\b)`,
      // New instructions aimed at the AI: "for the assistant:", "new system instructions:", "your new instructions:",
      // "updated instructions: you must …". A plain "New instructions:" memo heading is not reported.
      raw`\b${NEW} (?:system )?${ORDER_NOUN} (?:for|to) (?:the |all |any |every |this )?(?:ai|a\.i\.|assistant|model|bot|agent|chatbot|llm|gpt|language model|you)(?: ?(?::|-|=)| (?:are|follow)\b)`,
      raw`\b${NEW}${HEAD_AT(NEW)} system (?:instructions?|prompt|directives?|message) ?(?::|-|=|\bare\b|\bfollow\b)`,
      raw`\b${NEW}(?<=\byour ${NEW}) (?:system )?${ORDER_NOUN} ?(?::|-|=|\bare\b|\bfollow\b)`,
      raw`\b${NEW}${HEAD_AT(NEW)} ${ORDER_NOUN} ?(?::|-|=) ?${AIMED_ORDER}`,
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
    keys: ['neue anweisung', 'neuen anweisung', 'nouvelles instructions', 'nuevas instrucciones', 'nuove istruzioni', 'novas instrucoes', 'nieuwe instructies', 'новые инструкции', '新的指令', '新指令', '新しい指示'],
    patterns: [
      // Yours: "deine neuen Anweisungen sind", "vos nouvelles instructions :", "你的新指令：".
      raw`(?:(?:deine|ihre) neuen? anweisung(?:en)?|(?:tes|vos) nouvelles instructions|(?:tus|sus) nuevas instrucciones|le tue nuove istruzioni|(?:suas|tuas) novas instrucoes|(?:je|jouw|uw) nieuwe instructies|(?:твои|ваши) новые инструкции|(?:你的|您的)新的?指令|あなたの新しい指示) ?(?::|sind|sont|son|sono|sao|zijn|は)`,
      // A heading followed by an order to the reader; a memo heading ("Neue Anweisungen: Das Lager schließt …") is not.
      raw`(?:neuen? anweisung(?:en)?|nouvelles instructions|nuevas instrucciones|nuove istruzioni|novas instrucoes|nieuwe instructies|новые инструкции|新的指令|新指令|新しい指示) ?[:：] ?${AIMED_ORDER_FOREIGN}`,
    ],
  },
];
