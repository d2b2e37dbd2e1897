/*
 * The pages' Content-Security-Policy. Scripts run only with the per-request nonce that Next.js
 * puts on its own scripts (it reads the nonce from this header on the request, see proxy.ts);
 * 'strict-dynamic' lets those load the route's chunks. Styles allow inline: the toast library
 * inserts a <style> element without a nonce and Radix positions popovers with style attributes,
 * which no nonce can cover; a style cannot run script. Nothing may frame a page.
 */
export interface PolicyOptions {
  nonce: string;
  https: boolean;
  development: boolean;
  /** Origins a form may be sent to besides this site: the single sign-on provider. */
  formTargets: readonly string[];
}

export function contentSecurityPolicy(options: PolicyOptions): string {
  const directives = [
    "default-src 'self'",
    // React in development rebuilds server error stacks with eval.
    `script-src 'self' 'nonce-${options.nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self'${options.formTargets.map((origin) => ` ${origin}`).join("")}`,
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** A fresh nonce: 128 random bits, base64. */
export function createNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
