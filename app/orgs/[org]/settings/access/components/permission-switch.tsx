"use client";

import { useOptimistic, useTransition } from "react";
import { Switch } from "@/components/ui/switch";
import type { AuditPermission } from "@/db/schema/enums";
import { grantPermission, revokePermission } from "../lib/actions";
import type { AccessMember } from "../lib/types";
import { runWithToast } from "./run-action";

export const PERMISSION_LABELS: Record<AuditPermission, string> = {
  "audit.view": "View logs",
  "audit.export": "Export",
  "audit.manage": "Manage",
};

interface PermissionSwitchProps {
  orgSlug: string;
  member: AccessMember;
  permission: AuditPermission;
  /** Why the switch cannot be used by this viewer on this member, if it cannot. */
  disabledReason: string | null;
}

export function PermissionSwitch({ orgSlug, member, permission, disabledReason }: PermissionSwitchProps) {
  const held = member.permissions.includes(permission);
  // The switch moves at once; when the action's refreshed page arrives it shows the stored truth.
  const [shown, setShown] = useOptimistic(held);
  const [pending, startTransition] = useTransition();
  const label = PERMISSION_LABELS[permission];

  function onCheckedChange(checked: boolean) {
    startTransition(async () => {
      setShown(checked);
      const input = { userId: member.userId, permission };
      await runWithToast(
        () => (checked ? grantPermission(orgSlug, input) : revokePermission(orgSlug, input)),
        () => (checked ? `${member.name} can now use “${label}”.` : `${member.name} can no longer use “${label}”.`),
      );
    });
  }

  return (
    <span className="inline-flex items-center" title={disabledReason ?? undefined}>
      <Switch
        checked={shown}
        onCheckedChange={onCheckedChange}
        disabled={disabledReason !== null || pending}
        aria-busy={pending || undefined}
        aria-label={`${label} for ${member.name}`}
        aria-description={disabledReason ?? undefined}
      />
    </span>
  );
}
