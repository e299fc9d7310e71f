// A secretary's day in the console of a service just installed with `npm start`: real forms with
// their CSRF tokens, the calendar's JSON endpoint, the invoice PDF; patients write in the web chat.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { csrfOf, type Visitor } from "../console/support.js";
import { postJson } from "../console/schedule-support.js";
import { ApiClient, ChatPatient, consoleSignIn } from "./support/people.js";
import { startService, storesToTry, type RunningService } from "./support/service.js";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 });

interface Slot {
  doctorId: string;
  startsAt: string;
}

describe.each(storesToTry())("the front desk on a first start (%s database)", (store) => {
  let tabib: RunningService;
  let desk: Visitor;
  let api: ApiClient;
  let csrf: string;

  beforeAll(async () => {
    tabib = await startService(store);
    desk = await consoleSignIn(tabib.base, tabib.login("secretary"));
    api = await ApiClient.signIn(tabib.base, tabib.login("secretary"));
    csrf = csrfOf((await desk.get("/")).html);
  });

  const typeId = async (code: string) =>
    (await api.ok<{ id: string; code: string }[]>("GET", "/api/appointment-types")).find((t) => t.code === code)!.id;
  const appointment = (id: string) =>
    api.ok<{ status: string; startsAt: string; doctorId: string }>("GET", `/api/appointments/${id}`);
  /** A patient asks for a GP in the chat and picks the first time offered. */
  const chatBooking = async (name: string, birth: string) => {
    const patient = new ChatPatient(tabib.base, "fr");
    await patient.open();
    await patient.say("je voudrais voir un médecin généraliste au plus vite");
    const offered = patient.offeredTimes();
    expect(offered.length, patient.transcript()).toBeGreaterThan(0);
    await patient.tap(new RegExp(offered[0]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    await patient.say(name);
    await patient.say(birth);
    await patient.tap(/^Oui$/);
    return patient;
  };

  it("switches the clinic to approval, then accepts one chat request and refuses another with a reason", async () => {
    const switched = await desk.post("/requests/booking-mode", { _csrf: csrf, bookingMode: "approval" });
    expect(switched.status).toBe(303);
    expect((await desk.follow(switched)).html).toContain("attendent désormais votre validation");

    const lina = await chatBooking("Lina Haddad", "04/09/1992");
    expect(lina.transcript(), lina.transcript()).toMatch(/demande/i);
    await chatBooking("Paul Girard", "21/01/1965");

    const queue = await desk.get("/requests");
    const idOf = (patient: string) => {
      const row = queue.html.split('<li class="request card"').find((r) => r.includes(patient));
      expect(row, `a request from ${patient} in the queue`).toBeDefined();
      return /id="request-([0-9a-f-]{36})"/.exec(row!)![1]!;
    };
    const linaRequest = idOf("Lina Haddad");
    const paulRequest = idOf("Paul Girard");
    expect((await desk.post(`/requests/${linaRequest}/accept`, { _csrf: csrf })).status).toBe(303);
    const refused = await desk.post(`/requests/${paulRequest}/refuse`, {
      _csrf: csrf,
      reason: "Le Dr Martin est absent ce jour-là",
    });
    expect(refused.status).toBe(303);
    expect((await appointment(linaRequest)).status).toBe("confirmed");
    expect((await appointment(paulRequest)).status).toBe("declined");
    const after = await desk.get("/requests");
    expect(after.html).not.toContain(`request-${linaRequest}`);
    expect(after.html).not.toContain(`request-${paulRequest}`);
  });

  it("books an urgent patient nobody knew yet, then moves the visit by the calendar's endpoint", async () => {
    const gp = await typeId("gp-consult");
    const { slot: earliest } = await api.ok<{ slot: Slot }>("GET", `/api/availability/earliest?typeId=${gp}`);
    const local = wallClock(earliest.startsAt);
    const form = await desk.get("/appointments/urgent");
    expect(form.status).toBe(200);
    const booked = await desk.post("/appointments/urgent", {
      _csrf: csrfOf(form.html),
      doctorId: earliest.doctorId,
      typeId: gp,
      day: local.slice(0, 10),
      time: local.slice(11, 16),
      firstName: "Karim",
      lastName: "Saïdi",
      phone: "+33 6 12 98 76 54",
      reason: "fièvre à 39,5 depuis ce matin",
    });
    expect(booked.status, booked.html.slice(0, 400)).toBe(303);
    const id = /\/appointments\/([0-9a-f-]{36})\?done=urgent/.exec(booked.location!)![1]!;
    expect((await desk.follow(booked)).html).toContain("Karim Saïdi");

    // Later the same week, with the same doctor: a free time from the availability the calendar shows.
    const from = new Date(Date.parse(earliest.startsAt) + 2 * 3_600_000).toISOString();
    const to = new Date(Date.parse(earliest.startsAt) + 7 * 86_400_000).toISOString();
    const free = await api.ok<Slot[]>(
      "GET",
      `/api/availability?typeId=${gp}&doctorId=${earliest.doctorId}&from=${from}&to=${to}`,
    );
    expect(free.length).toBeGreaterThan(0);
    const target = { start: wallClock(free[0]!.startsAt) };
    // Inside the clinic's 24-hour cutoff (the earliest free time usually is), a move needs a reason.
    if (Date.parse(earliest.startsAt) - Date.now() < 24 * 3_600_000) {
      const refused = await postJson(desk, tabib.base, `/appointments/${id}/move`, csrf, target);
      expect(refused.status).toBe(409);
      expect(String(refused.body.error)).toContain("moins de 24 h");
    }
    const moved = await postJson(desk, tabib.base, `/appointments/${id}/move`, csrf, {
      ...target,
      override: "1",
      reason: "le patient ne peut venir qu'en fin de journée",
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(Date.parse((await appointment(id)).startsAt)).toBe(Date.parse(free[0]!.startsAt));
  });

  it("invoices a visit of the demo clinic's past weeks, issues the invoice, records the payment and downloads the PDF", async () => {
    const billing = await desk.get("/billing");
    expect(billing.status).toBe(200);
    const appointmentId = /name="appointmentId" value="([0-9a-f-]{36})"/.exec(billing.html)?.[1];
    expect(appointmentId, "a visit waiting to be invoiced").toBeDefined();
    const created = await desk.post("/billing/invoices", { _csrf: csrf, appointmentId: appointmentId! });
    expect(created.status).toBe(303);
    const invoicePath = /^(\/billing\/invoices\/[0-9a-f-]{36})\?done=created$/.exec(created.location!)![1]!;
    const draft = await desk.get(invoicePath);
    const expectedTotal = /name="expectedTotal" value="(\d+)"/.exec(draft.html)![1]!;
    const issued = await desk.post(`${invoicePath}/issue`, { _csrf: csrf, expectedTotal });
    expect(issued.location).toBe(`${invoicePath}?done=issued`);
    const payable = await desk.get(invoicePath);
    const amount = /id="pay-amount" name="amount"[^>]* value="([^"]+)"/.exec(payable.html)![1]!;
    const method = /<select id="pay-method" name="method"><option value="([^"]+)"/.exec(payable.html)![1]!;
    const payer = /<option value="(patient|insurer)" selected/.exec(payable.html)?.[1] ?? "patient";
    const paid = await desk.post(`${invoicePath}/payments`, { _csrf: csrf, payer, method, amount, reference: "" });
    expect(paid.location).toBe(`${invoicePath}?done=paid`);

    const pdf = await fetch(`${tabib.base}${invoicePath}/pdf`, {
      headers: { cookie: [...desk.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toMatch(/application\/pdf/);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
  });

  it("left nothing at error level in the service's log", () => {
    expect(tabib.errorLines()).toEqual([]);
  });
});

/** An instant as the clinic's wall clock, "YYYY-MM-DDTHH:MM" in Paris. */
function wallClock(iso: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Paris",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
