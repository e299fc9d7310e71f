import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { parisDecember } from "./schedule-support.js";
import { startConsole } from "./support.js";

// Debian's Chromium (apt-get install chromium); a browser is never downloaded by the test.
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const SHOTS = "docs/screenshots";

describe.skipIf(!hasChromium)("the schedule pages in a real browser (needs /usr/bin/chromium)", () => {
  let world: ApiWorld;
  let base: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const ids = { martin: "", claire: "", conversation: "" };

  beforeAll(async () => {
    world = await demoWorld();
    base = await startConsole(world.ctx);
    const prisma = world.ctx.db.prisma;
    const doctors = await prisma.doctor.findMany({ where: { clinicId: world.clinicId }, orderBy: { lastName: "asc" } });
    const byName = (lastName: string) => doctors.find((d) => d.lastName === lastName)!;
    ids.martin = byName("Martin").id;
    const gp = await prisma.appointmentType.findFirstOrThrow({
      where: { clinicId: world.clinicId, code: "gp-consult" },
    });
    // A believable week: Monday 7 to Friday 11 December 2026, several doctors.
    const week: [string, string, string, string, "confirmed" | "requested" | "completed"][] = [
      ["Martin", "Claire", "Dupont", "2026-12-08T10:00", "confirmed"],
      ["Martin", "Hugo", "Bernard", "2026-12-08T11:00", "confirmed"],
      ["Martin", "Amina", "Haddad", "2026-12-07T09:00", "completed"],
      ["Martin", "Louis", "Moreau", "2026-12-09T14:30", "requested"],
      ["Martin", "Jeanne", "Petit", "2026-12-07T16:00", "confirmed"],
      ["Benali", "Karim", "Saidi", "2026-12-07T10:00", "confirmed"],
      ["Benali", "Sophie", "Laurent", "2026-12-09T09:00", "confirmed"],
      ["Benali", "Marc", "Girard", "2026-12-11T11:30", "confirmed"],
      ["Benali", "Lina", "Mercier", "2026-12-11T14:00", "requested"],
    ];
    for (const [i, [doctor, firstName, lastName, local, status]] of week.entries()) {
      const patient = await prisma.patient.create({
        data: { clinicId: world.clinicId, firstName, lastName, phone: `+3361200000${i}` },
      });
      const startsAt = parisDecember(local);
      const a = await prisma.appointment.create({
        data: {
          clinicId: world.clinicId,
          doctorId: byName(doctor).id,
          patientId: patient.id,
          typeId: gp.id,
          startsAt,
          endsAt: new Date(+startsAt + 20 * 60_000),
          status,
          sourceChannel: i % 2 ? "whatsapp" : "telegram",
        },
      });
      if (firstName === "Claire") ids.claire = a.id;
      if (firstName === "Jeanne")
        await prisma.reminder.create({
          data: {
            appointmentId: a.id,
            offsetMinutes: 2880,
            kind: "confirm",
            dueAt: parisDecember("2026-12-05T16:00"),
            sendAt: parisDecember("2026-12-05T16:00"),
            status: "sent",
            channel: "whatsapp",
            sentAt: parisDecember("2026-12-05T16:00"),
          },
        });
    }
    await prisma.scheduleException.create({
      data: {
        clinicId: world.clinicId,
        doctorId: ids.martin,
        kind: "leave",
        startsAt: parisDecember("2026-12-11T00:00"),
        endsAt: parisDecember("2026-12-12T00:00"),
        reason: "Congrès",
      },
    });
    const louis = await prisma.patient.findFirstOrThrow({ where: { clinicId: world.clinicId, lastName: "Moreau" } });
    const conversation = await prisma.conversation.create({
      data: {
        clinicId: world.clinicId,
        channel: "whatsapp",
        senderId: "+33612000003",
        patientId: louis.id,
        snapshot: {},
        handedToHuman: true,
      },
    });
    ids.conversation = conversation.id;
    await prisma.conversationMessage.createMany({
      data: [
        {
          conversationId: conversation.id,
          direction: "in",
          author: "patient",
          text: "Bonjour, j'ai une question sur mon ordonnance.",
        },
        {
          conversationId: conversation.id,
          direction: "out",
          author: "bot",
          text: "Je ne peux pas répondre à cette question. Voulez-vous parler au secrétariat ?",
        },
        {
          conversationId: conversation.id,
          direction: "in",
          author: "patient",
          text: "Oui, merci.",
          createdAt: parisDecember("2026-12-07T08:42"),
        },
        {
          conversationId: conversation.id,
          direction: "out",
          author: "bot",
          text: "Je préviens le secrétariat, quelqu'un va vous répondre ici.",
        },
      ],
    });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Date and time fields follow the browser's own language, not the page's.
      env: { ...process.env, LANGUAGE: "fr", LANG: "fr_FR.UTF-8" },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--lang=fr-FR",
      ],
    });
    await mkdir(SHOTS, { recursive: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && !/409 \(Conflict\)/.test(m.text())) problems.push(m.text());
    });
    page.on("response", (r) => {
      // The refused drop is expected to answer 409.
      if (r.status() >= 400 && !(r.status() === 409 && r.url().endsWith("/move")))
        problems.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${base}/login`);
    await page.getByLabel("Adresse e-mail").fill(world.credentials.secretary.email);
    await page.getByLabel("Mot de passe").fill(world.credentials.secretary.password);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("heading", { name: /Rendez-vous du jour/ }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Drags an event by whole 15-minute slots within its day column, as a hand would. */
  async function dragBySlots(title: string, slots: number): Promise<void> {
    const event = page.locator(".fc-timegrid-event", { hasText: title });
    // After a move the calendar fetches and draws its events again: wait for this one to be back on screen.
    let box = await event.boundingBox();
    for (let tries = 0; !box && tries < 50; tries++) {
      await event.waitFor({ state: "visible" });
      box = await event.boundingBox();
    }
    if (!box) throw new Error(`the appointment of ${title} is not on screen`);
    const lanes = page.locator("td.fc-timegrid-slot-lane");
    const first = (await lanes.nth(0).boundingBox())!;
    const second = (await lanes.nth(1).boundingBox())!;
    const step = second.y - first.y;
    const x = box.x + box.width / 2;
    const y = box.y + 6;
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(x, y + (step * slots * i) / 10);
    await page.mouse.up();
  }

  it("the week view draws the clinic's appointments, and a drag moves one under the booking rules", async () => {
    await page.goto(`${base}/schedule`);
    await page.getByRole("heading", { name: "Planning de la clinique" }).waitFor();
    await page.locator(".fc-timegrid-event", { hasText: "Claire Dupont" }).waitFor();
    expect(await page.locator(".fc-timegrid-event").count()).toBe(9);
    // Events are links: the keyboard reaches each appointment's page and its move form.
    expect(await page.locator("a.fc-timegrid-event", { hasText: "Claire Dupont" }).getAttribute("href")).toBe(
      `/appointments/${ids.claire}`,
    );
    await page.screenshot({ path: `${SHOTS}/console-schedule-week.png`, fullPage: true });

    await dragBySlots("Claire Dupont", 2);
    await page.getByText(/Rendez-vous déplacé au/).waitFor();
    const moved = await world.ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id: ids.claire } });
    expect(moved.startsAt).toEqual(parisDecember("2026-12-08T10:30"));

    // 11:00 would overlap Hugo Bernard's appointment: the server refuses, the message says why, the event goes back.
    await dragBySlots("Claire Dupont", 2);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toBe("Ce créneau est déjà pris.");
    const after = await world.ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id: ids.claire } });
    expect(after.startsAt).toEqual(parisDecember("2026-12-08T10:30"));
    await page.waitForFunction(
      `[...document.querySelectorAll(".fc-timegrid-event")].some(
         (e) => e.textContent.includes("Claire Dupont") && e.textContent.includes("10:30"))`,
      null,
      { timeout: 5000 },
    );
  });

  it("the month view and one doctor's calendar with leave", async () => {
    await page.goto(`${base}/schedule?view=month&date=2026-12-07`);
    await page.locator(".fc-daygrid-event", { hasText: "Claire Dupont" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/console-schedule-month.png`, fullPage: true });
    await page.goto(`${base}/schedule?doctor=${ids.martin}&date=2026-12-07`);
    await page.locator(".fc-bg-event.ev-off").first().waitFor();
    expect(await page.locator(".fc-timegrid-event").count()).toBe(5);
  });

  it("working hours, the inbox and the unconfirmed list", async () => {
    await page.goto(`${base}/schedule/doctors/${ids.martin}/hours`);
    await page.getByRole("heading", { name: /Horaires et congés — Dr Claire Martin/ }).waitFor();
    await page.screenshot({ path: `${SHOTS}/console-working-hours.png`, fullPage: true });

    await page.goto(`${base}/inbox`);
    await page.getByRole("link", { name: "Louis Moreau" }).click();
    await page.getByRole("heading", { name: /Conversation avec Louis Moreau/ }).waitFor();
    await page.getByLabel("Votre réponse").fill("Bonjour M. Moreau, le Dr Martin vous rappelle cet après-midi.");
    await page.screenshot({ path: `${SHOTS}/console-inbox.png`, fullPage: true });

    await page.goto(`${base}/unconfirmed`);
    await page.getByRole("heading", { name: "Rendez-vous non confirmés" }).waitFor();
    expect(await page.locator("#unconfirmed tbody tr").count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/console-unconfirmed.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});
