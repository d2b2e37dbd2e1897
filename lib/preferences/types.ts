import type { ExplorerColumnId } from "@/lib/audit-log/columns";

export const DENSITIES = ["comfortable", "compact"] as const;
export type Density = (typeof DENSITIES)[number];

export const isDensity = (value: string | null): value is Density => DENSITIES.some((d) => d === value);

/** What the user chose; defaults where they chose nothing. */
export interface ReaderPreferences {
  /** A saved IANA zone, or null to follow the browser. */
  timeZone: string | null;
  /** The explorer columns shown, in the table's order. */
  columns: ExplorerColumnId[];
  density: Density;
  /** Whether the explorer shows its histogram above the table. */
  chart: boolean;
}

/** How the explorer is laid out for this reader. */
export type ExplorerLayout = Pick<ReaderPreferences, "columns" | "density" | "chart">;

/** The zone the console renders in for this reader, and why. */
export interface ReaderTimeZone {
  zone: string;
  /** setting: chosen in the user menu; browser: reported by the browser; default: neither (UTC). */
  source: "setting" | "browser" | "default";
}
