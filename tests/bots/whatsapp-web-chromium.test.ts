import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type WAWebJS from "whatsapp-web.js";
import { afterAll, describe, expect, it } from "vitest";
import { chromiumClient } from "../../src/bots/whatsapp-web/start.js";

// Debian's Chromium (apt-get install chromium); puppeteer's own browser is never downloaded.
const CHROMIUM = "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) console.warn(`whatsapp-web-chromium.test.ts skipped: no ${CHROMIUM}`);

describe.skipIf(!existsSync(CHROMIUM))("WhatsApp Web on the system's headless Chromium", () => {
  let sessionDir: string;
  afterAll(() => (sessionDir ? rm(sessionDir, { recursive: true, force: true }) : undefined));

  it("launches the browser through whatsapp-web.js's puppeteer, reaches the navigation to WhatsApp Web, and closes cleanly", async () => {
    sessionDir = await mkdtemp(path.join(os.tmpdir(), "tabib-wweb-"));
    const client = await chromiumClient({ sessionDir, chromiumPath: CHROMIUM });
    // Nothing outside is reachable here: the browser starts, then the page cannot resolve web.whatsapp.com.
    await expect(client.initialize()).rejects.toThrow(/net::ERR_NAME_NOT_RESOLVED at https:\/\/web\.whatsapp\.com/);

    const browser = (client as unknown as WAWebJS.Client).pupBrowser!;
    expect(await browser.version()).toMatch(/^(Headless)?Chrome\/\d+\./);
    const args = browser.process()!.spawnargs;
    expect(args[0]).toBe(CHROMIUM);
    expect(args).toEqual(expect.arrayContaining(["--no-sandbox", "--disable-gpu", "--disable-background-networking"]));
    // The linked-device profile lives under the session directory, so a restart keeps the login.
    expect(await readdir(sessionDir)).toContain("session-tabib");
    expect(args.some((a) => a === `--user-data-dir=${path.join(sessionDir, "session-tabib")}`)).toBe(true);

    const exited = new Promise<number | null>((resolve) => browser.process()!.once("exit", (code) => resolve(code)));
    await client.destroy();
    expect(browser.connected).toBe(false);
    expect(await exited).not.toBeUndefined();
    expect(browser.process()!.exitCode !== null || browser.process()!.signalCode !== null).toBe(true);
  }, 60_000);
});
