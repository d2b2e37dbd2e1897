"use client";

import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { AuditPermission } from "@/db/schema/enums";
import type { AccessMemberRow } from "../lib/types";
import { PERMISSION_LABELS, PermissionSwitch } from "./permission-switch";
import { ROLE_LABELS, RoleSelect } from "./role-select";

const PERMISSIONS = Object.keys(PERMISSION_LABELS) as AuditPermission[];

export function MembersTable({ orgSlug, rows }: { orgSlug: string; rows: AccessMemberRow[] }) {
  return (
    <Table aria-label="Members and audit permissions">
      <TableHeader>
        <TableRow>
          <TableHead>Member</TableHead>
          <TableHead>Role</TableHead>
          {PERMISSIONS.map((permission) => (
            <TableHead key={permission} className="text-center">
              <span className="block">{PERMISSION_LABELS[permission]}</span>
              <code className="text-[11px] font-normal text-muted-foreground">{permission}</code>
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map(({ member, isSelf, switchRefusals, canChangeRole, isLastAdmin }) => (
          <TableRow key={member.userId} data-member-email={member.email}>
            <TableCell>
              <div className="font-medium">
                {member.name}
                {isSelf ? <span className="ml-1 text-xs font-normal text-muted-foreground">(you)</span> : null}
              </div>
              <div className="text-xs text-muted-foreground">{member.email}</div>
            </TableCell>
            <TableCell>
              {canChangeRole ? (
                <RoleSelect orgSlug={orgSlug} member={member} isLastAdmin={isLastAdmin} />
              ) : (
                <Badge variant="secondary">{ROLE_LABELS[member.role]}</Badge>
              )}
            </TableCell>
            {PERMISSIONS.map((permission) => (
              <TableCell key={permission} className="text-center">
                <PermissionSwitch
                  orgSlug={orgSlug}
                  member={member}
                  permission={permission}
                  disabledReason={switchRefusals[permission]}
                />
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
