import type { AuditResult } from "@/db/schema/enums";
import { RESULT_LABELS } from "@/lib/audit-log/labels";
import "./result-badge.css";

/** A result as a tinted badge with its own icon and word, so it reads without colour vision. */
export function ResultBadge({ result }: { result: AuditResult }) {
  return (
    <span className="result-badge" data-result={result}>
      {RESULT_LABELS[result]}
    </span>
  );
}
