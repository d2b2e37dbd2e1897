import "server-only";

import { eq } from "drizzle-orm";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { recordSignIn, recordSignInFailure, recordSignOut } from "@/lib/audit/auth-events";
import { env } from "@/lib/env";
import { logAuthError } from "./auth-logger";
import { dummyPasswordHash, verifyPassword } from "./password";
import { clientIp, userAgent } from "./request-context";
import { getAuthSecret } from "./secret";
import { clearAccountFailures, lockedUntil, recordFailure } from "./throttle";
import { safeCallbackPath } from "./safe-callback";

export class ThrottledSignIn extends CredentialsSignin {
  code = "throttled";
}

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(320),
  password: z.string().min(1).max(1000),
});

async function findUserByEmail(email: string) {
  const [user] = await getDb()
    .select({ id: users.id, name: users.name, email: users.email, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, email.toLowerCase()))
    .limit(1);
  return user ?? null;
}

async function authorizeCredentials(raw: unknown, request: Request) {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const context = { ip: clientIp(request.headers), userAgent: userAgent(request.headers) };
  const db = getDb();
  const user = await findUserByEmail(email);
  const publicUser = user ? { id: user.id, name: user.name, email: user.email } : null;
  if (await lockedUntil(db, { account: email, ip: context.ip })) {
    await recordSignInFailure(email, publicUser, "throttled", context);
    throw new ThrottledSignIn();
  }
  // The unknown account is checked against a dummy hash so both failures take the same time.
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !user.passwordHash || !valid) {
    await recordFailure(db, { account: email, ip: context.ip });
    await recordSignInFailure(email, publicUser, "invalid_credentials", context);
    return null;
  }
  await clearAccountFailures(db, email);
  await recordSignIn(publicUser!, context);
  return publicUser;
}

function oidcProvider(): NextAuthConfig["providers"] {
  const { AUTH_OIDC_ISSUER: issuer, AUTH_OIDC_ID: clientId, AUTH_OIDC_SECRET: clientSecret } = env;
  if (!issuer || !clientId || !clientSecret) return [];
  return [
    {
      id: "oidc",
      name: env.AUTH_OIDC_NAME ?? "Single sign-on",
      type: "oidc",
      issuer,
      clientId,
      clientSecret,
    },
  ];
}

export const oidcEnabled = oidcProvider().length > 0;

export const { handlers, auth, signIn, signOut } = NextAuth({
  secret: getAuthSecret(),
  // The host Auth.js reads (X-Forwarded-Host) is the one server.ts decided from the connection or
  // the trusted proxies, never a client's claim (lib/http/forwarded-headers.ts).
  trustHost: true,
  // Secure cookies when the public URL is https; without APP_URL, Auth.js decides per request from
  // the protocol, which server.ts also decided.
  useSecureCookies: env.APP_URL?.startsWith("https:") ? true : undefined,
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  pages: { signIn: "/login", error: "/login" },
  logger: { error: logAuthError },
  providers: [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: authorizeCredentials,
    }),
    ...oidcProvider(),
  ],
  callbacks: {
    // OIDC sign-in is for people who already have an account here; nobody is created on the fly.
    async signIn({ account, profile }) {
      if (account?.provider !== "oidc") return true;
      const email = typeof profile?.email === "string" ? profile.email : null;
      return email !== null && profile?.email_verified !== false && (await findUserByEmail(email)) !== null;
    },
    async jwt({ token, user, account, profile }) {
      if (account?.provider === "oidc" && typeof profile?.email === "string") {
        const local = await findUserByEmail(profile.email);
        if (local) token.sub = local.id;
      } else if (user?.id) {
        token.sub = user.id;
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
    redirect({ url, baseUrl }) {
      return new URL(safeCallbackPath(url, baseUrl), baseUrl).toString();
    },
  },
  events: {
    async signOut(message) {
      const userId = "token" in message ? message.token?.sub : undefined;
      if (!userId) return;
      const [user] = await getDb()
        .select({ id: users.id, name: users.name, email: users.email })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1);
      if (!user) return;
      const h = await headers();
      await recordSignOut(user, { ip: clientIp(h), userAgent: userAgent(h) });
    },
  },
});
