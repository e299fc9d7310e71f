// An integrator drives the clinic through the staff API of a service just installed with
// `npm start`; the FHIR facade reads back the same state after every change.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ApiClient, consoleSignIn, totpNow } from "./support/people.js";
import { startService, storesToTry, type RunningService } from "./support/service.js";
import { csrfOf } from "../console/support.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

interface Slot {
  doctorId: string;
  startsAt: string;
}
interface Appointment {
  id: string;
  status: string;
  startsAt: string;
  patientId: string;
}

describe.each(storesToTry())("the staff API and FHIR on a first start (%s database)", (store) => {
  let tabib: RunningService;
  let desk: ApiClient;
  let typeId: string;
  let patientId: string;

  beforeAll(async () => {
    tabib = await startService(store);
    desk = await ApiClient.signIn(tabib.base, tabib.login("secretary"));
    const types = await desk.ok<{ id: string; code: string }[]>("GET", "/api/appointment-types");
    typeId = types.find((t) => t.code === "gp-consult")!.id;
    const patient = await desk.ok<{ id: string }>("POST", "/api/patients", {
      firstName: "Nadia",
      lastName: "Benyahia",
      birthDate: "1979-02-11",
      phone: "+33655443322",
      preferredLocale: "fr",
    });
    patientId = patient.id;
  });

  /** The next free slots for a GP consultation, from the API's availability. */
  const freeSlots = async (days: number) => {
    const from = new Date(Date.now() + 86_400_000).toISOString();
    const to = new Date(Date.now() + days * 86_400_000).toISOString();
    return desk.ok<Slot[]>("GET", `/api/availability?typeId=${typeId}&from=${from}&to=${to}`);
  };
  const book = async (slot: Slot) =>
    desk.ok<Appointment>("POST", "/api/appointments", {
      patientId,
      typeId,
      doctorId: slot.doctorId,
      startsAt: slot.startsAt,
    });
  const fhirAppointment = (id: string) =>
    desk.ok<{ resourceType: string; status: string; start: string }>("GET", `/fhir/Appointment/${id}`);

  it("books, moves and cancels an appointment; FHIR shows each state", async () => {
    const slots = await freeSlots(14);
    expect(slots.length).toBeGreaterThan(3);
    const booked = await book(slots[0]!);
    expect(booked.status).toBe("confirmed");
    const read = await fhirAppointment(booked.id);
    expect(read).toMatchObject({ resourceType: "Appointment", status: "booked" });
    expect(Date.parse(read.start)).toBe(Date.parse(booked.startsAt));
    const again = await desk.call<{ error: string }>("POST", "/api/appointments", {
      patientId,
      typeId,
      doctorId: slots[0]!.doctorId,
      startsAt: slots[0]!.startsAt,
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("slot_taken");

    const later = slots.find(
      (s) => s.doctorId === slots[0]!.doctorId && Date.parse(s.startsAt) > Date.parse(slots[0]!.startsAt) + 3_600_000,
    )!;
    const moved = await desk.ok<Appointment>("POST", `/api/appointments/${booked.id}/reschedule`, {
      startsAt: later.startsAt,
    });
    expect(moved.startsAt).toBe(later.startsAt);
    expect(Date.parse((await fhirAppointment(booked.id)).start)).toBe(Date.parse(later.startsAt));

    const cancelled = await desk.ok<Appointment>("POST", `/api/appointments/${booked.id}/cancel`, {
      reason: "the patient called",
    });
    expect(cancelled.status).toBe("cancelled");
    expect((await fhirAppointment(booked.id)).status).toBe("cancelled");
    const history = await desk.ok<{ toStatus: string }[]>("GET", `/api/appointments/${booked.id}/events`);
    expect(history.map((e) => e.toStatus)).toEqual(["confirmed", "confirmed", "cancelled"]);
  });

  it("closes one visit as completed and another as a no-show; FHIR says fulfilled and noshow", async () => {
    const slots = await freeSlots(21);
    // Two visits with two different doctors, so they cannot overlap.
    const last = slots[slots.length - 1]!;
    const seen = await book(last);
    const missed = await book([...slots].reverse().find((s) => s.doctorId !== last.doctorId)!);
    await desk.ok("POST", `/api/appointments/${seen.id}/complete`, {});
    await desk.ok("POST", `/api/appointments/${missed.id}/no-show`, {});
    expect((await fhirAppointment(seen.id)).status).toBe("fulfilled");
    expect((await fhirAppointment(missed.id)).status).toBe("noshow");
    const patient = await desk.ok<{ resourceType: string; name: { family: string }[] }>(
      "GET",
      `/fhir/Patient/${patientId}`,
    );
    expect(patient).toMatchObject({ resourceType: "Patient", name: [{ family: "Benyahia" }] });
  });

  it("an admin, signed in with two-factor, erases the patient on request; FHIR no longer names her", async () => {
    // The admin enrols in two-factor at first sign-in to the console, as the console requires.
    const admin = tabib.login("admin");
    const browser = await consoleSignIn(tabib.base, admin);
    const setup = await browser.get("/mfa/setup");
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, "");
    const enrolled = await browser.post("/mfa/setup", { _csrf: csrfOf(setup.html), code: totpNow(secret) });
    expect(enrolled.status).toBe(200);
    // The code just used cannot be used again: the API login takes one of the recovery codes shown now.
    const recovery = /<li><code>([^<]+)<\/code><\/li>/.exec(enrolled.html)![1]!;
    const refused = await fetch(`${tabib.base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe("mfa_required");

    const adminApi = await ApiClient.signIn(tabib.base, { ...admin, code: recovery });
    const report = await adminApi.ok<{ erased: boolean }>("POST", `/api/patients/${patientId}/erase`, {
      confirm: true,
    });
    expect(report.erased).toBe(true);
    // FHIR answers that the record existed and is gone (410), without a word of it.
    const gone = await desk.call<{ resourceType: string; issue: { code: string }[] }>(
      "GET",
      `/fhir/Patient/${patientId}`,
    );
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "deleted" }] });
    expect(JSON.stringify(gone.body)).not.toMatch(/Benyahia|Nadia|655443322/);
  });

  it("left nothing at error level in the service's log", () => {
    expect(tabib.errorLines()).toEqual([]);
  });
});
