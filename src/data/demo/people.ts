import type { SeededRandom } from "./random.js";

/*
 * The demo clinic's patients: a Paris practice's mix of French, Maghrebi (many Algerian) and
 * English-speaking families, with French and Algerian mobile numbers and, for most, an insurer.
 */

export type ChatChannel = "whatsapp" | "sms" | "telegram" | "web";

export interface DemoPatient {
  id: string;
  firstName: string;
  lastName: string;
  sex: "f" | "m";
  /** YYYY-MM-DD. */
  birthDate: string;
  age: number;
  /** E.164. */
  phone: string;
  email: string | null;
  locale: "fr" | "en";
  /** The chat channel the patient uses, null for those who only phone or call in. */
  chat: ChatChannel | null;
  /** Their address on that channel. */
  chatId: string | null;
  insurer: DemoInsurerCode | null;
  insuranceNumber: string | null;
  insuranceCoverageBp: number;
  /** How often, relatively, they come. */
  visits: number;
}

export const DEMO_INSURERS = [
  { code: "CPAM", name: "Assurance Maladie (CPAM de Paris)", coverageBp: 7000 },
  { code: "MGEN", name: "MGEN", coverageBp: 10000 },
  { code: "ALLIANZ", name: "Allianz Care", coverageBp: 8000 },
] as const;
export type DemoInsurerCode = (typeof DEMO_INSURERS)[number]["code"];

/** "Léa, Aït Ali" → ["Léa", "Aït Ali"]. */
const names = (list: string): string[] => list.split(", ");

const FRENCH_F = names(
  "Camille, Léa, Manon, Chloé, Emma, Inès, Julie, Laura, Marie, Anne, Isabelle, Nathalie, Céline, Élodie, Aurélie, Lucie, Pauline, Mathilde, Juliette, Margaux, Alice, Louise, Jeanne, Monique, Françoise, Catherine, Sylvie, Martine, Brigitte, Christine, Valérie, Sandrine, Véronique, Agnès, Zoé, Jade, Rose, Anaïs, Clémence, Océane",
);
const FRENCH_M = names(
  "Lucas, Hugo, Louis, Gabriel, Arthur, Jules, Adam, Raphaël, Paul, Nathan, Nicolas, Julien, Maxime, Antoine, Alexandre, Guillaume, Pierre, Jean, Philippe, Michel, Alain, Patrick, Bernard, Christophe, Stéphane, Olivier, Éric, François, Sébastien, Romain, Benoît, Mathieu, Théo, Léo, Noah, Victor, Gérard, Jacques, Timothée, Baptiste",
);
const FRENCH_LAST = names(
  "Bernard, Thomas, Robert, Richard, Petit, Durand, Leroy, Simon, Lefebvre, Michel, Garcia, David, Bertrand, Roux, Vincent, Fournier, Morel, Girard, André, Mercier, Dupont, Lambert, Bonnet, François, Martinez, Legrand, Garnier, Faure, Rousseau, Blanc, Guérin, Muller, Henry, Roussel, Perrin, Morin, Clément, Gauthier, Dumont, Lopez, Fontaine, Chevalier, Robin, Masson, Nguyen, Boyer, Denis, Lemaire, Duval, Joly, Roche, Noël, Meyer, Meunier, Marchand, Dufour, Blanchard, Barbier, Brun, Dumas, Brunet, Schmitt, Leroux, Colin, Renard, Arnaud, Caron, Aubert, Giraud, Leclerc, Vidal, Bourgeois, Lemoine, Picard, Lacroix, Fabre, Dupuis, Da Silva, Rivière, Le Gall, Moulin, Berger, Lecomte, Fleury, Deschamps, Carpentier, Maillard, Aubry, Le Roux, Jacquet, Prévost, Poirier, Charpentier, Huet, Baron, Carré, Breton",
);
const MAGHREBI_F = names(
  "Fatima, Yasmina, Nadia, Samira, Leïla, Karima, Sonia, Meriem, Lina, Imane, Nour, Salima, Djamila, Khadija, Soraya, Houria, Malika, Nawel, Sabrina, Lamia, Amel, Rym",
);
const MAGHREBI_M = names(
  "Mohamed, Karim, Samir, Rachid, Mehdi, Yacine, Nabil, Farid, Sofiane, Amine, Bilal, Walid, Kamel, Hakim, Djamel, Riad, Omar, Yanis, Ilyes, Nassim, Mourad, Abdelkader",
);
const MAGHREBI_LAST = names(
  "Bouzid, Haddad, Belkacem, Meziane, Boudiaf, Cherif, Amrani, Khelifi, Mansouri, Saidi, Hamidi, Benyahia, Aït Ali, Brahimi, Zerrouki, Ouali, Belaïd, Kaci, Rahmani, Boumediene, Larbi, Slimani, Taleb, Djebbar, Hadjadj, Mebarki, Benaïssa, Chaoui, Ferhat, Bensalem",
);
const ENGLISH_F = names(
  "Emily, Olivia, Sophie, Charlotte, Hannah, Grace, Lucy, Amelia, Jessica, Rachel, Sarah, Kate, Helen, Megan, Eleanor",
);
const ENGLISH_M = names(
  "James, Oliver, Jack, Harry, George, William, Daniel, Matthew, Samuel, David, Michael, Edward, Henry, Ben, Patrick",
);
const ENGLISH_LAST = names(
  "Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, Wright, Thompson, Evans, Walker, White, Roberts, Green, Hall, Wood, Jackson, Clarke, Hughes, Edwards, Murphy, O'Brien, Campbell, Stewart, Harris, Lewis, Cooper, Turner",
);
const MAIL_DOMAINS = ["example.org", "example.com", "example.net"];

type Origin = "french" | "maghrebi" | "english";

const NAMES: Record<Origin, { f: string[]; m: string[]; last: string[] }> = {
  french: { f: FRENCH_F, m: FRENCH_M, last: FRENCH_LAST },
  maghrebi: { f: MAGHREBI_F, m: MAGHREBI_M, last: MAGHREBI_LAST },
  english: { f: ENGLISH_F, m: ENGLISH_M, last: ENGLISH_LAST },
};

/** "Aït Ali" → "ait-ali": a name as it appears in an email address. */
const mailPart = (name: string): string =>
  name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/\s+/g, "-");

/** A French social-security number (NIR, 13 digits and its key), as insurers print it. */
function nir(random: SeededRandom, sex: "f" | "m", birthDate: string): string {
  const body = `${sex === "m" ? 1 : 2}${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}75${random.digits(6)}`;
  const key = 97 - Number(BigInt(body) % 97n);
  return `${body}${String(key).padStart(2, "0")}`;
}

/** Ages of a practice's patients: a fifth of them children. */
function drawAge(random: SeededRandom): number {
  const [lo, hi] = random.weighted<[number, number]>([
    [[0, 2], 5],
    [[3, 15], 15],
    [[16, 29], 17],
    [[30, 49], 28],
    [[50, 69], 22],
    [[70, 92], 13],
  ]);
  return random.int(lo, hi);
}

/**
 * `count` patients, unique by phone. `today` is the clinic's local date: birth dates and ages
 * are counted from it.
 */
export function demoPatients(random: SeededRandom, count: number, today: string): DemoPatient[] {
  const phones = new Set<string>();
  const patients: DemoPatient[] = [];
  const [ty, tm, td] = today.split("-").map(Number) as [number, number, number];
  for (let i = 0; i < count; i++) {
    const origin = random.weighted<Origin>([
      ["french", 60],
      ["maghrebi", 25],
      ["english", 15],
    ]);
    const sex = random.chance(0.54) ? "f" : "m";
    const names = NAMES[origin];
    const firstName = random.pick(sex === "f" ? names.f : names.m);
    const lastName = random.pick(names.last);
    const age = drawAge(random);
    const born = new Date(Date.UTC(ty - age, tm - 1, td - random.int(1, 364)));
    const birthDate = born.toISOString().slice(0, 10);
    const realAge = ty - born.getUTCFullYear() - (`${today.slice(5)}` < birthDate.slice(5) ? 1 : 0);

    const algerian = origin === "maghrebi" && random.chance(0.4);
    let phone: string;
    do {
      phone = algerian
        ? `+213${random.pick(["5", "6", "7"])}${random.digits(8)}`
        : `+33${random.pick(["6", "7"])}${random.digits(8)}`;
    } while (phones.has(phone));
    phones.add(phone);

    const adult = realAge >= 16;
    const email =
      adult && random.chance(origin === "english" ? 0.8 : 0.55)
        ? `${mailPart(firstName)}.${mailPart(lastName)}${random.chance(0.3) ? random.int(1, 99) : ""}@${random.pick(MAIL_DOMAINS)}`
        : null;
    const chat: ChatChannel | null = algerian
      ? "whatsapp"
      : random.weighted<ChatChannel | null>([
          ["whatsapp", 36],
          ["sms", 14],
          ["telegram", 10],
          ["web", 10],
          [null, 30],
        ]);
    const chatId =
      chat === "whatsapp"
        ? phone.slice(1)
        : chat === "sms"
          ? phone
          : chat === "telegram"
            ? String(random.int(100_000_000, 2_000_000_000))
            : chat === "web"
              ? `web-${random.uuid()}`
              : null;

    const insurer: DemoInsurerCode | null =
      origin === "english"
        ? random.chance(0.6)
          ? "ALLIANZ"
          : null
        : algerian
          ? random.chance(0.3)
            ? "CPAM"
            : null
          : random.weighted<DemoInsurerCode | null>([
              ["CPAM", 82],
              ["MGEN", 12],
              [null, 6],
            ]);
    patients.push({
      id: random.uuid(),
      firstName,
      lastName,
      sex,
      birthDate,
      age: realAge,
      phone,
      email,
      locale: origin === "english" ? "en" : "fr",
      chat,
      chatId,
      insurer,
      insuranceNumber: insurer === "ALLIANZ" ? `AC${random.digits(9)}` : insurer ? nir(random, sex, birthDate) : null,
      insuranceCoverageBp: insurer ? DEMO_INSURERS.find((x) => x.code === insurer)!.coverageBp : 0,
      visits: random.weighted<number>([
        [1, 50],
        [2, 30],
        [4, 15],
        [7, 5],
      ]),
    });
  }
  return patients;
}
