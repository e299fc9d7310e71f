import { words } from "./words.js";

/**
 * Everyday words that give a message's language away, folded. Words common to both languages
 * ("a", "on", "me", "son", "ok", "rdv" aside) are left out of both lists so they never vote.
 */
export const FRENCH_WORDS: ReadonlySet<string> = new Set(
  words(`
    je j tu il elle nous vous ils elles le la les l un une des du de d au aux et ou mais donc car ni
    ne n pas plus rien jamais tres trop bien ce cet cette ces mon ma mes ton ta tes sa ses notre votre vos leur
    qui que qu quoi quand comment pourquoi est suis es sommes etes sont ai as avons avez ont etait avais
    fait faire veux voudrais voudrait aimerais peux pourrais peut dois faut avec pour dans sur sous chez sans
    oui non merci bonjour bonsoir salut coucou svp plait aujourdhui demain apres hier matin soir semaine prochain
    prochaine mardi mercredi jeudi vendredi samedi dimanche lundi heure heures rendez vous rdv medecin docteur mal
    douleur depuis avoir etre annuler reporter deplacer besoin voir prendre aussi encore deja quelqu quelque
    enfant fils fille mere pere ventre tete coeur gorge peau enceinte fievre toux jai cest
  `),
);

export const ENGLISH_WORDS: ReadonlySet<string> = new Set(
  words(`
    i you he she we they it the of and or but so to in at for with from by about my your his her our their
    is am are was were be been being have has had do does did not no yes yeah please thanks thank hello hi hey
    can could would should will want need like see book appointment appointments doctor today tomorrow yesterday
    morning afternoon evening night week next this that these those what when where why how who which
    monday tuesday wednesday thursday friday saturday sunday cancel reschedule change move time day days
    pain hurts sick child daughter baby stomach head heart throat skin pregnant fever cough get got just
    any some there here now then again also
  `),
);
