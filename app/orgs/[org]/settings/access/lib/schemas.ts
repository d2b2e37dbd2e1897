import { z } from "zod";
import { safeText } from "@/lib/validation/safe-text";
import { auditPermission, memberRole } from "@/db/schema/enums";

// Everything a client sends to the access actions is parsed here, on the server, before use.
const orgSlug = safeText().trim().min(1).max(100);

export const permissionChangeSchema = z.object({
  orgSlug,
  input: z.object({ userId: z.uuid(), permission: z.enum(auditPermission.enumValues) }).strict(),
});

export const roleChangeSchema = z.object({
  orgSlug,
  input: z.object({ userId: z.uuid(), role: z.enum(memberRole.enumValues) }).strict(),
});

export const requestDecisionSchema = z.object({
  orgSlug,
  input: z.object({ requestId: z.uuid() }).strict(),
});

export type PermissionChangeInput = z.infer<typeof permissionChangeSchema>["input"];
export type RoleChangeInput = z.infer<typeof roleChangeSchema>["input"];
export type RequestDecisionInput = z.infer<typeof requestDecisionSchema>["input"];

export const INVALID_INPUT_MESSAGE = "The request was not understood. Reload the page and try again.";
