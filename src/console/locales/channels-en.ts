import type { channelsFr } from "./channels-fr.js";

/** Console wording in English for the delivery and WhatsApp Web pages (spread into en.ts). */
export const channelsEn: Record<keyof typeof channelsFr, string> = {
  navDeliveries: "Deliveries",

  deliveriesTitle: "Undelivered messages",
  deliveriesIntro:
    "These messages to patients could not be sent and will not be retried automatically. Check the reason, then send them again; message text is not shown.",
  deadLettersNone: "No failed messages.",
  dlChannel: "Channel",
  dlRecipient: "Recipient",
  dlReason: "Reason",
  dlAttempts: "Attempts",
  dlFailedAt: "Last failure",
  dlRetry: "Send again",
  dlRetryFor: "Send the {channel} message to {recipient} again",
  dlRetried: "The message is back in line to be sent.",
  dlGone: "This message is no longer failed: already sent again, or forgotten by a restart without Redis.",
  deliveryCountsTitle: "Messages of the last 24 hours",
  deliveryCountsNone: "No messages in the last 24 hours.",
  dsQueued: "Queued",
  dsSent: "Sent",
  dsDelivered: "Delivered",
  dsRead: "Read",
  dsFailed: "Failed (will retry)",
  dsDead: "Given up",
  chTelegram: "Telegram",
  chWhatsapp: "WhatsApp",
  chSms: "SMS",
  chWeb: "Web",

  waTitle: "WhatsApp Web",
  waRisk:
    "Warning: WhatsApp may ban a number driven by an automated browser, as here. The WhatsApp Cloud API (Meta) is the safe choice for lasting use.",
  waDisabled: "WhatsApp Web is not enabled on this server (WHATSAPP_WEB_ENABLED=true).",
  waStarting: "Starting the browser…",
  waQr: "Scan this code with the clinic's phone: WhatsApp › Linked devices › Link a device. The code changes about every 20 seconds; this page updates itself.",
  waQrAlt: "QR code to link WhatsApp Web",
  waAuthenticated: "Code accepted, syncing conversations…",
  waReady: "Connected: patients can write to the clinic's number. The session is kept across restarts.",
  waDisconnected: "Disconnected ({reason}). Retrying automatically.",
  waFailed: "The browser could not open WhatsApp Web ({reason}). Retrying automatically.",
  waSince: "Since {time}",
};
