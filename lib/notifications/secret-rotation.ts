/*
 * How long a replaced signing secret (a webhook's, an NDJSON stream's) keeps signing beside the new
 * one, so a receiver can switch whenever it likes within that time without refusing a message. Plain
 * constants, read by the settings page as well as the senders (README, "Webhooks and their signature").
 */
export const SECRET_ROTATION_GRACE_HOURS = 24;
export const SECRET_ROTATION_GRACE_MS = SECRET_ROTATION_GRACE_HOURS * 60 * 60 * 1000;
