"use client";

import { Building2, Check, ChevronsUpDown } from "lucide-react";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

export interface OrgOption {
  slug: string;
  name: string;
}

export function OrgSwitcher({ current, orgs }: { current: OrgOption; orgs: OrgOption[] }) {
  if (orgs.length < 2) {
    return (
      <div className="flex items-center gap-2 px-2 py-1.5 text-sm font-semibold">
        <Building2 className="size-4" aria-hidden /> {current.name}
      </div>
    );
  }
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" className="w-full justify-between px-2" aria-label="Switch organization">
          <span className="flex items-center gap-2 truncate font-semibold">
            <Building2 className="size-4" aria-hidden /> {current.name}
          </span>
          <ChevronsUpDown className="size-4 opacity-60" aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" className="w-56">
        <DropdownMenuLabel className="text-xs text-muted-foreground">Organizations</DropdownMenuLabel>
        {orgs.map((org) => (
          <DropdownMenuItem key={org.slug} asChild>
            <Link prefetch={false} href={`/orgs/${org.slug}/audit-logs`}>
              {org.name}
              {org.slug === current.slug ? <Check className="ml-auto size-4" aria-label="current" /> : null}
            </Link>
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
