import type { AuditCategory, AuditResult } from "@/db/schema/enums";
import { qualifierExcluded, qualifierOnly } from "./search-edits";
import type { ExplorerParams, ExplorerParamsOverrides } from "./search-params";

/*
 * Where a facet value leads: the explorer filtered by it ("only") or without it ("exclude").
 * Category, result and actor narrow through their own params (`type`, `result`, `user`), the others
 * through search qualifiers; exclusions always use `-qualifier:value`. Each "only" link lists
 * exactly the entries its facet count counted (the integration tests hold them to it). Pure.
 */

export type FacetKind = "category" | "result" | "level" | "actor" | "action" | "target" | "ip";

export interface FacetLinks {
  only: ExplorerParamsOverrides | null;
  exclude: ExplorerParamsOverrides | null;
}

const QUALIFIER = { level: "level", action: "action", target: "resource", ip: "ip" } as const;

function q(text: string | null): ExplorerParamsOverrides | null {
  return text === null ? null : { q: text, cursor: null, entry: null };
}

export function facetLinks(kind: FacetKind, key: string, params: Pick<ExplorerParams, "q" | "tz">): FacetLinks {
  const { tz } = params;
  switch (kind) {
    case "category":
      return {
        only: { type: [key as AuditCategory], entry: null },
        exclude: q(qualifierExcluded(params.q, "type", key, tz)),
      };
    case "result":
      return {
        only: { result: [key as AuditResult], entry: null },
        exclude: q(qualifierExcluded(params.q, "result", key, tz)),
      };
    case "actor":
      return {
        only: { user: key, entry: null },
        // `user:` is an exact match only for an email; an id would match names containing it.
        exclude: key.includes("@") ? q(qualifierExcluded(params.q, "user", key, tz)) : null,
      };
    default: {
      const qualifier = QUALIFIER[kind];
      return {
        only: q(qualifierOnly(params.q, qualifier, key, tz)),
        exclude: q(qualifierExcluded(params.q, qualifier, key, tz)),
      };
    }
  }
}
