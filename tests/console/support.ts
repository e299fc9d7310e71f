import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";
import { createApp } from "../../src/app.js";
import { consoleRouter } from "../../src/console/router.js";
import type { AppContext } from "../../src/context.js";

/** Serves the app with the console mounted at "/", as main.ts does; returns its base URL. */
export async function startConsole(ctx: AppContext): Promise<string> {
  const app = createApp(ctx, { routers: [{ path: "/", router: consoleRouter(ctx) }] });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface Page {
  status: number;
  location: string | null;
  html: string;
  setCookies: string[];
}

/** A browser without JavaScript: a cookie jar, forms posted as urlencoded, redirects not followed. */
export class Visitor {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly base: string,
    private readonly language = "fr",
  ) {}

  async get(path: string): Promise<Page> {
    return this.request("GET", path);
  }

  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> {
    return this.request("POST", path, new URLSearchParams(fields).toString(), {
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    });
  }

  /** GETs `path` and posts its first form, with its hidden fields (CSRF token included) plus `fields`. */
  async submit(path: string, action: string, fields: Record<string, string>): Promise<Page> {
    const page = await this.get(path);
    return this.post(action, { ...hiddenFields(page.html), ...fields });
  }

  /** Follows redirects from a response until a page. */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let i = 0; i < 5 && current.location; i++) current = await this.get(current.location);
    return current;
  }

  private async request(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(new URL(path, this.base), {
      method,
      body,
      redirect: "manual",
      headers: { "accept-language": this.language, ...(cookie ? { cookie } : {}), ...headers },
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get("location"), html: await res.text(), setCookies };
  }
}

export function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    out[m[1]!] ??= unescape(m[2]!);
  return out;
}

export const csrfOf = (html: string): string => /<meta name="csrf-token" content="([^"]+)">/.exec(html)?.[1] ?? "";

const unescape = (s: string): string =>
  s
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

/** Signs in with email and password through the login form; returns the redirect answer. */
export async function signIn(visitor: Visitor, email: string, password: string): Promise<Page> {
  return visitor.submit("/login", "/login", { email, password });
}
