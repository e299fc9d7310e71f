import { phrases, table, words } from "./words.js";

/**
 * Words for dates and times in French and English, folded, as the date reader sees them after
 * its own rewrites (see WHEN_REWRITES). Each map gives the canonical meaning of a spelling.
 */

/** ISO weekday (1 = Monday) of full weekday names. Typos are tolerated on these. */
export const WEEKDAYS: ReadonlyMap<string, number> = table({
  lundi: 1,
  mardi: 2,
  mercredi: 3,
  jeudi: 4,
  vendredi: 5,
  samedi: 6,
  dimanche: 7,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
});

/**
 * Abbreviations that are also ordinary words ("mon" is "my", "mer" is "sea", "sun"): they
 * count as weekdays only next to a day number, a time, or "prochain"/"next"/"ce"/"this".
 */
export const WEEKDAY_ABBREVIATIONS: ReadonlyMap<string, number> = table({
  lun: 1,
  mer: 3,
  merc: 3,
  jeu: 4,
  ven: 5,
  vend: 5,
  sam: 6,
  dim: 7,
  mon: 1,
  tue: 2,
  tues: 2,
  wed: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  fri: 5,
  sat: 6,
  sun: 7,
});

/** Month number of month names; abbreviations included (they only count next to a day number or year). */
export const MONTHS: ReadonlyMap<string, number> = table({
  janvier: 1,
  janv: 1,
  january: 1,
  jan: 1,
  fevrier: 2,
  fevr: 2,
  fev: 2,
  february: 2,
  feb: 2,
  mars: 3,
  march: 3,
  mar: 3,
  avril: 4,
  avr: 4,
  april: 4,
  apr: 4,
  mai: 5,
  may: 5,
  juin: 6,
  june: 6,
  jun: 6,
  juillet: 7,
  juil: 7,
  july: 7,
  jul: 7,
  aout: 8,
  august: 8,
  aug: 8,
  septembre: 9,
  sept: 9,
  september: 9,
  sep: 9,
  octobre: 10,
  october: 10,
  oct: 10,
  novembre: 11,
  november: 11,
  nov: 11,
  decembre: 12,
  december: 12,
  dec: 12,
});

/** Days from today. */
export const RELATIVE_DAYS: ReadonlyMap<string, number> = table({
  aujourdhui: 0,
  auj: 0,
  aujourd: 0,
  today: 0,
  tdy: 0,
  tonight: 0,
  demain: 1,
  dmain: 1,
  tomorrow: 1,
  tmrw: 1,
  tmr: 1,
  tomoz: 1,
  tomo: 1,
  apresdemain: 2,
  overmorrow: 2,
  hier: -1,
  yesterday: -1,
  avanthier: -2,
});

export type PartOfDayWord = "morning" | "afternoon" | "evening";

export const PARTS_OF_DAY: ReadonlyMap<string, PartOfDayWord> = table({
  matin: "morning",
  matinee: "morning",
  morning: "morning",
  mornin: "morning",
  apresmidi: "afternoon",
  afternoon: "afternoon",
  arvo: "afternoon",
  soir: "evening",
  soiree: "evening",
  evening: "evening",
  tonight: "evening",
  nuit: "evening",
  night: "evening",
});

/** Local opening and closing hour of each part of the day, as the clinic reads them. */
export const PART_OF_DAY_HOURS: Readonly<Record<PartOfDayWord, readonly [number, number]>> = {
  morning: [8, 12],
  afternoon: [13, 18],
  evening: [18, 21],
};

/** Numbers written as words, for "dans deux jours", "in two weeks", "entre midi et deux". */
export const NUMBER_WORDS: ReadonlyMap<string, number> = table({
  un: 1,
  une: 1,
  deux: 2,
  trois: 3,
  quatre: 4,
  cinq: 5,
  six: 6,
  sept: 7,
  huit: 8,
  neuf: 9,
  dix: 10,
  onze: 11,
  douze: 12,
  quinze: 15,
  vingt: 20,
  trente: 30,
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  couple: 2,
});

export type DurationUnit = "minute" | "hour" | "day" | "week" | "month";

export const DURATION_UNITS: ReadonlyMap<string, DurationUnit> = table({
  minute: "minute",
  minutes: "minute",
  min: "minute",
  mins: "minute",
  mn: "minute",
  heure: "hour",
  heures: "hour",
  hour: "hour",
  hours: "hour",
  hr: "hour",
  hrs: "hour",
  h: "hour",
  jour: "day",
  jours: "day",
  j: "day",
  jrs: "day",
  day: "day",
  days: "day",
  semaine: "week",
  semaines: "week",
  sem: "week",
  week: "week",
  weeks: "week",
  wk: "week",
  wks: "week",
  quinzaine: "week",
  fortnight: "week",
  mois: "month",
  month: "month",
  months: "month",
});

/** Words after a number that show it is not a time ("5 ans", "3 years old", "2 enfants"). */
export const NOT_TIME_UNITS: ReadonlySet<string> = new Set(
  words(`
    ans an annee annees year years yo old mois month months jours jour day days semaines semaine week weeks
    kg kilos kilo cm fois times enfants enfant kids children personnes people patients minutes min euros eur
    pieces comprimes pills tablets ml mg degres degrees
  `),
);

/** Words that introduce a bare hour: "à 10", "vers 10", "at 10", "around 10". */
export const HOUR_PREPOSITIONS: ReadonlySet<string> = new Set(
  words("a vers at around about avant apres before after des from entre between jusqu until till"),
);

export const NEXT_WORDS: ReadonlySet<string> = new Set(words("prochain prochaine next suivant suivante coming"));
export const THIS_WORDS: ReadonlySet<string> = new Set(words("ce cet cette this"));
export const IN_WORDS: ReadonlySet<string> = new Set(words("dans in dici within"));
export const NEAR_WORDS: ReadonlySet<string> = new Set(
  words("vers environ around about approx approximativement approximately alentours autour roughly ish genre"),
);
export const BEFORE_WORDS: ReadonlySet<string> = new Set(words("avant before jusqu until till"));
export const AFTER_WORDS: ReadonlySet<string> = new Set(words("apres after partir des from"));
export const RANGE_START_WORDS: ReadonlySet<string> = new Set(words("entre between de from"));
export const RANGE_JOIN_WORDS: ReadonlySet<string> = new Set(words("et and a to au until till jusqu"));
export const WEEK_WORDS: ReadonlySet<string> = new Set(words("semaine week sem wk"));
export const WEEKEND_WORDS: ReadonlySet<string> = new Set(words("weekend"));
export const MONTH_WORDS: ReadonlySet<string> = new Set(words("mois month"));
export const EARLY_WORDS: ReadonlySet<string> = new Set(words("debut early beginning start"));
export const MID_WORDS: ReadonlySet<string> = new Set(words("mi mid middle milieu"));
export const LATE_WORDS: ReadonlySet<string> = new Set(words("fin end late"));
export const ORDINAL_SUFFIXES: ReadonlySet<string> = new Set(words("er ere e eme em st nd rd th"));
export const NOON_WORDS: ReadonlySet<string> = new Set(words("midi noon"));
export const MIDNIGHT_WORDS: ReadonlySet<string> = new Set(words("minuit midnight"));
export const AM_WORDS: ReadonlySet<string> = new Set(words("am"));
export const PM_WORDS: ReadonlySet<string> = new Set(words("pm"));

/** Phrases meaning "the first free slot". Phrase syntax as in phrase.ts. */
export const ASAP_PHRASES: readonly string[] = phrases(`
  au plus vite, plus vite possible, des que possible, asap, as soon as possible, soon as possible, earliest,
  le plus tot, au plus tot, plus tot possible, le plus rapidement, rapidement, premier creneau, premiere dispo,
  premiere disponibilite, prochain creneau, prochaine dispo, first available, next available, soonest, tout de suite,
  right now, right away, urgent, urgently, en urgence, vite, n importe quand, quand vous voulez, peu importe,
  anytime, any time, whenever, maintenant, now
`);

/** Lunch break, said as a span: "entre midi et deux", "à l'heure du déjeuner", "at lunchtime". */
export const LUNCH_PHRASES: readonly string[] = phrases(
  "midi et deux, heure du dejeuner, pause dejeuner, pause de midi, lunchtime, lunch time, lunch break, at lunch",
);

/**
 * Rewrites applied to the folded text before reading it, so that multi-word and chat
 * spellings reach the grammar as one canonical word.
 */
export const WHEN_REWRITES: readonly (readonly [RegExp, string])[] = [
  [/\ba\.m\b\.?/g, " am "],
  [/\bp\.m\b\.?/g, " pm "],
  [/\bo'? ?clock\b/g, " "],
  [/\b(?:apres|aprs|apre)[\s-]*(?:demain|dmain)\b/g, " apresdemain "],
  [/\bday after (?:tomorrow|tmrw|tomorow|tommorow)\b/g, " overmorrow "],
  [/\bavant[\s-]*hier\b/g, " avanthier "],
  [/\b(?:apres|aprs|apre)[\s-]*midi\b/g, " apresmidi "],
  [/\b(?:aprem|aprm|apm|aprèm|apremidi|aprmidi|aprs midi)\b/g, " apresmidi "],
  [/\bweek[\s-]?end\b/g, " weekend "],
  [/\b2\s?main\b/g, " demain "],
  [/\b2\s?morrow\b/g, " tomorrow "],
  [/\ba partir d(?:e|u|')?\b/g, " partir "],
  [/\bjusqu'? ?(?:a|au)\b/g, " jusqu "],
  [/\bd'? ?ici\b/g, " dici "],
  [/\baux? alentours? d(?:e|u|')?\b/g, " alentours "],
  [/\bplus ou moins\b/g, " environ "],
  [/\bce jour\b/g, " aujourdhui "],
  [/\bcette nuit\b/g, " tonight "],
  [/\bin the (morning|afternoon|evening)\b/g, " $1 "],
];
