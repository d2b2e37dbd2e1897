"use client";

import { Archive, Bell, Fingerprint, KeyRound, ScrollText, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

interface NavLinksProps {
  orgSlug: string;
  canManage: boolean;
  pendingRequests: number;
}

function NavLink({
  href,
  icon,
  children,
  badge,
}: {
  href: string;
  icon: ReactNode;
  children: ReactNode;
  badge?: ReactNode;
}) {
  const pathname = usePathname();
  const active = pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link
      prefetch={false}
      href={href}
      aria-current={active ? "page" : undefined}
      className={cn(
        "flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-accent hover:text-accent-foreground",
        active && "bg-accent font-medium text-accent-foreground",
      )}
    >
      {icon}
      <span className="flex-1">{children}</span>
      {badge}
    </Link>
  );
}

export function NavLinks({ orgSlug, canManage, pendingRequests }: NavLinksProps) {
  const base = `/orgs/${orgSlug}`;
  return (
    <nav aria-label="Main" className="grid gap-1">
      <NavLink href={`${base}/audit-logs`} icon={<ScrollText className="size-4" aria-hidden />}>
        Audit Log
      </NavLink>
      {canManage ? (
        <div className="mt-4 grid gap-1">
          <p className="px-2 text-xs font-medium text-muted-foreground">Settings</p>
          <NavLink
            href={`${base}/settings/access`}
            icon={<ShieldCheck className="size-4" aria-hidden />}
            badge={
              pendingRequests > 0 ? (
                <Badge variant="destructive" aria-label={`${pendingRequests} pending access requests`}>
                  {pendingRequests}
                </Badge>
              ) : null
            }
          >
            Access
          </NavLink>
          <NavLink href={`${base}/settings/retention`} icon={<Archive className="size-4" aria-hidden />}>
            Retention
          </NavLink>
          <NavLink href={`${base}/settings/api-keys`} icon={<KeyRound className="size-4" aria-hidden />}>
            API keys
          </NavLink>
          <NavLink href={`${base}/settings/notifications`} icon={<Bell className="size-4" aria-hidden />}>
            Notifications
          </NavLink>
          <NavLink href={`${base}/settings/integrity`} icon={<Fingerprint className="size-4" aria-hidden />}>
            Integrity
          </NavLink>
        </div>
      ) : null}
    </nav>
  );
}
