import type { AuditEntryDetails, JsonField, JsonValue } from "./types";

/*
 * One entry as the ingestion API would accept it (POST /api/v1/audit-events): the fields a
 * client sent, in the contract's order, without what the console added (id, receivedAt, the
 * permalink). Fields with no value are left out, as a client leaves them out. The idempotency key
 * is left out too: the details do not carry it, and sent again with it the entry would store
 * nothing. Deep or large JSON (sent to the page as an outline, json-view.ts) is put back when its
 * raw text came whole; otherwise the field is left out and named, so nothing incomplete passes for
 * the entry. Pure.
 */

export interface IngestionJson {
  /** Indented JSON text. */
  text: string;
  /** Fields too large to show whole here (the read API and the export hold them). */
  omitted: JsonField[];
}

type Group = Record<string, string | null>;

// A group of nullable text (actor, target, error) without its empty parts; null when all are empty.
function group(values: Group): Record<string, string> | null {
  const present = Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== null);
  return present.length === 0 ? null : Object.fromEntries(present);
}

const JSON_FIELDS: readonly JsonField[] = ["params", "before", "after"];

export function ingestionJson(details: AuditEntryDetails): IngestionJson {
  const omitted: JsonField[] = [];
  const json: Partial<Record<JsonField, JsonValue>> = {};
  for (const field of JSON_FIELDS) {
    const collapsed = details.collapsed?.[field];
    if (!collapsed) {
      if (details[field] !== null) json[field] = details[field];
      continue;
    }
    // A deep value indented would be mostly indentation; only a long, shallow one is put back.
    if (collapsed.rawComplete && collapsed.reason === "large") json[field] = JSON.parse(collapsed.raw) as JsonValue;
    else omitted.push(field);
  }
  const event = {
    occurredAt: details.occurredAt,
    actor: details.actor ? group({ ...details.actor }) : null,
    category: details.category,
    action: details.action,
    description: details.description,
    target: group({ ...details.target }),
    result: details.result,
    level: details.level,
    service: details.service,
    ip: details.ip,
    userAgent: details.userAgent,
    requestId: details.requestId,
    correlationId: details.correlationId,
    ...json,
    error: group({ code: details.errorCode, message: details.errorMessage }),
  };
  const present = Object.fromEntries(Object.entries(event).filter(([, value]) => value !== null));
  return { text: JSON.stringify(present, null, 2), omitted };
}
