import { phrases } from "./words.js";

/** What kind of emergency a message describes; the flow answers with the emergency numbers. */
export type RedFlagCategory =
  "chest_pain" | "breathing" | "stroke" | "bleeding" | "unconscious" | "suicidal" | "anaphylaxis" | "seizure";

/**
 * One sign of an emergency, as alternative phrase patterns (see phrase.ts for the syntax:
 * "a|b" alternatives, "respir*" prefixes, fillers such as "à la" skipped, small gaps allowed).
 * The synonym groups apply: "mal" also reads "douleur", "pain" also reads "ache"/"hurts".
 */
export interface RedFlagEntry {
  /** Stable id reported as `matched`; never the patient's own words. */
  readonly id: string;
  readonly category: RedFlagCategory;
  readonly phrases: readonly string[];
  /** Phrases that, in the same clause, show the words mean something harmless. */
  readonly unless?: readonly string[];
}

const LANGUAGES = phrases("anglais, francais, english, french, arabe, arabic, langue, language, espagnol, spanish");

// Ordered by how quickly help is needed when a message mentions several signs.
export const RED_FLAGS: readonly RedFlagEntry[] = [
  {
    id: "unconscious.fr",
    category: "unconscious",
    phrases: phrases(`
      evanoui*, perdu connaissance, perd connaissance, perte connaissance, perte de conscience,
      inconscient*, sans connaissance, tombe* pommes, reagit plus, reagit pas, repond plus,
      se reveille pas, se reveille plus, syncope, malaise grave, fait un malaise, a fait un malaise
    `),
  },
  {
    id: "unconscious.en",
    category: "unconscious",
    phrases: phrases(`
      fainted, fainting, faint, passed out, passing out, unconscious, unresponsive, not responding,
      not waking up, will not wake up, can not wake, collapsed, blacked out, lost consciousness,
      loss of consciousness
    `),
  },
  {
    id: "breathing.fr",
    category: "breathing",
    phrases: phrases(`
      arrive pas respir*, arrive plus respir*, peux pas respir*, peux plus respir*, peut pas respir*,
      peut plus respir*, difficult* respir*, mal respirer, mal a respirer, etouff*, suffoqu*, manque d air,
      manque air, respire mal, respire plus, respire pas, souffle court repos, essouffl* repos,
      cherche mon air, cherche son air, levres bleu*, detresse respiratoire
    `),
    unless: phrases("nez, bouche fermee"),
  },
  {
    id: "breathing.en",
    category: "breathing",
    phrases: phrases(`
      can not breathe, could not breathe, unable breathe, trouble breathing, difficulty breathing,
      hard breathe, hard breathing, struggling breathe, struggling breath, struggling breathing, short* breath rest,
      breathless rest, out of breath rest, not breathing, stopped breathing, choking, suffocating, gasping air,
      gasping breath, blue lips, lips blue, can not catch breath
    `),
    unless: phrases("nose"),
  },
  {
    id: "chest_pain.fr",
    category: "chest_pain",
    phrases: phrases(`
      mal poitrine, mal thorax, douleur thoraci*, mal thoraci*, oppression* poitrine, oppression* thoraci*,
      serr* poitrine, serrement poitrine, poitrine serr*, poitrine comprim*, poids poitrine, poitrine ecras*,
      ecras* poitrine, brulure poitrine, douleur irradi* bras, douleur irradi* machoire, crise cardiaque,
      infarctus, arret cardiaque
    `),
  },
  {
    id: "chest_pain.en",
    category: "chest_pain",
    phrases: phrases(`
      chest pain*, pain chest, chest hurt*, chest tight*, tight* chest, pressure chest, chest pressure,
      crushing chest, chest crushing, heavy chest, heaviness chest, squeez* chest, chest squeez*,
      pain spreading arm, pain radiating arm, heart attack, cardiac arrest
    `),
  },
  {
    id: "stroke.fr",
    category: "stroke",
    phrases: phrases(`
      visage paralys*, visage deform*, visage tomb*, visage travers, visage engourdi*, bouche travers,
      bouche deform*, bouche tord*, bouche tomb*, paralys* visage, paralys* cote, moitie visage,
      bras faible, bras engourdi*, bras lourd, bras paralys*, jambe paralys*, engourdi* un cote, engourdi* cote,
      faiblesse un cote, faibl* bras, paralys* bras, peux plus bouger bras|jambe|cote, arrive plus bouger bras|jambe|cote,
      trouble parole, troubles parole, difficult* parler, arrive plus parler, arrive pas parler, peux plus parler,
      parle bizarre*, mots sortent pas, articule plus, bafouill*, avc, accident vasculaire, attaque cerebrale
    `),
    unless: LANGUAGES,
  },
  {
    id: "stroke.en",
    category: "stroke",
    phrases: phrases(`
      face droop*, droop* face, droopy face, face numb, numb face, face paraly*, paraly* face,
      face twisted, mouth droop*, droop* mouth, slurred speech, slurring, slur* words, speech slurred,
      arm weak*, weak arm, arm numb, numb arm, numb one side, numbness one side, weak one side, weakness one side,
      paraly* one side, can not move arm, can not lift arm, can not speak properly, can not get words out,
      trouble speaking, difficulty speaking, words come out wrong, stroke
    `),
    unless: LANGUAGES,
  },
  {
    id: "anaphylaxis.fr",
    category: "anaphylaxis",
    phrases: phrases(`
      gorge gonfl*, gonfl* gorge, gorge enfl*, langue gonfl*, gonfl* langue, levres gonfl*, gorge serr*,
      gorge ferme, choc anaphyla*, anaphyla*, oedeme quincke, quincke, reaction allergique grave,
      grave reaction allergique, forte reaction allergique, allergie grave
    `),
  },
  {
    id: "anaphylaxis.en",
    category: "anaphylaxis",
    phrases: phrases(`
      throat swell*, swell* throat, swollen throat, throat closing, throat tight*, tongue swell*, swollen tongue,
      swell* tongue, lips swell*, swollen lips, anaphyla*, severe allergic reaction, bad allergic reaction,
      allergic shock, epipen
    `),
  },
  {
    id: "bleeding.fr",
    category: "bleeding",
    phrases: phrases(`
      saigne beaucoup, saigne abondamment, saigne enormement, saigne fort, saigne sans arret,
      arrete pas saigner, arrete plus saigner, saignement abondant, saignement important, saignement arrete pas,
      saignement enorme, hemorragi*, perd* beaucoup sang, beaucoup sang, sang partout, pisse sang,
      crache* sang, vomi* sang
    `),
  },
  {
    id: "bleeding.en",
    category: "bleeding",
    phrases: phrases(`
      bleeding heavily, bleeding lot, bleeding badly, bleeding heavy, heavy bleeding, bleeding bad,
      not stop bleeding, bleeding will not stop, bleeding not stop, can not stop bleeding, can not stop the bleeding,
      losing lot blood, lot of blood, lots of blood, blood everywhere, hemorrhag*, haemorrhag*, coughing blood,
      coughing up blood, vomiting blood, throwing up blood
    `),
  },
  {
    id: "seizure.fr",
    category: "seizure",
    phrases: phrases("convuls*, crise epilep*, crise d epilepsie, crise convulsive"),
  },
  {
    id: "seizure.en",
    category: "seizure",
    phrases: phrases("seizure*, seizing, convuls*, having a fit, epileptic fit"),
  },
  {
    id: "suicidal.fr",
    category: "suicidal",
    phrases: phrases(`
      envie mourir, veux mourir, voudrais mourir, me suicider, suicid*, veux me tuer, vais me tuer,
      envie de me tuer, en finir avec la vie, veux en finir, envie d en finir, vais en finir, mettre fin jours,
      mettre fin a ma vie, fin a mes jours, plus envie vivre, pas envie vivre, marre de vivre, me faire du mal,
      me pendre, me jeter sous
    `),
    unless: phrases("rire, cheveux"),
  },
  {
    id: "suicidal.en",
    category: "suicidal",
    phrases: phrases(`
      kill myself, killing myself, suicid*, want to die, wanna die, wish i was dead, end my life, end it all,
      take my own life, take my life, no reason to live, better off dead, not want to live, hurt myself,
      harm myself, self harm, overdose
    `),
    unless: phrases("hair, laughing"),
  },
];
