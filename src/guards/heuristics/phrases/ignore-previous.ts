/**
 * The `ignore-previous` rule: orders to ignore or override earlier instructions, in every language the detector reads.
 */
import { LEAD, NEG, raw, type PhraseGroup } from '../rules.js';

// ---- ignore-previous ------------------------------------------------------------------------------------------------
const V_IGNORE = raw`\b(?:ignore|ignoring|disregard|disregarding|forget|forgetting|pay no attention to|do not (?:follow|obey|heed)|don't (?:follow|obey|heed)|stop (?:following|obeying))`;
const PRIOR = raw`(?:previous|previously given|prior|preceding|above|above-mentioned|earlier|foregoing|former|original|initial|aforementioned|system)`;
const ORDERS = raw`(?:instructions?|prompts?|directives?|directions|guidelines|guidance|rules|commands|orders|context|programming|training|constraints|restrictions|messages|input|text|content|conversation|system prompt|system message|policies)`;
/**
 * Not the writer's own earlier message: `the instructions I gave you`, `my previous e-mail`, `what I said earlier` are
 * a customer correcting themselves, not an order to drop the reader's instructions.
 */
const BY_ME = raw`(?! (?:that |which )?(?:i|we) (?:(?:have|had|just|already|'ve|'d|previously|earlier) ){0,2}(?:gave|given|sent|wrote|written|said|told|mentioned|provided|left|included|listed|shared|e-?mailed|posted|attached|added|specified|requested|asked for|put)\b)`;
/** Not the writer's own instructions or messages, in any of the Latin-script languages: `my`, `mes`, `mis`, `le mie`, … */
const NOT_MINE = raw`(?! (?:\S+ ){0,2}(?:my|our|mine|mes|nos|mis|nuestras|nuestros|mie|miei|nostre|minhas|meus|nossas|mijn|onze)\b)`;
/** Plain synonyms of "ignore", which need an imperative position and an object that is the reader's instructions. */
const V_DROP = raw`\b(?:drop|discard|set aside|put aside|cast aside|throw out|throw away|toss out|toss aside|scrap|ditch|abandon|shelve|jettison)`;
const DROP_O = raw`(?:instructions?|prompts?|directives?|guidelines|rules|programming|training|system prompt|system message|constraints|restrictions|policies)`;
/** After a dropped object: not the writer's own, and not a table, file or list of that name. */
const DROP_END = raw`\b${BY_ME}(?! (?:table|tables|column|columns|file|files|index|entry|entries|row|rows|engine|set|sets|section|sheet|folder|directory|list)\b)`;
const DE_V = raw`\b(?:ignorier(?:e|en|t)?|vergiss|vergesst|vergessen|missachte|missachtet|missachten|ubergeh(?:e|t|en)|verwirf|verwerft|verwerfen|befolge nicht|befolgt nicht|beachte nicht|beachtet nicht)`;
const DE_Q = raw`(?:vorherig\S*|bisherig\S*|vorangegangen\S*|vorangehend\S*|vorhergehend\S*|obig\S*|fruher\S*|vorig\S*|ursprunglich\S*|oben genannt\S*|obenstehend\S*|alle|samtliche\S*|jegliche\S*|deine|ihre|eure)`;
const DE_O = raw`(?:anweisung\S*|instruktion\S*|befehl\S*|regeln|vorgaben|anordnung\S*|richtlinie\S*|direktive\S*|prompts?|systemprompts?|system-prompts?|aufforderung\S*|vorschrift\S*|hinweise)`;
const FR_V = raw`\b(?:ignore|ignorez|ignorer|oublie|oubliez|oublier|mets de cote|mettez de cote|laisse tomber|laissez tomber|abandonne|abandonnez|ne (?:tiens|tenez) (?:pas|plus) compte|fais abstraction|faites abstraction|neglige|negligez|ecarte|ecartez|n'obeis plus|n'obeissez plus|ne (?:suis|suivez) (?:pas|plus)|passe outre|passez outre)`;
const FR_O = raw`(?:instructions?|consignes?|regles|directives|indications|ordres|prompts?|commandes)`;
const FR_Q = raw`(?:precedentes?|anterieures?|ci-dessus|plus haut|d'avant|initiales?|originales?|d'origine|du systeme|systeme|donnees|recues)`;
const ES_V = raw`\b(?:ignora|ignore|ignoren|ignorar|olvida|olvide|olviden|olvidate de|olvidese de|olvidar|no sigas|no siga|no sigan|haz caso omiso (?:a|de)|haga caso omiso (?:a|de)|hagan caso omiso (?:a|de)|descarta|descarte|desestima|omite|omita|pasa por alto|pase por alto|deja de lado|deje de lado|abandona|abandone|desecha|deseche)`;
const ES_O = raw`(?:instrucciones|instruccion|indicaciones|reglas|directrices|directivas|ordenes|consignas|prompts?|comandos|pautas)`;
const ES_Q = raw`(?:anteriores|previas|de arriba|precedentes|iniciales|originales|del sistema|dadas|recibidas)`;
const IT_V = raw`\b(?:ignora|ignorate|ignori|ignorare|dimentica|dimenticate|dimentichi|dimenticare|non seguire|non seguite|non segua|trascura|trascurate|non (?:tenere|tenete) conto (?:di|delle|dei)|scarta|scartate|tralascia|metti da parte|mettete da parte|abbandona|abbandonate|lascia perdere)`;
const IT_O = raw`(?:istruzioni|indicazioni|regole|direttive|ordini|comandi|prompt|consegne)`;
const IT_Q = raw`(?:precedenti|di prima|sopra|qui sopra|iniziali|originali|del sistema|di sistema|date|ricevute|fornite)`;
const PT_V = raw`\b(?:ignore|ignora|ignorar|ignorem|esqueca|esquece|esquecam|esquecer|desconsidere|desconsidera|desconsiderem|nao siga|nao sigas|nao sigam|descarte|descarta|despreze|despreza|deixe de lado|deixa de lado|abandone|abandona)`;
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
  raw`${ZH_V}掉?(?!我)(?:[^我]){0,8}?${ZH_Q}的?.{0,6}?${ZH_O}`,
  raw`(?<!我|我们|我們)${ZH_Q}的?.{0,6}?${ZH_O}.{0,6}?(?:都|全部|一律)?(?:作废|作廢|无效|無效|不再有效|失效|${ZH_V})`,
  raw`(?<!私の|僕の|我々の|弊社の)${JA_Q}の.{0,10}?${JA_O}[はをも]?.{0,6}?(?:無視|忘れ|破棄|取り消)`,
  raw`${JA_O}を(?:すべて|全て)?(?:無視|忘れ)`,
  raw`(?<!제 |나의 |내 |저의 )(?:이전|위의|앞의|모든|기존|원래).{0,8}?(?:지시|명령|지침|규칙|프롬프트).{0,8}?(?:무시|잊어|잊으)`,
];

export const IGNORE_PREVIOUS_GROUPS: readonly PhraseGroup[] = [
  {
    rule: 'ignore-previous',
    keys: ['ignor', 'disregard', 'forget', 'pay no attention', 'not follow', "n't follow", 'not obey', "n't obey", 'not heed', "n't heed", 'stop follow', 'stop obey'],
    patterns: [
      raw`${NEG}${V_IGNORE}${NOT_MINE} (?:(?:all|any|each|every) (?:of )?)?(?:the |your |these |those |its )?${PRIOR} (?:\S+ )?${ORDERS}\b${BY_ME}(?! (?:if|unless)\b)`,
      raw`${NEG}${V_IGNORE}${NOT_MINE} (?:(?:all|any) (?:of )?)?(?:the |your |these |those )?(?:\S+ )?${ORDERS} (?:above|before this|(?:you (?:were|have been|got) |that (?:were|was) )?(?:given|received|told|provided) (?:to you )?(?:above|before|earlier|previously|so far|until now)|you (?:were|have been|got) (?:given|told)|from (?:before|earlier|above|the (?:system|developer|beginning|start))|so far|up to (?:now|this point)|until now|in (?:the|your) system prompt)\b`,
      raw`${NEG}${V_IGNORE}${NOT_MINE} (?:all|any) (?:of )?(?:the |your |these |those )?(?:\S+ )?(?:instructions|prompts|directives|guidelines|programming|training|restrictions|constraints|safety (?:guidelines|rules|measures)|content polic(?:y|ies))\b${BY_ME}`,
      raw`${NEG}${V_IGNORE} your (?:\S+ )?(?:instructions|prompt|system prompt|rules|guidelines|programming|training|directives|restrictions|constraints|policies|principles|filters|guardrails|safety|ethics|limitations)\b`,
      raw`${NEG}${V_IGNORE} (?:all of )?(?:the|everything) above(?= ?(?:and\b|[,.;:!]|$))`,
      raw`${NEG}${V_IGNORE} (?:everything|anything|all|whatever|what) (?:that )?(?:(?:you|they|someone|anyone) )?(?:(?:have|has|had|was|were|is|are|'ve|'re|been) ){0,2}(?:(?:said|written|told|given|stated|mentioned|instructed|taught|shown|provided) )?(?:to you )?(?:above|before(?: this| now| that)?|previously|earlier|prior(?: to (?:this|now))?|so far|until now|up to (?:now|here|this point)|up until now)\b`,
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
    keys: ['drop', 'discard', 'set aside', 'put aside', 'cast aside', 'throw out', 'throw away', 'toss out', 'toss aside', 'scrap', 'ditch', 'abandon', 'shelve', 'jettison'],
    patterns: [
      raw`${LEAD}${V_DROP}${NOT_MINE} (?:(?:all|any|each|every) (?:of )?)?(?:the |your |these |those )?${PRIOR} (?:\S+ )?${DROP_O}${DROP_END}`,
      raw`${LEAD}${V_DROP} (?:all|any) (?:of )?(?:the |your |these |those )?(?:\S+ )?(?:instructions|prompts|directives|guidelines|programming|training)${DROP_END}`,
      raw`${LEAD}${V_DROP} your (?:\S+ )?(?:instructions|prompt|system prompt|rules|guidelines|programming|training|directives|restrictions|constraints|policies|principles|guardrails)${DROP_END}`,
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
      raw`${DE_V}(?: sie| du)? (?:(?:alle|samtliche|jegliche|die|deine|ihre|eure|diese) ){0,2}${DE_Q} (?:\S+ )?${DE_O}(?![a-z])(?!,? (?:wenn|falls|sofern|die (?:ich|wir))\b)`,
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
    keys: ['ignor', 'oubli', 'compte', 'abstraction', 'neglige', 'ecarte', "n'obei", 'ne suis', 'ne suivez', 'outre', 'mets de', 'mettez de', 'laisse', 'abandonn'],
    patterns: [
      raw`${FR_V}${NOT_MINE}(?: (?:a|aux|de|des|du))? (?:toutes )?(?:les |des |ces |tes |vos )?(?:\S+ )?${FR_O} ${FR_Q}\b(?!,? (?:si|sauf|lorsque|quand|que (?:je|j|nous))\b)`,
      raw`${FR_V}(?: (?:a|aux|de|des))? (?:toutes )?(?:tes|vos) (?:\S+ )?${FR_O}\b`,
      raw`${FR_V} tout ce (?:qui (?:precede|a ete dit|est (?:ecrit )?(?:au-dessus|ci-dessus|plus haut)|vient avant)|que (?:on t'a|on vous a) dit)\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['ignor', 'olvid', 'caso omiso', 'no sig', 'descart', 'desestima', 'omit', 'pasa por alto', 'pase por alto', 'deja de lado', 'deje de lado', 'abandon', 'desech'],
    patterns: [
      raw`${ES_V}${NOT_MINE} (?:todas )?(?:las |tus |sus |estas |esas )?(?:\S+ )?${ES_O} ${ES_Q}\b(?!,? (?:si|salvo|cuando|que (?:te |le |les |os )?(?:di|dimos|envie|enviamos|mande|mandamos|escribi|escribimos|dije|dijimos))\b)`,
      raw`${ES_V} (?:todas )?(?:tus|sus) (?:\S+ )?${ES_O}\b`,
      raw`${ES_V} todo lo (?:anterior|que (?:se )?(?:te |le )?(?:dijeron|ha dicho|han dicho)|dicho (?:antes|anteriormente|arriba))\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['ignor', 'dimentic', 'non segu', 'non segua', 'trascur', 'non tenere', 'non tenete', 'scarta', 'tralascia', 'metti da parte', 'mettete da parte', 'abbandona', 'lascia perdere'],
    patterns: [
      raw`${IT_V}${NOT_MINE} (?:tutte )?(?:le |queste )?(?:tue |sue )?(?:\S+ )?${IT_O} ${IT_Q}\b(?!,? (?:se|salvo|quando|che (?:ti |vi |le )?(?:ho|abbiamo))\b)`,
      raw`${IT_V} (?:tutte )?(?:le )?(?:tue|sue|vostre) (?:\S+ )?${IT_O}\b`,
      raw`${IT_V} tutto (?:quello |cio |quanto )?(?:che (?:ti |vi )?(?:e stato|hanno) (?:detto|scritto)|sopra|prima)\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['ignor', 'esquec', 'desconsider', 'nao sig', 'descart', 'desprez', 'deixe de lado', 'deixa de lado', 'abandon'],
    patterns: [
      raw`${PT_V}${NOT_MINE} (?:todas )?(?:as |suas |tuas |essas |estas )?(?:\S+ )?${PT_O} ${PT_Q}\b(?!,? (?:se|salvo|quando|que (?:te |lhe |lhes )?(?:dei|demos|enviei|enviamos|mandei|mandamos|escrevi|escrevemos|disse|dissemos))\b)`,
      raw`${PT_V} (?:todas )?(?:as )?(?:suas|tuas) (?:\S+ )?${PT_O}\b`,
      raw`${PT_V} tudo (?:o que (?:foi|te foi|lhe foi) (?:dito|escrito)|acima|antes)\b`,
    ],
  },
  {
    rule: 'ignore-previous',
    keys: ['negeer', 'vergeet', 'sla over', 'omzeil', 'passeer', 'let niet', 'volg'],
    patterns: [
      raw`${NL_V} (?:alle |al )?(?:de |deze )?${NL_Q} (?:\S+ )?${NL_O}\b(?!,? (?:als|tenzij|wanneer)\b)`,
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
];
