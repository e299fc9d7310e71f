/** What the SMS channel itself says (the dialogue's wording lives in the flows' locale files). */
export const smsCopy = {
  fr: {
    stop: (clinic: string) =>
      `${clinic} : vous ne recevrez plus de SMS de notre part. Envoyez START pour les réactiver.`,
    start: (clinic: string) => `${clinic} : SMS réactivés. Écrivez-nous pour prendre rendez-vous. STOP pour arrêter.`,
    help: (clinic: string, phone: string, emergency: string) =>
      `${clinic} : prise de rendez-vous par SMS. Secrétariat : ${phone}. Urgence : ${emergency}. STOP pour ne plus recevoir de SMS.`,
    identityChallenge:
      "Un dossier patient existe à ce numéro. Pour consulter ou modifier vos rendez-vous par SMS, répondez avec votre date de naissance (ex. 31/01/1980). Pour un nouveau rendez-vous, continuez simplement.",
    identityConfirmed: "Merci, c'est bien vous : vos rendez-vous sont accessibles par SMS depuis ce numéro.",
    identityRefused: "Cette date de naissance ne correspond pas au dossier de ce numéro.",
    identityLocked:
      "Cette date de naissance ne correspond pas au dossier de ce numéro. Pour vos rendez-vous existants, contactez le secrétariat.",
    identityConflict: "Merci. Ce numéro est déjà relié à un autre dossier ; le secrétariat va vérifier.",
  },
  en: {
    stop: (clinic: string) => `${clinic}: you will receive no more texts from us. Reply START to resume.`,
    start: (clinic: string) => `${clinic}: texts resumed. Write to us to book an appointment. Reply STOP to opt out.`,
    help: (clinic: string, phone: string, emergency: string) =>
      `${clinic}: appointments by text. Front desk: ${phone}. Emergency: ${emergency}. Reply STOP to opt out.`,
    identityChallenge:
      "A patient record has this number. To see or change your appointments by text, reply with your date of birth (e.g. 31/01/1980). For a new appointment, just carry on.",
    identityConfirmed: "Thank you, that is you: your appointments are available by text from this number.",
    identityRefused: "That date of birth does not match the record of this number.",
    identityLocked:
      "That date of birth does not match the record of this number. For your existing appointments, please call the front desk.",
    identityConflict: "Thank you. This number is already linked to another record; the front desk will check.",
  },
} as const;
