import { z } from "zod";
import { MAX_SEARCH_LENGTH } from "@/lib/audit-log/search-language";
import { safeText, UNSAFE_TEXT_FORM_MESSAGE } from "@/lib/validation/safe-text";
import { CHANNEL_NAME_MAX } from "./rules";
import { idSchema, name, webhookUrl, whole } from "./schemas";

/** Limits of a stream destination, shared by the form and the actions. */
export const STREAM_BATCH_SIZE = { min: 1, max: 1000 } as const;
export const STREAM_MAX_WAIT = { min: 1, max: 3600 } as const;
export const STREAM_TOKEN_MAX = 512;
export const MAX_STREAMS = 20;

const token = safeText(UNSAFE_TEXT_FORM_MESSAGE)
  .trim()
  .max(STREAM_TOKEN_MAX, `Use at most ${STREAM_TOKEN_MAX} characters for the token.`)
  .regex(/^[\x21-\x7e]*$/, "A token has no spaces or special characters.");

const fields = {
  name: name("stream", CHANNEL_NAME_MAX),
  url: webhookUrl,
  query: safeText(UNSAFE_TEXT_FORM_MESSAGE).max(
    MAX_SEARCH_LENGTH,
    `Use at most ${MAX_SEARCH_LENGTH.toLocaleString("en-US")} characters of search text.`,
  ),
  batchSize: whole("the batch size", STREAM_BATCH_SIZE),
  maxWaitSeconds: whole("the maximum wait", STREAM_MAX_WAIT),
};

export const streamSchema = z.discriminatedUnion(
  "format",
  [
    z.object({ format: z.literal("ndjson"), ...fields }),
    z.object({
      format: z.literal("splunk_hec"),
      ...fields,
      token: token.min(1, "Enter the HTTP Event Collector token from Splunk."),
    }),
  ],
  "Choose NDJSON or Splunk HEC.",
);

export type StreamInput = z.output<typeof streamSchema>;

/** A change keeps the format; a Splunk token is replaced only when a new one is given. */
export const updateStreamSchema = z.object({ ...fields, token: token.optional() }).and(idSchema);

export type UpdateStreamInput = z.output<typeof updateStreamSchema>;

export const streamStateSchema = idSchema.extend({ state: z.enum(["active", "paused"], "Choose pause or resume.") });
