import "server-only";

import { readSearchInsights, type SearchInsights } from "@/lib/audit-log/insights";
import type { AuditSelection } from "@/lib/audit-log/selection";
import { readSignInPatterns, type SignInPatterns } from "@/lib/audit-log/sign-in-patterns";

export interface InsightsData {
  insights: SearchInsights;
  patterns: SignInPatterns;
}

/** The histogram and facets of the search, and the failed sign-ins of its period, in parallel. */
export async function loadInsights(selection: AuditSelection, now = new Date()): Promise<InsightsData> {
  const [insights, patterns] = await Promise.all([
    readSearchInsights(selection, { now }),
    readSignInPatterns(selection.orgId, selection.params),
  ]);
  return { insights, patterns };
}
