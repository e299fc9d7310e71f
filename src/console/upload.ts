import busboy from "busboy";
import type { NextFunction, Request, Response } from "express";
import { sessionOf } from "./http.js";

/** One file from a multipart form, held in memory (the caller's size cap keeps that small). */
export interface UploadedFile {
  fileName: string;
  bytes: Buffer;
}

/**
 * Parses a multipart form with at most one file into req.body (text fields, the CSRF token
 * among them) and res.locals.upload, so the console's guard runs after it as for any form.
 * Only a signed-in browser gets its body read; a file over `maxBytes` is cut at maxBytes + 1
 * bytes, which the domain then refuses.
 */
export function singleFileForm(maxBytes: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!sessionOf(res) || !req.is("multipart/form-data")) {
      req.body = {};
      next();
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fields: 20, fieldSize: 4096, fileSize: maxBytes + 1, parts: 22 },
      });
    } catch (err) {
      next(Object.assign(err as Error, { status: 400 }));
      return;
    }
    const fields: Record<string, string> = {};
    let file: UploadedFile | undefined;
    parser.on("field", (name, value) => {
      if (!(name in fields)) fields[name] = value;
    });
    parser.on("file", (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        file = { fileName: info.filename ?? "", bytes: Buffer.concat(chunks) };
      });
    });
    parser.once("error", (err) => next(Object.assign(err as Error, { status: 400 })));
    parser.once("close", () => {
      req.body = fields;
      res.locals.upload = file;
      next();
    });
    req.pipe(parser);
  };
}

export const uploadOf = (res: Response): UploadedFile | undefined => res.locals.upload as UploadedFile | undefined;
