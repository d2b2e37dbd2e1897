import { KeyRound, ShieldAlert } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { cn } from "@/lib/utils";
import { explorerHref, type ExplorerParams, type ExplorerParamsOverrides } from "@/lib/audit-log/search-params";
import { LinkPending } from "./link-pending";

interface Preset {
  name: string;
  icon: ReactNode;
  description: string;
  filters: ExplorerParamsOverrides;
}

/*
 * Saved views from the KIOPS guide's security monitoring steps. The period and sort stay as they
 * are; the other filters and the search are replaced. Permission changes are the user-category
 * actions the access settings record (role changes, grants, revocations, approved requests).
 */
export const PRESETS: readonly Preset[] = [
  {
    name: "Security events",
    icon: <ShieldAlert className="size-3.5" aria-hidden />,
    description: "Failed authentication: sign-in failures and other auth errors",
    filters: { type: ["auth"], result: ["failed"], user: null, q: "" },
  },
  {
    name: "Permission changes",
    icon: <KeyRound className="size-3.5" aria-hidden />,
    description: "Role changes, permission grants and revocations",
    filters: {
      type: ["user"],
      result: [],
      user: null,
      q: "action:change_role action:grant_permission action:revoke_permission action:approve_access_request",
    },
  },
];

function isActive(params: ExplorerParams, preset: Preset): boolean {
  const f = preset.filters;
  return (
    JSON.stringify(params.type) === JSON.stringify(f.type) &&
    JSON.stringify(params.result) === JSON.stringify(f.result) &&
    params.user === (f.user ?? null) &&
    params.q.trim() === (f.q ?? "")
  );
}

export function PresetViews({ pathname, params }: { pathname: string; params: ExplorerParams }) {
  return (
    <nav aria-label="Preset views" className="flex flex-wrap items-center gap-1.5">
      <span className="text-xs text-muted-foreground">Views:</span>
      {PRESETS.map((preset) => {
        const active = isActive(params, preset);
        return (
          <Link
            key={preset.name}
            href={explorerHref(pathname, params, { ...preset.filters, entry: null })}
            scroll={false}
            title={preset.description}
            aria-current={active ? "true" : undefined}
            className={cn(
              "inline-flex h-7 items-center gap-1.5 rounded-md border px-2.5 text-xs font-medium outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
              active
                ? "border-primary bg-primary text-primary-foreground"
                : "bg-background hover:bg-accent dark:bg-input/30 dark:hover:bg-input/50",
            )}
          >
            {preset.icon}
            {preset.name}
            <LinkPending />
          </Link>
        );
      })}
    </nav>
  );
}
