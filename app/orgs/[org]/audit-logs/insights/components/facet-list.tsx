import { Minus } from "lucide-react";
import Link from "next/link";
import type { Facet } from "@/lib/audit-log/insights";
import type { FacetLinks } from "@/lib/audit-log/facet-links";
import { explorerHref, type ExplorerParams } from "@/lib/audit-log/search-params";

const NUMBER = new Intl.NumberFormat("en-US");

/**
 * One facet: its values with their counts, each a link to the explorer filtered by it, and a
 * second link that excludes it. `approximate` marks counts that cover only part of the search.
 */
export function FacetList({
  title,
  facet,
  explorerPath,
  params,
  linksFor,
  labelFor = (label) => label,
  approximate,
  top,
}: {
  title: string;
  facet: Facet;
  explorerPath: string;
  params: ExplorerParams;
  linksFor: (key: string) => FacetLinks;
  labelFor?: (label: string, key: string | null) => string;
  approximate: boolean;
  top?: number;
}) {
  const max = Math.max(1, ...facet.values.map((v) => v.count));
  const more = facet.distinct - facet.values.length;
  const headingId = `facet-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section aria-labelledby={headingId} className="grid content-start gap-2 rounded-lg border bg-card p-3">
      <h3 id={headingId} className="text-sm font-medium">
        {title}
        {top ? <span className="font-normal text-muted-foreground"> (top {top})</span> : null}
      </h3>
      {facet.values.length === 0 ? (
        <p className="text-xs text-muted-foreground">No entries.</p>
      ) : (
        <ul className="grid gap-1" data-facet={title}>
          {facet.values.map((v) => {
            const links = v.key === null ? { only: null, exclude: null } : linksFor(v.key);
            const label = labelFor(v.label, v.key);
            return (
              <li
                key={v.key ?? "(none)"}
                className="group/facet relative grid grid-cols-[1fr_auto_auto] items-center gap-2 text-xs"
              >
                <span
                  aria-hidden
                  className="absolute inset-y-0 left-0 -z-0 rounded-sm bg-primary/8"
                  style={{ width: `${(100 * v.count) / max}%` }}
                />
                {links.only ? (
                  <Link
                    prefetch={false}
                    href={explorerHref(explorerPath, params, links.only)}
                    className="relative truncate px-1 py-0.5 underline-offset-2 hover:underline"
                    title={label}
                    data-facet-value={v.key ?? ""}
                  >
                    {label}
                  </Link>
                ) : (
                  <span className="relative truncate px-1 py-0.5 text-muted-foreground" title={label}>
                    {label}
                  </span>
                )}
                <span className="relative font-mono tabular-nums">
                  {NUMBER.format(v.count)}
                  {approximate ? "+" : ""}
                </span>
                {links.exclude ? (
                  <Link
                    prefetch={false}
                    href={explorerHref(explorerPath, params, links.exclude)}
                    className="relative rounded-sm p-0.5 text-muted-foreground hover:bg-accent hover:text-foreground"
                    aria-label={`Exclude ${label}`}
                    title={`Exclude ${label}`}
                  >
                    <Minus className="size-3" aria-hidden />
                  </Link>
                ) : (
                  <span />
                )}
              </li>
            );
          })}
        </ul>
      )}
      {more > 0 ? (
        <p className="text-xs text-muted-foreground">
          and {NUMBER.format(more)} more {more === 1 ? "value" : "values"}
        </p>
      ) : null}
    </section>
  );
}
