/** What the actions answer, in one place so the tests name the same words. */
export const NOTIFICATION_MESSAGES = {
  ruleNotFound: "That rule does not exist. Reload the page to see the current rules.",
  channelNotFound: "That channel does not exist. Reload the page to see the current channels.",
  unknownChannels: "A chosen channel does not exist any more. Reload the page and choose again.",
  emptyCondition: "Give the rule a condition: search text, a type or a result.",
  notMembers: "Only members of the organization can receive its notifications.",
  notWebhook: "Only a webhook has a secret.",
  kindChange: "A channel's kind cannot change. Create a new channel instead.",
  notSignedStream: "Only an NDJSON stream has a signing secret; a Splunk HEC token is changed in the form.",
  streamNotFound: "That stream does not exist. Reload the page to see the current streams.",
} as const;
