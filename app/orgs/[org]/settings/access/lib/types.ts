import type { AccessRequestStatus, AuditPermission, MemberRole } from "@/db/schema/enums";
import type { RequestedPermission } from "@/lib/access-requests/requested-permission";

// What the access page's server code hands to its client components: plain, serializable data.

export interface AccessMember {
  userId: string;
  name: string;
  email: string;
  role: MemberRole;
  /** What the member holds now (admins: everything). */
  permissions: AuditPermission[];
}

export interface PendingAccessRequest {
  id: string;
  userId: string;
  name: string;
  email: string;
  message: string | null;
  createdAt: string;
  /** What is asked for: the audit log (audit.view) or its settings (audit.manage). */
  permission: RequestedPermission;
}

export interface DecidedAccessRequest {
  id: string;
  name: string;
  email: string;
  status: Exclude<AccessRequestStatus, "pending">;
  permission: RequestedPermission;
  decidedAt: string | null;
  decidedByName: string | null;
}

export interface AccessViewer {
  userId: string;
  role: MemberRole;
  permissions: AuditPermission[];
}

/** One row of the members table, with what this viewer may do to it decided on the server. */
export interface AccessMemberRow {
  member: AccessMember;
  isSelf: boolean;
  /** Per permission: why its switch is disabled for this viewer, or null when it can be used. */
  switchRefusals: Record<AuditPermission, string | null>;
  canChangeRole: boolean;
  isLastAdmin: boolean;
}
