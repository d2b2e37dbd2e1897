import { readFileSync } from "node:fs";

/*
 * CPU time as the kernel counts it: the whole machine's busy time (/proc/stat: every core, every
 * process, the kernel's own work included) and this process's. On a machine that is idle but for
 * the bench, the machine's busy time over a span is what the work in that span cost, wherever it
 * ran: the console, PostgreSQL's backends, a worker process.
 */

// USER_HZ is 100 on Linux: the counters are in hundredths of a second.
const MS_PER_TICK = 10;

/** Busy time of all cores since boot, in ms: everything but idle and iowait. */
export function machineBusyMs(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  const [, ...fields] = line.trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal ...
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) * MS_PER_TICK;
}

/** This process's CPU time (user and system) since it started, in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU spent from now until the returned function is called, in ms: the machine's, and of it this process's. */
export function cpuSpan(): () => { machineMs: number; ownMs: number } {
  const machine = machineBusyMs();
  const own = ownCpuMs();
  return () => ({ machineMs: machineBusyMs() - machine, ownMs: ownCpuMs() - own });
}
