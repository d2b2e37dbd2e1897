import { z } from "zod";
import { auditPermission, memberRole } from "@/db/schema/enums";

// Everything a client sends to the access actions is parsed here, on the server, before use (the
// organization's slug is parsed by orgAction).
export const permissionChangeSchema = z
  .object({ userId: z.uuid(), permission: z.enum(auditPermission.enumValues) })
  .strict();

export const roleChangeSchema = z.object({ userId: z.uuid(), role: z.enum(memberRole.enumValues) }).strict();

export const requestDecisionSchema = z.object({ requestId: z.uuid() }).strict();

export type PermissionChangeInput = z.infer<typeof permissionChangeSchema>;
export type RoleChangeInput = z.infer<typeof roleChangeSchema>;
export type RequestDecisionInput = z.infer<typeof requestDecisionSchema>;
