"use client";

import { useOptimistic, useTransition } from "react";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import type { MemberRole } from "@/db/schema/enums";
import { changeRole } from "../lib/actions";
import type { AccessMember } from "../lib/types";
import { runWithToast } from "./run-action";

export const ROLE_LABELS: Record<MemberRole, string> = { admin: "Admin", manager: "Manager", member: "Member" };
// Listed here rather than imported from the schema, which would pull drizzle into the browser bundle.
const ROLES = Object.keys(ROLE_LABELS) as MemberRole[];

interface RoleSelectProps {
  orgSlug: string;
  member: AccessMember;
  /** The only admin cannot be given another role: the organization always keeps one. */
  isLastAdmin: boolean;
}

export function RoleSelect({ orgSlug, member, isLastAdmin }: RoleSelectProps) {
  const [shown, setShown] = useOptimistic(member.role);
  const [pending, startTransition] = useTransition();

  function onValueChange(value: string) {
    const role = ROLES.find((r) => r === value);
    if (!role || role === member.role) return;
    startTransition(async () => {
      setShown(role);
      await runWithToast(
        () => changeRole(orgSlug, { userId: member.userId, role }),
        () => `${member.name} is now ${role === "admin" ? "an" : "a"} ${ROLE_LABELS[role].toLowerCase()}.`,
      );
    });
  }

  return (
    <Select value={shown} onValueChange={onValueChange} disabled={pending}>
      <SelectTrigger size="sm" className="w-32" aria-label={`Role of ${member.name}`} aria-busy={pending || undefined}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {ROLES.map((role) => (
          <SelectItem key={role} value={role} disabled={isLastAdmin && role !== "admin"}>
            {ROLE_LABELS[role]}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
