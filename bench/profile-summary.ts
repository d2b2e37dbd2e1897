import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/*
 * `--profile`: the console runs under `node --cpu-prof`, and this reads the V8 profile it writes
 * on exit into self time per package (node_modules/<pkg>, the app's bundle, node internals) and
 * per function, for the report. Minified framework code gives package-level answers at best.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  byPackage: { name: string; ms: number; share: number }[];
  byFunction: { name: string; ms: number; share: number }[];
}

function bucket(url: string): string {
  if (!url) return "(native, GC)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const chunk = /\/server\/(chunks\/(?:ssr\/)?[^/]+|app\/.*)$/.exec(url);
  if (chunk) return `app bundle ${chunk[1]!.slice(0, 60)}`;
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  return url.slice(-60);
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame;
    total += micros;
    if (frame.functionName === "(idle)") {
      idle += micros;
      continue;
    }
    const pkg = bucket(frame.url);
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
    const fn = `${frame.functionName || "(anonymous)"} ${pkg}:${frame.lineNumber}:${frame.columnNumber}`;
    functions.set(fn, (functions.get(fn) ?? 0) + micros);
  }
  const busy = total - idle;
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({
        name,
        ms: Math.round(micros / 1000),
        share: Math.round((micros / busy) * 1000) / 10,
      }));
  return {
    file,
    totalMs: Math.round(total / 1000),
    idleMs: Math.round(idle / 1000),
    byPackage: list(packages),
    byFunction: list(functions),
  };
}

export function latestProfile(dir: string): string | null {
  try {
    // Node names a thread's profile CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile, and
    // the export threads write theirs beside the console's: the console's main thread is id 0.
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".cpuprofile") && f.split(".")[4] === "0")
      .sort();
    return files.length ? path.join(dir, files[files.length - 1]!) : null;
  } catch {
    return null;
  }
}
