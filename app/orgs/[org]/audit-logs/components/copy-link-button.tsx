"use client";

import { Check, Link2 } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { copyText } from "./copy-text";

export function permalinkFor(orgSlug: string, entryId: string): string {
  return `${window.location.origin}/orgs/${encodeURIComponent(orgSlug)}/audit-logs/${encodeURIComponent(entryId)}`;
}

/** Copies the entry's permalink, which redirects to the explorer with the entry selected. */
export function CopyLinkButton({ orgSlug, entryId }: { orgSlug: string; entryId: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    const link = permalinkFor(orgSlug, entryId);
    if (await copyText(link)) {
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
      toast.success("Link copied", { description: link });
    } else {
      toast.error("The link could not be copied", { description: link });
    }
  }
  return (
    <Button type="button" variant="outline" size="sm" onClick={copy} data-permalink-for={entryId}>
      {copied ? <Check aria-hidden /> : <Link2 aria-hidden />}
      Copy link
    </Button>
  );
}
