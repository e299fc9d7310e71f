// The providers' fakes on a thread of their own, so the channel benchmark's CPU is Tabib's, not the fakes'.
import { parentPort, workerData } from "node:worker_threads";
import { startFakeGraph } from "../tests/support/fake-graph.js";
import { startFakeTelegram } from "../tests/support/fake-telegram.js";
import { startFakeTwilio } from "../tests/support/fake-twilio.js";

const { telegramToken, graphToken, twilioAccount, twilioToken } = workerData as Record<string, string>;
const telegram = await startFakeTelegram(telegramToken!);
const graph = await startFakeGraph(graphToken!);
const twilio = await startFakeTwilio(twilioAccount!, twilioToken!);

parentPort!.on("message", async (m: { ask: "sends" | "close"; id: number }) => {
  if (m.ask === "close") {
    await Promise.all([telegram.close(), graph.close(), twilio.close()]);
    parentPort!.postMessage({ id: m.id });
    parentPort!.close();
    return;
  }
  const sends = { telegram: telegram.sent().length, graph: graph.sent().length, twilio: twilio.sent().length };
  parentPort!.postMessage({ id: m.id, sends });
});
parentPort!.postMessage({ ready: { telegram: telegram.apiRoot, graph: graph.apiBase, twilio: twilio.apiBase } });
