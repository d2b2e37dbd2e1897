/** What the details view shows about an entry's seal (plain data, sent to the client). */
export type SealView =
  | { state: "verified"; block: number; sealedAt: string }
  | { state: "pending" }
  | { state: "failed"; block: number | null; problems: string[] }
  | { state: "unavailable"; reason: string };
