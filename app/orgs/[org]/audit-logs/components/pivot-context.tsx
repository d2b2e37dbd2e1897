"use client";

import { Filter, FilterX } from "lucide-react";
import Link from "next/link";
import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from "react";
import { Popover, PopoverAnchor, PopoverContent } from "@/components/ui/popover";
import { pivotLinks, PIVOT_FIELD_NAMES, type PivotField } from "@/lib/audit-log/pivots";
import { explorerHref, type ExplorerParams } from "@/lib/audit-log/search-params";

/*
 * Pivots in the explorer: every value of the table and the details can be added to the search or
 * excluded from it. The links are built on the client from the page's params (lib/audit-log/pivots,
 * which offers a link only when its search matches exactly that value). The table shares one menu,
 * anchored at the button that opened it, so its 50 rows carry plain buttons rather than 250 menus.
 * The links are not prefetched: each prefetch is a server render of the explorer, and the details
 * alone hold a score of them.
 */

export interface PivotHrefs {
  include: string | null;
  exclude: string | null;
}

interface MenuTarget {
  field: PivotField;
  value: string;
  /** What the reader sees (a name for an actor whose email is the value). */
  shown: string;
  entryId: string;
  button: HTMLElement;
}

interface PivotContextValue {
  hrefsFor: (field: PivotField, value: string, entryId: string | null) => PivotHrefs;
  openMenu: (target: MenuTarget) => void;
  /** `entryId:field` of the cell whose menu is open, if any. */
  openFor: string | null;
  /** False on the server and while hydrating: the table's buttons are drawn only after it. */
  hydrated: boolean;
}

const PivotContext = createContext<PivotContextValue | null>(null);

export function pivotNames(field: PivotField, shown: string) {
  const name = `${PIVOT_FIELD_NAMES[field]} ${shown}`;
  return { include: `Add ${name} to the search`, exclude: `Exclude ${name} from the search` };
}

function MenuLink({ href, icon, label, onDone }: { href: string; icon: ReactNode; label: string; onDone: () => void }) {
  return (
    <Link
      href={href}
      scroll={false}
      prefetch={false}
      role="menuitem"
      onClick={onDone}
      className="flex items-center gap-2 rounded-sm px-2 py-1.5 text-sm outline-none hover:bg-accent focus-visible:bg-accent"
    >
      {icon}
      <span className="min-w-0 [overflow-wrap:anywhere]">{label}</span>
    </Link>
  );
}

const subscribeNothing = () => () => {};

export function PivotProvider({
  pathname,
  params,
  openEntryId,
  children,
}: {
  pathname: string;
  params: ExplorerParams;
  /** The entry whose details are open: adding its own value keeps it open. */
  openEntryId: string | null;
  children: ReactNode;
}) {
  const [target, setTarget] = useState<MenuTarget | null>(null);
  const anchor = useRef<HTMLElement | null>(null);
  const content = useRef<HTMLDivElement>(null);

  const hrefsFor = useCallback(
    (field: PivotField, value: string, entryId: string | null): PivotHrefs => {
      const links = pivotLinks(field, value, params, entryId !== null && entryId === openEntryId ? entryId : null);
      const href = (o: typeof links.include) => (o === null ? null : explorerHref(pathname, params, o));
      return { include: href(links.include), exclude: href(links.exclude) };
    },
    [params, pathname, openEntryId],
  );

  const openMenu = useCallback((next: MenuTarget) => {
    anchor.current = next.button;
    setTarget(next);
  }, []);

  const openFor = target ? `${target.entryId}:${target.field}` : null;
  const hydrated = useSyncExternalStore(
    subscribeNothing,
    () => true,
    () => false,
  );
  const value = useMemo(() => ({ hrefsFor, openMenu, openFor, hydrated }), [hrefsFor, openMenu, openFor, hydrated]);
  const hrefs = target ? hrefsFor(target.field, target.value, target.entryId) : null;
  const names = target ? pivotNames(target.field, target.shown) : null;
  const close = () => setTarget(null);

  return (
    <PivotContext.Provider value={value}>
      {children}
      <Popover open={target !== null} onOpenChange={(open) => (open ? undefined : close())}>
        <PopoverAnchor virtualRef={anchor as React.RefObject<HTMLElement>} />
        <PopoverContent
          ref={content}
          align="start"
          className="w-auto max-w-[min(26rem,calc(100vw-1rem))] p-1"
          collisionPadding={8}
          role="menu"
          aria-label={target ? `Search by ${PIVOT_FIELD_NAMES[target.field]}` : undefined}
          onOpenAutoFocus={(event) => {
            // A menu opens on its first item, so the arrow keys start from there.
            event.preventDefault();
            content.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
          }}
          onKeyDown={(event) => {
            // A menu's arrow keys: move between its items, wrapping around.
            if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
            const items = [...event.currentTarget.querySelectorAll<HTMLElement>("[role=menuitem]")];
            if (items.length === 0) return;
            event.preventDefault();
            const at = items.indexOf(document.activeElement as HTMLElement);
            const next = event.key === "ArrowDown" ? at + 1 : at - 1;
            items[(next + items.length) % items.length]?.focus();
          }}
          onCloseAutoFocus={(event) => {
            // The anchor is not a Radix trigger: give the focus back to the button that opened it.
            event.preventDefault();
            if (anchor.current?.isConnected) anchor.current.focus({ preventScroll: true });
          }}
        >
          {hrefs && names ? (
            <>
              {hrefs.include ? (
                <MenuLink
                  href={hrefs.include}
                  icon={<Filter className="size-4 shrink-0" aria-hidden />}
                  label={names.include}
                  onDone={close}
                />
              ) : null}
              {hrefs.exclude ? (
                <MenuLink
                  href={hrefs.exclude}
                  icon={<FilterX className="size-4 shrink-0" aria-hidden />}
                  label={names.exclude}
                  onDone={close}
                />
              ) : null}
            </>
          ) : null}
        </PopoverContent>
      </Popover>
    </PivotContext.Provider>
  );
}

export function usePivots(): PivotContextValue | null {
  return useContext(PivotContext);
}

/**
 * The table's pivot button: a plain button that opens the shared menu. Only the rows' tab stop
 * puts it in the tab order (`focusable`), so Tab does not walk through every row's values.
 */
export function PivotTrigger({
  field,
  value,
  shown,
  entryId,
  focusable,
}: {
  field: PivotField;
  value: string;
  shown: string;
  entryId: string;
  focusable: boolean;
}) {
  const pivots = usePivots();
  // Not in the server's HTML: the button opens its menu with script only, so before hydration it
  // could do nothing, and the table's 250 of them (five a row) were a fifth of the page that the
  // server rendered and sent on every view (docs/performance.md). It floats over its cell:
  // adding it after hydration moves nothing.
  if (!pivots?.hydrated) return null;
  return (
    <button
      type="button"
      className="pivot-trigger"
      tabIndex={focusable ? 0 : -1}
      aria-haspopup="menu"
      aria-expanded={pivots.openFor === `${entryId}:${field}`}
      aria-label={`Search by ${PIVOT_FIELD_NAMES[field]} ${shown}`}
      title={`Search by this ${PIVOT_FIELD_NAMES[field]}`}
      onClick={(event) => {
        // The row opens the details on click; this button opens its menu instead.
        event.stopPropagation();
        pivots.openMenu({ field, value, shown, entryId, button: event.currentTarget });
      }}
    />
  );
}

/** The details' pivots: two small links beside a value, named for what they do. */
export function PivotLinks({
  field,
  value,
  shown,
  entryId,
}: {
  field: PivotField;
  value: string | null | undefined;
  shown?: string;
  entryId: string;
}) {
  const pivots = usePivots();
  if (!pivots || !value) return null;
  const hrefs = pivots.hrefsFor(field, value, entryId);
  if (!hrefs.include && !hrefs.exclude) return null;
  const names = pivotNames(field, shown ?? value);
  const linkClass =
    "inline-flex size-6 items-center justify-center rounded-sm text-muted-foreground outline-none hover:bg-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50";
  return (
    <span className="inline-flex shrink-0 items-center" data-pivots={field}>
      {hrefs.include ? (
        <Link
          href={hrefs.include}
          scroll={false}
          prefetch={false}
          aria-label={names.include}
          title={names.include}
          className={linkClass}
        >
          <Filter className="size-3.5" aria-hidden />
        </Link>
      ) : null}
      {hrefs.exclude ? (
        <Link
          href={hrefs.exclude}
          scroll={false}
          prefetch={false}
          aria-label={names.exclude}
          title={names.exclude}
          className={linkClass}
        >
          <FilterX className="size-3.5" aria-hidden />
        </Link>
      ) : null}
    </span>
  );
}
