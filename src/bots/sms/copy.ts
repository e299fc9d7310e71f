/** What the SMS channel itself says (the dialogue's wording lives in the flows' locale files). */
export const smsCopy = {
  fr: {
    stop: (clinic: string) =>
      `${clinic} : vous ne recevrez plus de SMS de notre part. Envoyez START pour les réactiver.`,
    start: (clinic: string) => `${clinic} : SMS réactivés. Écrivez-nous pour prendre rendez-vous. STOP pour arrêter.`,
    help: (clinic: string, phone: string, emergency: string) =>
      `${clinic} : prise de rendez-vous par SMS. Secrétariat : ${phone}. Urgence : ${emergency}. STOP pour ne plus recevoir de SMS.`,
  },
  en: {
    stop: (clinic: string) => `${clinic}: you will receive no more texts from us. Reply START to resume.`,
    start: (clinic: string) => `${clinic}: texts resumed. Write to us to book an appointment. Reply STOP to opt out.`,
    help: (clinic: string, phone: string, emergency: string) =>
      `${clinic}: appointments by text. Front desk: ${phone}. Emergency: ${emergency}. Reply STOP to opt out.`,
  },
} as const;
