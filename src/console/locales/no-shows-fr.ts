/** Console wording in French for the no-show list (spread into schedule-fr.ts). */
export const noShowsFr = {
  navNoShows: "Absences",
  noShowTitle: "Rendez-vous passés à clore",
  noShowIntro:
    "Rendez-vous confirmés des jours passés que personne n'a clos. Confirmez l'absence du patient, ou indiquez qu'il est venu : rien n'est compté contre un patient sans votre confirmation.",
  noShowEmpty: "Aucun rendez-vous passé à clore.",
  noShowCount: "Absences du patient",
  noShowConfirm: "Confirmer l'absence",
  noShowComplete: "Il est venu",
  noShowConfirmFor: "Confirmer l'absence de {patient} au rendez-vous du {when}",
  noShowCompleteFor: "Indiquer que {patient} est venu au rendez-vous du {when}",
  noShowMarked: "Absence enregistrée.",
  noShowCompleted: "Rendez-vous clos comme effectué.",
  noShowChanged: "Ce rendez-vous a déjà été clos ou modifié entre-temps.",
};
