import http from "node:http";
import zlib from "node:zlib";

/*
 * A signed-in HTTP client for the console under test, on node:http so that the moments that
 * matter are observable: TTFB is the first byte of the body (headers included before it), full
 * is the end of the body. Each client has its own keep-alive agent and cookie jar, as a browser
 * tab would.
 */

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body (decompressed), unless it was discarded. */
  body: Buffer | null;
  /** Decompressed size. */
  bytes: number;
  /** Size on the wire. */
  wireBytes: number;
  ttfbMs: number;
  totalMs: number;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Count the body's bytes but keep none of it (downloads). */
  discard?: boolean;
  /** Called with each chunk as it arrives (downloads that count rows). */
  onChunk?: (chunk: Buffer) => void;
  timeoutMs?: number;
}

export class HttpClient {
  readonly base: URL;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly cookies = new Map<string, string>();

  constructor(baseUrl: string) {
    this.base = new URL(baseUrl);
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }

  private storeCookies(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some(
        (a) =>
          /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1] ?? "") < Date.now()),
      );
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /**
   * One request. A keep-alive connection the server closes just as a request goes out resets it;
   * browsers retry that request on a new connection, and so does this client (once).
   */
  async request(path: string, opts: RequestOptions = {}): Promise<HttpResult> {
    try {
      return await this.attempt(path, opts);
    } catch (err) {
      if (
        (err as { reusedSocket?: boolean }).reusedSocket &&
        /ECONNRESET|EPIPE/.test(String((err as { code?: string }).code))
      ) {
        return this.attempt(path, opts);
      }
      throw err;
    }
  }

  private attempt(path: string, opts: RequestOptions): Promise<HttpResult> {
    const url = new URL(path, this.base);
    // As a browser does: the server's compression is part of what a person waits for.
    const headers: Record<string, string> = { "accept-encoding": "gzip, deflate, br", ...opts.headers };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    if (opts.body !== undefined) headers["content-length"] = String(Buffer.byteLength(opts.body));
    return new Promise((resolve, reject) => {
      const started = performance.now();
      let ttfbMs = Number.NaN;
      const req = http.request(url, { method: opts.method ?? "GET", headers, agent: this.agent }, (res) => {
        this.storeCookies(res.headers["set-cookie"]);
        const chunks: Buffer[] = [];
        let bytes = 0;
        let wireBytes = 0;
        res.on("data", (chunk: Buffer) => {
          if (Number.isNaN(ttfbMs)) ttfbMs = performance.now() - started;
          wireBytes += chunk.length;
        });
        const encoding = String(res.headers["content-encoding"] ?? "");
        const decoded =
          encoding === "gzip"
            ? res.pipe(zlib.createGunzip())
            : encoding === "br"
              ? res.pipe(zlib.createBrotliDecompress())
              : encoding === "deflate"
                ? res.pipe(zlib.createInflate())
                : res;
        decoded.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          opts.onChunk?.(chunk);
          if (!opts.discard) chunks.push(chunk);
        });
        decoded.on("end", () => {
          const totalMs = performance.now() - started;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: opts.discard ? null : Buffer.concat(chunks),
            bytes,
            wireBytes,
            ttfbMs: Number.isNaN(ttfbMs) ? totalMs : ttfbMs,
            totalMs,
          });
        });
        res.on("error", reject);
        decoded.on("error", reject);
      });
      req.setTimeout(opts.timeoutMs ?? 120_000, () =>
        req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 120_000} ms: ${url.pathname}`)),
      );
      req.on("error", (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  /**
   * The Auth.js credentials flow, as the login form does it: a CSRF token (and its cookie), then
   * the form post, which answers with a redirect and the session cookie.
   */
  async signIn(email: string, password: string): Promise<void> {
    const csrf = await this.request("/api/auth/csrf");
    if (csrf.status !== 200) throw new Error(`GET /api/auth/csrf answered ${csrf.status}`);
    const { csrfToken } = JSON.parse(csrf.body!.toString("utf8")) as { csrfToken?: string };
    if (!csrfToken) throw new Error("GET /api/auth/csrf returned no csrfToken");
    const form = new URLSearchParams({ csrfToken, email, password, callbackUrl: "/" }).toString();
    const res = await this.request("/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: this.base.origin },
      body: form,
    });
    const location = String(res.headers.location ?? "");
    if (res.status >= 400 || /error=/.test(location) || !this.hasSessionCookie()) {
      throw new Error(`sign-in as ${email} failed: ${res.status} ${location}`);
    }
  }

  hasSessionCookie(): boolean {
    return [...this.cookies.keys()].some((k) => /authjs\.session-token/.test(k));
  }

  close(): void {
    this.agent.destroy();
  }
}
