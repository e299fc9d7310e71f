import type { noShowsFr } from "./no-shows-fr.js";

/** Console wording in English for the no-show list (spread into schedule-en.ts). */
export const noShowsEn: typeof noShowsFr = {
  navNoShows: "No-shows",
  noShowTitle: "Past appointments to close",
  noShowIntro:
    "Confirmed appointments of past days that nobody closed. Confirm that the patient did not come, or record that they did: nothing counts against a patient until you confirm it.",
  noShowEmpty: "No past appointment to close.",
  noShowCount: "Patient's no-shows",
  noShowConfirm: "Confirm no-show",
  noShowComplete: "Mark completed",
  noShowConfirmFor: "Confirm that {patient} missed the appointment of {when}",
  noShowCompleteFor: "Record that {patient} came to the appointment of {when}",
  noShowMarked: "No-show recorded.",
  noShowCompleted: "Appointment closed as completed.",
  noShowChanged: "This appointment was already closed or changed meanwhile.",
};
