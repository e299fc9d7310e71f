// The people who reach Tabib from outside, as HTTP clients: a patient in the web chat, a member of
// staff in the console (a browser without JavaScript) or through the API.
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { totpCode } from "../../../src/console/totp.js";
import { Visitor, signIn } from "../../console/support.js";

export interface ChatReply {
  text: string;
  choices?: { id: string; label: string }[];
}

/** A patient in the web chat at /chat: a cookie session, free text and button taps. */
export class ChatPatient {
  private cookie = "";
  /** The replies to the last message. */
  replies: ChatReply[] = [];

  constructor(
    private readonly base: string,
    private readonly language: "fr" | "en",
  ) {}

  /** Opens the page, as a browser would before the first message (it sets the session cookie). */
  async open(): Promise<string> {
    const res = await fetch(`${this.base}/chat`, { headers: { "accept-language": this.language } });
    this.keepCookie(res);
    expect(res.status).toBe(200);
    return res.text();
  }

  say(text: string): Promise<ChatReply[]> {
    return this.send({ text });
  }

  /** Taps the button of the last replies whose label matches. */
  tap(label: RegExp): Promise<ChatReply[]> {
    const choice = this.replies.flatMap((r) => r.choices ?? []).find((c) => label.test(c.label));
    if (!choice) throw new Error(`no button ${label} in:\n${this.transcript()}`);
    return this.send({ payload: choice.id });
  }

  /** The first offered time's button label (slots are the buttons that name a doctor). */
  offeredTimes(): string[] {
    return this.replies
      .flatMap((r) => r.choices ?? [])
      .filter((c) => /Dr /.test(c.label))
      .map((c) => c.label);
  }

  transcript(): string {
    return this.replies.map((r) => [r.text, ...(r.choices ?? []).map((c) => `  [${c.label}]`)].join("\n")).join("\n");
  }

  private async send(body: { text?: string; payload?: string }): Promise<ChatReply[]> {
    const res = await fetch(`${this.base}/chat/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "accept-language": this.language,
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: JSON.stringify({ ...body, clientMessageId: randomBytes(8).toString("hex") }),
    });
    this.keepCookie(res);
    const answer = (await res.json()) as { replies?: ChatReply[] };
    expect(res.status, JSON.stringify(answer)).toBe(200);
    this.replies = answer.replies ?? [];
    return this.replies;
  }

  private keepCookie(res: Response): void {
    const set = res.headers.getSetCookie().find((c) => c.startsWith("tabib_chat="));
    if (set) this.cookie = set.split(";")[0]!;
  }
}

/** Staff signing in to the console through its real forms (CSRF, cookies), with two-factor when asked. */
export async function consoleSignIn(base: string, login: { email: string; password: string }): Promise<Visitor> {
  const visitor = new Visitor(base, "fr");
  const answer = await signIn(visitor, login.email, login.password);
  expect(answer.status, answer.html.slice(0, 500)).toBe(303);
  return visitor;
}

/** The current TOTP code of a base32 secret, as an authenticator app shows it. */
export const totpNow = (secret: string): string => totpCode(secret, Math.floor(Date.now() / 30_000));

/** A staff member's API session: JSON over bearer tokens. */
export class ApiClient {
  constructor(
    readonly base: string,
    private token = "",
  ) {}

  static async signIn(base: string, login: { email: string; password: string; code?: string }): Promise<ApiClient> {
    const { email, password, code } = login;
    const res = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password, ...(code ? { code } : {}) }),
    });
    const body = (await res.json()) as { token?: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return new ApiClient(base, body.token!);
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        accept: "application/json, application/fhir+json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** Like call, and expects a 2xx answer. */
  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }
}
