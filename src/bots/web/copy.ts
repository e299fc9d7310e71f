/** The chat page's own wording; what the bot says lives in the flows' locale files. */
export const pageCopy = {
  fr: {
    title: "Prendre rendez-vous — discussion",
    heading: "Discutez avec le secrétariat",
    intro: "Écrivez simplement, par exemple « rdv cardiologue mardi 10h ». En cas d'urgence, appelez le {emergency}.",
    placeholder: "Votre message",
    send: "Envoyer",
    label: "Message",
    log: "Conversation",
    error: "Message non envoyé. Vérifiez votre connexion puis réessayez.",
    retry: "Réessayer",
  },
  en: {
    title: "Book an appointment — chat",
    heading: "Chat with the clinic",
    intro: 'Just write, for example "cardiologist Tuesday 10am". In an emergency, call {emergency}.',
    placeholder: "Your message",
    send: "Send",
    label: "Message",
    log: "Conversation",
    error: "Message not sent. Check your connection and try again.",
    retry: "Try again",
  },
} as const;

export type PageLocale = keyof typeof pageCopy;

/** French unless the browser prefers English over French. */
export function pickLocale(acceptLanguage: string | undefined): PageLocale {
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().toLowerCase().split(";");
      const q = Number(params.find((p) => p.trim().startsWith("q="))?.split("=")[1] ?? 1);
      return { lang: (tag ?? "").slice(0, 2), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((x) => x.lang === "fr" || x.lang === "en")
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.lang === "en" ? "en" : "fr";
}
