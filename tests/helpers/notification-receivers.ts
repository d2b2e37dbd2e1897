import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/*
 * Real receivers for the notification tests, on 127.0.0.1 and ports the system picks: an SMTP
 * server (the smtp-server package) that keeps every message it is given, and an HTTP server that
 * keeps every request and answers as the test says. Shared by the integration tests and the
 * Playwright specs of notifications and streams, with the signature check a receiver runs.
 */

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface MailReceiver {
  url: string;
  messages: ReceivedMail[];
  close: () => Promise<void>;
}

export async function startSmtpReceiver(): Promise<MailReceiver> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        messages.push({
          from,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The text of a quoted-printable MIME part, as a reader sees it. */
export function decodeQuotedPrintable(text: string): string {
  return Buffer.from(
    text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    "latin1",
  ).toString("utf8");
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer = (request: ReceivedRequest, response: ServerResponse, index: number) => void;

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** What the next requests get; 200 by default. */
  answer: Answer;
  close: () => Promise<void>;
}

export const ok: Answer = (_req, res) => {
  res.writeHead(200).end("ok");
};

export const noContent: Answer = (_req, res) => {
  res.writeHead(204).end();
};

export interface HttpReceiverOptions {
  /** 0 (the default): a port the system picks. */
  port?: number;
  /** The URL's path; `/hooks/audit` by default. */
  path?: string;
  answer?: Answer;
}

export async function startHttpReceiver(options: HttpReceiverOptions = {}): Promise<HttpReceiver> {
  const receiver: HttpReceiver = { url: "", requests: [], answer: options.answer ?? ok, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      receiver.requests.push(request);
      receiver.answer(request, res, receiver.requests.length - 1);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}${options.path ?? "/hooks/audit"}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** A path no other run shares, for receivers whose URL the page shows. */
export const uniquePath = (prefix: string) => `/${prefix}/${randomUUID()}`;

/**
 * The README's check of X-Audit-Signature, as a receiver runs it: the header is `sha256=` and the
 * body's HMAC-SHA256 under the secret, compared in constant time.
 */
export function verifySignature(body: string, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== "string") return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const signatureOf = (request: ReceivedRequest) => request.headers["x-audit-signature"];
/** Only during a secret rotation's grace period: the signature under the replaced secret. */
export const previousSignatureOf = (request: ReceivedRequest) => request.headers["x-audit-signature-previous"];
