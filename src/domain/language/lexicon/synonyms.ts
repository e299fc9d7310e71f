import { words } from "./words.js";

/**
 * Words patients use interchangeably. A pattern or keyword written with one word of a group
 * also matches the others, so "douleur au ventre" finds the keyword "mal au ventre" and
 * "my tummy hurts" finds "stomach ache". Folded spellings; each line is one group.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  // pain
  words("mal douleur douleurs douloureux douloureuse souffre souffrir souffrance"),
  words("pain pains ache aches aching hurt hurts hurting sore painful"),
  // body parts
  words("ventre bide estomac abdomen abdominale abdominal"),
  words("stomach tummy belly abdomen abdominal"),
  words("tete crane"),
  words("head"),
  words("coeur cardiaque"),
  words("heart cardiac"),
  words("peau cutane cutanee epiderme"),
  words("skin"),
  words("gorge"),
  words("throat"),
  words("dos lombaires"),
  // people
  words("enfant enfants gamin gamine gosse gosses bebe nourrisson bambin"),
  words("child children kid kids baby infant toddler"),
  // symptoms
  words("fievre temperature"),
  words("fever temperature feverish"),
  words("fatigue fatiguee epuise epuisee epuisement creve crevee"),
  words("tired fatigue exhausted exhaustion weary"),
  words("vomir vomis vomit vomissement vomissements vomi"),
  words("vomit vomiting vomited throwing"),
  words("tousse tousser toux"),
  words("cough coughing coughs"),
  words("demangeaison demangeaisons gratte grattent"),
  words("itch itching itchy itches"),
  words("enceinte grossesse"),
  words("pregnant pregnancy"),
  words("regles menstruations"),
  words("period periods menstruation"),
  words("essouffle essoufflement essoufflee"),
  // booking words
  words("rdv rendezvous consultation consult"),
  words("appointment appt appointement booking"),
  words("medecin docteur doc toubib"),
  words("doctor doc physician"),
];
