"use client";

import { Check, Link2 } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";

// Clipboard API first; the textarea fallback covers plain-HTTP origins where it is missing.
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

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
