import type { AuditCategory, AuditResult } from "@/db/schema/enums";
import { facetLinks, type FacetKind } from "@/lib/audit-log/facet-links";
import type { SearchInsights } from "@/lib/audit-log/insights";
import { CATEGORY_LABELS, RESULT_LABELS } from "@/lib/audit-log/labels";
import type { ExplorerParams } from "@/lib/audit-log/search-params";
import { FacetList } from "./facet-list";

const LEVEL_LABELS: Record<string, string> = { notice: "Notice", information: "Information" };

/**
 * Counts by category, result and level, and the top 10 actors, actions, targets and addresses.
 * Category, result and actor narrow through their own explorer params (`type`, `result`, `user`),
 * the others through search qualifiers; every value can also be excluded with `-qualifier:value`.
 */
export function Facets({
  insights,
  explorerPath,
  params,
}: {
  insights: SearchInsights;
  explorerPath: string;
  params: ExplorerParams;
}) {
  // The category, result and level counts may be exact (the hourly roll-up) while the top lists,
  // which need the entries themselves, are counted over the newest matching entries only.
  const common = { explorerPath, params, approximate: insights.coverage.capped };
  const topCommon = { ...common, approximate: insights.topCoverage.capped };
  const links = (kind: FacetKind) => (key: string) => facetLinks(kind, key, params);
  return (
    <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
      <FacetList
        {...common}
        title="Category"
        facet={insights.categories}
        labelFor={(label) => CATEGORY_LABELS[label as AuditCategory] ?? label}
        linksFor={links("category")}
      />
      <FacetList
        {...common}
        title="Result"
        facet={insights.results}
        labelFor={(label) => RESULT_LABELS[label as AuditResult] ?? label}
        linksFor={links("result")}
      />
      <FacetList
        {...common}
        title="Level"
        facet={insights.levels}
        labelFor={(label) => LEVEL_LABELS[label] ?? label}
        linksFor={links("level")}
      />
      <FacetList
        {...topCommon}
        title="Actors"
        top={10}
        facet={insights.actors}
        labelFor={(label, key) => (key === null ? "[nobody]" : label === key ? label : `${label} (${key})`)}
        linksFor={links("actor")}
      />
      <FacetList {...topCommon} title="Actions" top={10} facet={insights.actions} linksFor={links("action")} />
      <FacetList
        {...topCommon}
        title="Targets"
        top={10}
        facet={insights.targets}
        labelFor={(label, key) => (key === null ? "(no target)" : label)}
        linksFor={links("target")}
      />
      <FacetList
        {...topCommon}
        title="IP addresses"
        top={10}
        facet={insights.ips}
        labelFor={(label, key) => (key === null ? "(no address)" : label)}
        linksFor={links("ip")}
      />
    </div>
  );
}
