import type { PhoneLinkOutcome } from "../../domain/identities.js";

/** What the Telegram adapter itself says (the dialogue's wording lives in the flows' locale files). */
export const telegramCopy = {
  fr: {
    linked: "Merci, votre numéro est vérifié : ce compte Telegram est relié à votre dossier.",
    phone_saved: "Merci, votre numéro est vérifié et enregistré dans votre dossier.",
    no_patient: "Merci. Aucun dossier n'a encore ce numéro ; il sera utilisé lors de votre prise de rendez-vous.",
    conflict: "Merci. Ce compte est déjà relié à un autre dossier ; le secrétariat va vérifier.",
    invalid_phone: "Nous n'avons pas pu lire ce numéro. Réessayez avec le bouton « Partager mon numéro ».",
    notOwn: "Pour relier votre dossier, partagez votre propre numéro avec le bouton ci-dessous.",
    askPhone: "Partagez votre numéro de téléphone pour relier ce compte à votre dossier.",
    shareButton: "Partager mon numéro",
  },
  en: {
    linked: "Thank you, your number is verified: this Telegram account is now linked to your record.",
    phone_saved: "Thank you, your number is verified and saved to your record.",
    no_patient: "Thank you. No record has this number yet; it will be used when you book.",
    conflict: "Thank you. This account is already linked to another record; the clinic will check.",
    invalid_phone: "We could not read that number. Please try again with the “Share my number” button.",
    notOwn: "To link your record, share your own number with the button below.",
    askPhone: "Share your phone number to link this account to your record.",
    shareButton: "Share my number",
  },
} as const satisfies Record<string, Record<PhoneLinkOutcome | "notOwn" | "askPhone" | "shareButton", string>>;

export type TelegramLocale = keyof typeof telegramCopy;

/** English when Telegram says the user's app is in English; French otherwise (the clinic's language). */
export const localeOf = (languageCode: string | undefined): TelegramLocale =>
  languageCode?.toLowerCase().startsWith("en") ? "en" : "fr";
