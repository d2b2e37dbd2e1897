"use client";

import { Check, Copy } from "lucide-react";
import { useMemo, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { ingestionJson } from "@/lib/audit-log/ingestion-json";
import type { AuditEntryDetails } from "@/lib/audit-log/types";
import { copyText } from "./copy-text";
import { JsonText } from "./json-text";

// Lines shown while folded: the scalar fields of a typical entry, the rest on request.
const FOLDED_LINES = 14;

/**
 * The entry as the ingestion API would accept it, with a copy button: to replay it elsewhere,
 * attach it to a ticket or compare it with what a service sent. Folded when long. Text only.
 */
export function RawEntry({ details }: { details: AuditEntryDetails }) {
  const { text, omitted } = useMemo(() => ingestionJson(details), [details]);
  const [unfolded, setUnfolded] = useState(false);
  const [copied, setCopied] = useState(false);
  const lines = text.split("\n");
  const long = lines.length > FOLDED_LINES + 2;
  const shown = long && !unfolded ? `${lines.slice(0, FOLDED_LINES).join("\n")}\n  …` : text;

  async function copy() {
    if (await copyText(text)) {
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
      toast.success("JSON copied");
    } else {
      toast.error("The JSON could not be copied");
    }
  }

  return (
    <div className="grid gap-2" data-raw-entry="">
      <p className="text-xs text-muted-foreground">
        As the ingestion API accepts it (<code className="font-mono">POST /api/v1/audit-events</code>), without the
        console&apos;s id and times of receipt.
      </p>
      {omitted.length > 0 ? (
        <p className="text-xs text-muted-foreground">
          Left out, too large to show whole: {omitted.join(", ")}. The read API and the export hold them.
        </p>
      ) : null}
      <JsonText label="Raw entry (JSON)" text={shown} wrap="anywhere" />
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="outline" size="sm" onClick={copy}>
          {copied ? <Check aria-hidden /> : <Copy aria-hidden />}
          Copy JSON
        </Button>
        {long ? (
          <Button
            type="button"
            variant="ghost"
            size="sm"
            aria-expanded={unfolded}
            onClick={() => setUnfolded((v) => !v)}
          >
            {unfolded ? "Fold" : `Show all ${lines.length} lines`}
          </Button>
        ) : null}
      </div>
    </div>
  );
}
