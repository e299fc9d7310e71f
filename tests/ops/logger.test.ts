import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/logger.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, stream };
}

describe("the logger", () => {
  it("never writes passwords, tokens, secrets, cookies or authorization headers", () => {
    const { lines, stream } = capture();
    const logger = createLogger({ LOG_LEVEL: "info", NODE_ENV: "production" }, stream);
    logger.info(
      {
        password: "hunter2hunter2",
        token: "eyJhbGciOi.secret.token",
        user: { email: "admin@tabib.local", password: "nested-password", secret: "s3cr3t" },
        req: {
          method: "POST",
          url: "/api/auth/login",
          headers: { authorization: "Bearer abc.def.ghi", cookie: "sid=xyz" },
        },
      },
      "sign-in attempt",
    );
    const text = JSON.stringify(lines);
    for (const secret of ["hunter2hunter2", "eyJhbGciOi", "nested-password", "s3cr3t", "abc.def.ghi", "sid=xyz"]) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({
      msg: "sign-in attempt",
      user: { email: "admin@tabib.local" },
      req: { method: "POST" },
    });
  });

  it("respects LOG_LEVEL", () => {
    const { lines, stream } = capture();
    const logger = createLogger({ LOG_LEVEL: "warn", NODE_ENV: "production" }, stream);
    logger.info("routine");
    logger.warn("worth a look");
    expect(lines.map((l) => l.msg)).toEqual(["worth a look"]);
  });

  it("logs a database error without the patient data Postgres puts in its detail", async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ LOG_LEVEL: "info", NODE_ENV: "production" }, stream);
    const pgError = Object.assign(
      new Error('duplicate key value violates unique constraint "patient_clinic_id_phone_key"'),
      {
        code: "23505",
        detail: "Key (clinic_id, phone)=(7c9e…, +33612345678) already exists.",
      },
    );
    logger.error({ err: pgError }, "unhandled error");
    logger.error({ err: Object.assign(new Error("driver adapter error"), { cause: pgError }) }, "unhandled error");
    const text = JSON.stringify(lines);
    expect(text).not.toContain("+33612345678");
    expect(text).toContain("23505");
  });
});
