import type {
  AuditCategory,
  AuditResult,
  NotificationChannelKind,
  NotificationGroupBy,
  NotificationRuleMode,
  StreamFormat,
  StreamState,
} from "@/db/schema/enums";

/** Plain data the page hands its client components. */

export interface RuleDto {
  id: string;
  name: string;
  query: string;
  types: AuditCategory[];
  results: AuditResult[];
  mode: NotificationRuleMode;
  thresholdCount: number | null;
  thresholdMinutes: number | null;
  groupBy: NotificationGroupBy | null;
  enabled: boolean;
  channelIds: string[];
  /** The explorer's search for the condition over the last 7 days. */
  searchHref: string;
  updatedAt: string;
}

export interface ChannelDto {
  id: string;
  kind: NotificationChannelKind;
  name: string;
  url: string | null;
  recipients: { userId: string; name: string; email: string }[];
  createdAt: string;
}

export interface MemberOption {
  userId: string;
  name: string;
  email: string;
  /** Recipients without audit.view are skipped when a message is sent; the form says so. */
  canView: boolean;
}

export type PreviewCount = { exact: true; count: number } | { exact: false; atLeast: number };

export interface RulePreview {
  /** The explorer's refusals of the search text, as the search bar words them; empty when fine. */
  problems: string[];
  count: PreviewCount | null;
  searchHref: string;
}

/** What create and rotate answer once: the webhook's secret, never shown again. */
export interface WebhookSecretAnswer {
  channelId: string;
  name: string;
  secret: string;
}

/** A stream destination as the settings page shows it. */
export interface StreamDto {
  id: string;
  name: string;
  format: StreamFormat;
  url: string;
  query: string;
  batchSize: number;
  maxWaitSeconds: number;
  state: StreamState;
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastDeliveredAt: string | null;
  sentEntries: number;
  pausedAt: string | null;
  /** Matching entries not sent yet; `more` when there are more than counted. */
  behind: { count: number; more: boolean };
  /** When the oldest unsent matching entry arrived; null when none waits. */
  oldestUnsentAt: string | null;
  /** The explorer's search for the stream's condition. */
  searchHref: string;
}

/** The NDJSON signing secret, answered once on creation. */
export interface StreamSecretAnswer {
  streamId: string;
  name: string;
  secret: string;
}
