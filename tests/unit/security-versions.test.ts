import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/*
 * A floor under `next` and `react`: the suite fails when an installed version is below the fix of
 * a published advisory. Extend ADVISORIES when a new one names a fixed version.
 *
 * How a fix list is read: each entry is the first fixed version of one release line (major.minor).
 * An installed version on a listed line must be at least that entry; a version on a line newer than
 * every listed line was branched after the fix and counts as patched; a version on an older,
 * unlisted line got no fix and fails. `introduced` skips advisories that never affected older lines.
 *
 * Sources: the Next.js and React security advisories and release notes (Dec 2025 to Aug 2026) as
 * summarized in the advisory database and downstream upgrade PRs; checked on 16.4.6 / 19.3.1.
 */

interface Advisory {
  id: string;
  what: string;
  fixed: string[];
  introduced?: string;
}

const NEXT_ADVISORIES: Advisory[] = [
  {
    id: "CVE-2025-29927",
    what: "middleware bypass via x-middleware-subrequest",
    fixed: ["12.3.5", "13.5.9", "14.2.25", "15.2.3"],
  },
  {
    id: "CVE-2025-66478",
    what: "RCE in the React Server Components protocol (React2Shell)",
    introduced: "15.0.0",
    fixed: ["15.0.5", "15.1.9", "15.2.6", "15.3.6", "15.4.8", "15.5.7", "16.0.7"],
  },
  {
    id: "CVE-2025-55184 / CVE-2025-67779 / CVE-2025-55183",
    what: "Server Components DoS and Server Action source exposure",
    fixed: ["14.2.35", "15.0.7", "15.1.11", "15.2.8", "15.3.8", "15.4.10", "15.5.9", "16.0.10"],
  },
  {
    id: "CVE-2026-23864",
    what: "Server Components DoS (memory exhaustion)",
    introduced: "15.0.0",
    fixed: ["15.0.8", "15.1.12", "15.2.9", "15.3.9", "15.4.11", "15.5.10", "16.0.11", "16.1.5"],
  },
  {
    id: "CVE-2026-27978 / CVE-2026-27979 / CVE-2026-29057",
    what: "16.x advisories fixed in 16.1.7",
    introduced: "16.0.0",
    fixed: ["16.1.7"],
  },
  { id: "GHSA-q4gf-8mx6-v5v3", what: "DoS with Server Components", introduced: "15.0.0", fixed: ["15.5.15", "16.2.3"] },
  {
    id: "May 2026 release (CVE-2026-23870, CVE-2026-44578, GHSA-267c-6grr-h53f, GHSA-26hh-7cqf-hhc6, ...)",
    what: "RSC DoS, WebSocket SSRF, middleware/proxy bypasses, cache poisoning",
    introduced: "15.0.0",
    fixed: ["15.5.18", "16.2.6"],
  },
  {
    id: "July 2026 release (CVE-2026-64641, CVE-2026-64643, CVE-2026-64645, ...)",
    what: "Server Actions DoS, proxy bypass, rewrite SSRF, RSC cache poisoning",
    introduced: "15.0.0",
    fixed: ["15.5.21", "16.2.11"],
  },
  {
    id: "August 2026 release (GHSA-2xp9-vwfh-vxw4, CVE-2026-75604)",
    what: "RCE in image optimization (AVIF) and on Windows hosts",
    introduced: "15.0.0",
    fixed: ["15.5.24", "16.3.3"],
  },
];

// React's server packages (react-server-dom-*) are released in lockstep with react and react-dom.
const REACT_ADVISORIES: Advisory[] = [
  {
    id: "CVE-2025-55182",
    what: "RCE in Server Functions (React2Shell)",
    introduced: "19.0.0",
    fixed: ["19.0.1", "19.1.2", "19.2.1"],
  },
  {
    id: "CVE-2025-55184 / CVE-2025-67779 / CVE-2025-55183",
    what: "Server Functions DoS and source exposure",
    introduced: "19.0.0",
    fixed: ["19.0.3", "19.1.4", "19.2.3"],
  },
  { id: "CVE-2026-23864", what: "Server Functions DoS", introduced: "19.0.0", fixed: ["19.0.4", "19.1.5", "19.2.4"] },
  {
    id: "CVE-2026-23869",
    what: "Server Functions DoS (incomplete fix)",
    introduced: "19.0.0",
    fixed: ["19.0.5", "19.1.6", "19.2.5"],
  },
  { id: "CVE-2026-23870", what: "Server Functions DoS", introduced: "19.0.0", fixed: ["19.0.6", "19.1.7", "19.2.6"] },
  {
    id: "CVE-2026-44907 (GHSA-wx67-qw84-cm4g)",
    what: "Server Functions CPU/memory DoS",
    introduced: "19.0.0",
    fixed: ["19.2.8"],
  },
];

// Next.js renders the App Router with its own vendored React canary; it must postdate the last fix above.
const VENDORED_REACT_NOT_BEFORE = "20260724";

type Version = { major: number; minor: number; patch: number; prerelease: boolean };

function parseVersion(text: string): Version {
  const match = /^(\d+)\.(\d+)\.(\d+)(-.+)?$/.exec(text.trim());
  if (!match) throw new Error(`not a version: ${text}`);
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease: match[4] !== undefined,
  };
}

/** Negative, zero or positive like a comparator; a prerelease sorts before its release. */
function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch || Number(y.prerelease) - Number(x.prerelease);
}

const line = (v: Version) => v.major * 10_000 + v.minor;

function isPatched(installed: string, advisory: Advisory): boolean {
  if (advisory.introduced && compareVersions(installed, advisory.introduced) < 0) return true;
  const v = parseVersion(installed);
  const sameLine = advisory.fixed.find((f) => line(parseVersion(f)) === line(v));
  if (sameLine) return compareVersions(installed, sameLine) >= 0;
  return advisory.fixed.every((f) => line(parseVersion(f)) < line(v));
}

function installedVersion(pkg: string): string {
  const file = path.join(process.cwd(), "node_modules", pkg, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

// Next.js vendors react, react-dom and react-server-dom-* built from one React commit; react's
// production build states that build's version (canary builds end in their date).
function vendoredReactVersion(): string {
  const file = path.join(
    process.cwd(),
    "node_modules",
    "next",
    "dist",
    "compiled",
    "react",
    "cjs",
    "react.production.js",
  );
  const found = /\bversion = "(19\.\d+\.\d+(?:-[\w.-]+)?)"/.exec(readFileSync(file, "utf8"));
  if (!found?.[1]) throw new Error("no version found in Next.js's vendored React");
  return found[1];
}

function unpatched(installed: string, advisories: Advisory[]): string[] {
  return advisories
    .filter((a) => !isPatched(installed, a))
    .map((a) => `${a.id}: ${a.what} (fixed in ${a.fixed.join(", ")})`);
}

describe("the version floor check itself", () => {
  it("compares versions numerically, prereleases first", () => {
    expect(compareVersions("15.2.10", "15.2.3")).toBeGreaterThan(0);
    expect(compareVersions("16.0.0-canary.1", "16.0.0")).toBeLessThan(0);
    expect(compareVersions("19.2.1", "19.2.1")).toBe(0);
  });

  it("fails versions below a fix and passes the fix, later patches and later lines", () => {
    const [middleware, rce] = NEXT_ADVISORIES as [Advisory, Advisory];
    expect(isPatched("15.2.2", middleware)).toBe(false);
    expect(isPatched("14.2.24", middleware)).toBe(false);
    expect(isPatched("15.2.3", middleware)).toBe(true);
    expect(isPatched("15.3.0", middleware)).toBe(true);
    expect(isPatched("16.0.6", rce)).toBe(false);
    expect(isPatched("16.0.7", rce)).toBe(true);
    expect(isPatched("14.2.30", rce)).toBe(true); // before `introduced`: never affected
    expect(unpatched("19.2.0", REACT_ADVISORIES)).toHaveLength(REACT_ADVISORIES.length);
    expect(unpatched("19.1.1", REACT_ADVISORIES).length).toBeGreaterThan(0);
    // An old line no fix was released for fails.
    expect(isPatched("15.4.20", NEXT_ADVISORIES.at(-1)!)).toBe(false);
  });
});

describe("installed versions carry the published security fixes", () => {
  it("next is at or above every patched version", () => {
    expect(unpatched(installedVersion("next"), NEXT_ADVISORIES)).toEqual([]);
  });

  it("react and react-dom are at or above every patched version, and match", () => {
    const react = installedVersion("react");
    expect(unpatched(react, REACT_ADVISORIES)).toEqual([]);
    expect(installedVersion("react-dom")).toBe(react);
  });

  it("the React that Next.js vendors for Server Components postdates the last React fix", () => {
    const vendored = vendoredReactVersion();
    const date = /-(\d{8})$/.exec(vendored)?.[1];
    if (date) {
      expect(
        date >= VENDORED_REACT_NOT_BEFORE,
        `vendored React ${vendored} is older than ${VENDORED_REACT_NOT_BEFORE}`,
      ).toBe(true);
    } else {
      // A stable vendored release: the same fix list as the react package applies.
      expect(unpatched(vendored, REACT_ADVISORIES)).toEqual([]);
    }
  });
});
