import type { AuditPermission, MemberRole } from "@/db/schema/enums";

/*
 * What an access request asks for. From the explorer's notice: audit.view, and approving it grants
 * view and export (the contract's "request permission"). From a settings page: audit.manage,
 * which only managers may hold. Pure: the forms, the actions and the access page read it.
 */
export const REQUESTABLE_PERMISSIONS = ["audit.view", "audit.manage"] as const;
export type RequestedPermission = (typeof REQUESTABLE_PERMISSIONS)[number];

/** The grants an approval adds (those the requester does not hold yet). */
export const GRANTS_FOR_REQUEST: Record<RequestedPermission, readonly AuditPermission[]> = {
  "audit.view": ["audit.view", "audit.export"],
  "audit.manage": ["audit.manage"],
};

/** "view and export the audit log" / "manage audit settings": what approving lets the requester do. */
export const REQUEST_PURPOSE: Record<RequestedPermission, string> = {
  "audit.view": "view and export the audit log",
  "audit.manage": "manage audit settings",
};

/** Whether someone of this role could be granted what they would ask for (a member never manages). */
export function canRequest(role: MemberRole, permission: RequestedPermission): boolean {
  return role !== "admin" && (permission === "audit.view" || role === "manager");
}
