import { z } from "zod";
import { auditCategory, auditResult } from "@/db/schema/enums";
import { MAX_SEARCH_LENGTH } from "@/lib/audit-log/search-language";
import { safeText, UNSAFE_TEXT_FORM_MESSAGE } from "@/lib/validation/safe-text";
import {
  CHANNEL_NAME_MAX,
  EMAIL_RECIPIENTS_MAX,
  RULE_CHANNELS_MAX,
  RULE_NAME_MAX,
  THRESHOLD_COUNT,
  THRESHOLD_MINUTES,
  WEBHOOK_URL_MAX,
} from "./rules";

/*
 * The actions' input. The messages are meant for people: the form shows the first one. What needs
 * the database (channels of this organization, members, the explorer's refusal of the search text)
 * is checked by the action itself.
 */

export const name = (what: string, max: number) =>
  safeText(UNSAFE_TEXT_FORM_MESSAGE)
    .trim()
    .min(1, `Give the ${what} a name.`)
    .max(max, `Use at most ${max} characters for the name.`);

export const conditionSchema = z.object({
  query: safeText(UNSAFE_TEXT_FORM_MESSAGE).max(
    MAX_SEARCH_LENGTH,
    `Use at most ${MAX_SEARCH_LENGTH.toLocaleString("en-US")} characters of search text.`,
  ),
  types: z.array(z.enum(auditCategory.enumValues, "Unknown type.")).max(auditCategory.enumValues.length),
  results: z.array(z.enum(auditResult.enumValues, "Unknown result.")).max(auditResult.enumValues.length),
});

export const whole = (what: string, { min, max }: { min: number; max: number }) =>
  z
    .number(`Enter ${what}.`)
    .int(`Enter ${what} as a whole number.`)
    .min(min, `Use ${min} to ${max.toLocaleString("en-US")} for ${what}.`)
    .max(max, `Use ${min} to ${max.toLocaleString("en-US")} for ${what}.`);

export const ruleSchema = conditionSchema
  .extend({
    name: name("rule", RULE_NAME_MAX),
    mode: z.enum(["each", "threshold"], "Choose each or threshold."),
    thresholdCount: whole("the number of entries", THRESHOLD_COUNT).nullable(),
    thresholdMinutes: whole("the minutes", THRESHOLD_MINUTES).nullable(),
    groupBy: z.enum(["none", "user", "ip"], "Group by none, user or IP address."),
    channelIds: z
      .array(z.uuid("Unknown channel."))
      .max(RULE_CHANNELS_MAX, `Choose at most ${RULE_CHANNELS_MAX} channels.`),
    enabled: z.boolean(),
  })
  .superRefine((rule, ctx) => {
    if (rule.mode !== "threshold") return;
    if (rule.thresholdCount === null)
      ctx.addIssue({ code: "custom", path: ["thresholdCount"], message: "Enter the number of entries." });
    if (rule.thresholdMinutes === null)
      ctx.addIssue({ code: "custom", path: ["thresholdMinutes"], message: "Enter the minutes." });
  });

export type RuleInput = z.output<typeof ruleSchema>;

export const idSchema = z.object({ id: z.uuid("That does not exist.") });

export const updateRuleSchema = ruleSchema.and(idSchema);

export const setEnabledSchema = idSchema.extend({ enabled: z.boolean() });

export const templateSchema = z.object({ key: z.string().max(50) });

export const webhookUrl = safeText(UNSAFE_TEXT_FORM_MESSAGE)
  .trim()
  .min(1, "Enter the webhook's URL.")
  .max(WEBHOOK_URL_MAX, `Use at most ${WEBHOOK_URL_MAX.toLocaleString("en-US")} characters for the URL.`)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL, such as https://hooks.example.com/audit." });
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      ctx.addIssue({ code: "custom", message: "Use an https:// (or, for local receivers, http://) URL." });
    else if (url.username !== "" || url.password !== "")
      ctx.addIssue({
        code: "custom",
        message: "Leave credentials out of the URL: every request is signed with the webhook's secret.",
      });
  });

const recipients = z
  .array(z.uuid("Unknown member."))
  .min(1, "Choose at least one member to write to.")
  .max(EMAIL_RECIPIENTS_MAX, `Choose at most ${EMAIL_RECIPIENTS_MAX} members.`);

export const channelSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("email"), name: name("channel", CHANNEL_NAME_MAX), recipientUserIds: recipients }),
    z.object({ kind: z.literal("webhook"), name: name("channel", CHANNEL_NAME_MAX), url: webhookUrl }),
  ],
  "Choose e-mail or webhook.",
);

export type ChannelInput = z.output<typeof channelSchema>;

export const updateChannelSchema = channelSchema.and(idSchema);
