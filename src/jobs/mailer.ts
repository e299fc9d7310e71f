import { createTransport } from "nodemailer";

/** One notice email: plain text, with the appointment as an .ics attachment. */
export interface NoticeMail {
  to: string;
  subject: string;
  text: string;
  /** Deterministic, so a provider or client can recognise a resend of the same notice. */
  messageId: string;
  ics?: { method: "PUBLISH" | "CANCEL"; content: string };
}

/** Why an email failed: "retry" (server busy, unreachable) or "permanent" (address refused). */
export class MailError extends Error {
  constructor(
    message: string,
    readonly kind: "retry" | "permanent",
  ) {
    super(message);
    this.name = "MailError";
  }
}

export interface Mailer {
  /** The sender address, for the calendar entry's organizer. */
  readonly from: { name: string; email: string };
  send(mail: NoticeMail): Promise<void>;
  close(): void;
}

/** Emails through an SMTP server (SMTP_URL, e.g. smtp://user:pass@host:587 or smtps://…:465). */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = createTransport(url);
  return {
    from: parseFrom(from),
    async send(mail) {
      try {
        await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: mail.messageId,
          attachments: mail.ics
            ? [
                {
                  filename: mail.ics.method === "CANCEL" ? "cancellation.ics" : "appointment.ics",
                  content: mail.ics.content,
                  contentType: `text/calendar; charset=utf-8; method=${mail.ics.method}`,
                },
              ]
            : [],
        });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        // 5xx: the server refused this message or address, the same every time.
        throw new MailError(
          `smtp: ${(err as Error).message}`,
          code !== undefined && code >= 500 ? "permanent" : "retry",
        );
      }
    },
    close() {
      transport.close();
    },
  };
}

/** "Clinic <rdv@clinic.fr>" or "rdv@clinic.fr". */
function parseFrom(from: string): { name: string; email: string } {
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(from);
  return m ? { name: m[1]!.replace(/^"|"$/g, "") || m[2]!, email: m[2]! } : { name: from, email: from };
}
