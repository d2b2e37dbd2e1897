"use client";

import { flexRender, getCoreRowModel, useReactTable, type CellContext, type ColumnDef } from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ChevronsUpDown } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/utils";
import { EXPLORER_COLUMN_IDS, type ExplorerColumnId } from "@/lib/audit-log/columns";
import { CATEGORY_LABELS, LEVEL_LABELS } from "@/lib/audit-log/labels";
import {
  explorerHref,
  SORT_KEYS,
  type ExplorerParams,
  type SortDirection,
  type SortKey,
} from "@/lib/audit-log/search-params";
import type { AuditEntrySummary } from "@/lib/audit-log/types";
import { ActorCell } from "./actor-cell";
import { CellStack } from "./cell-stack";
import { useExplorerLayout } from "./explorer-layout";
import { LinkPending } from "./link-pending";
import { LocalTime, TimeZoneName } from "@/components/time/local-time";
import { PivotTrigger } from "./pivot-context";
import { ResultBadge } from "./result-badge";
import "./audit-log-table.css";

declare module "@tanstack/react-table" {
  // An augmentation repeats the library's type parameters, used or not.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData, TValue> {
    headerClassName?: string;
    /** Extra header content after the sort link (e.g. the time zone). */
    headerExtra?: ReactNode;
  }
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface TableMeta<TData> {
    /** The row that is the table's tab stop: only its pivot buttons are in the tab order. */
    tabStop: string | null;
  }
}

type Cell = CellContext<AuditEntrySummary, unknown>;

// A cell's content and its pivot button (lib/audit-log/pivots decides whether a value can be one).
function Pivotable({
  cell,
  field,
  value,
  shown,
  children,
}: {
  cell: Cell;
  field: Parameters<typeof PivotTrigger>[0]["field"];
  value: string | null;
  shown: string;
  children: ReactNode;
}) {
  if (!value) return children;
  const id = cell.row.original.id;
  return (
    <span className="cell-pivot">
      {children}
      <PivotTrigger
        field={field}
        value={value}
        shown={shown}
        entryId={id}
        focusable={cell.table.options.meta?.tabStop === id}
      />
    </span>
  );
}

function TargetCell({ target }: { target: AuditEntrySummary["target"] }) {
  const primary = target.name ?? target.id;
  if (!primary) return <span className="text-muted-foreground">—</span>;
  return (
    <CellStack
      primary={primary}
      secondary={[target.type, target.name ? target.id : null].filter(Boolean).join(" · ")}
    />
  );
}

function ActionCell({ entry }: { entry: AuditEntrySummary }) {
  return <CellStack primary={entry.action} secondary={entry.description} strong wide />;
}

const COLUMNS: ColumnDef<AuditEntrySummary>[] = [
  {
    id: "time",
    header: "Time",
    cell: ({ row }) => <LocalTime iso={row.original.occurredAt} className="font-mono text-xs tabular-nums" />,
    meta: {
      headerClassName: "w-44",
      headerExtra: (
        <span className="text-xs font-normal text-muted-foreground">
          (<TimeZoneName />)
        </span>
      ),
    },
  },
  {
    id: "user",
    header: "Actor",
    cell: (cell) => {
      const actor = cell.row.original.actor;
      const value = actor?.email ?? actor?.id ?? null;
      return (
        <Pivotable cell={cell} field="actor" value={value} shown={actor?.name ?? value ?? ""}>
          <ActorCell actor={actor} />
        </Pivotable>
      );
    },
  },
  {
    id: "type",
    header: "Type",
    cell: (cell) => {
      const label = CATEGORY_LABELS[cell.row.original.category];
      return (
        <Pivotable cell={cell} field="type" value={cell.row.original.category} shown={label}>
          <span>{label}</span>
        </Pivotable>
      );
    },
  },
  {
    id: "service",
    header: "Service",
    cell: (cell) => {
      const service = cell.row.original.service;
      if (!service) return <span className="text-muted-foreground">—</span>;
      return (
        <Pivotable cell={cell} field="service" value={service} shown={service}>
          <span className="cell-main" title={service}>
            {service}
          </span>
        </Pivotable>
      );
    },
  },
  {
    id: "action",
    header: "Action",
    cell: (cell) => (
      <Pivotable cell={cell} field="action" value={cell.row.original.action} shown={cell.row.original.action}>
        <ActionCell entry={cell.row.original} />
      </Pivotable>
    ),
  },
  {
    id: "target",
    header: "Target",
    cell: (cell) => {
      const target = cell.row.original.target;
      const value = target.name ?? target.id;
      return (
        <Pivotable cell={cell} field="target" value={value} shown={value ?? ""}>
          <TargetCell target={target} />
        </Pivotable>
      );
    },
  },
  {
    id: "level",
    header: "Level",
    cell: (cell) => {
      const level = cell.row.original.level;
      return (
        <Pivotable cell={cell} field="level" value={level} shown={LEVEL_LABELS[level]}>
          <span>{LEVEL_LABELS[level]}</span>
        </Pivotable>
      );
    },
  },
  {
    id: "result",
    header: "Result",
    cell: (cell) => (
      <Pivotable cell={cell} field="result" value={cell.row.original.result} shown={cell.row.original.result}>
        <span className="flex items-center gap-1.5">
          <ResultBadge result={cell.row.original.result} />
          {cell.row.original.errorCode === "invalid_input" ? (
            <span className="text-xs text-muted-foreground" title="Failed because of an invalid input value">
              invalid input
            </span>
          ) : null}
        </span>
      </Pivotable>
    ),
  },
];

// Beside the open details these give way (the details show them), so time, actor, action and
// result keep their room instead of being cut at the table's edge.
const BESIDE_DETAILS_HIDDEN: readonly ExplorerColumnId[] = ["type", "target", "service", "level"];

function columnVisibility(shown: readonly ExplorerColumnId[], besideDetails: boolean): Record<string, boolean> {
  return Object.fromEntries(
    EXPLORER_COLUMN_IDS.map((id) => [id, shown.includes(id) && !(besideDetails && BESIDE_DETAILS_HIDDEN.includes(id))]),
  );
}

const isSortKey = (id: string): id is SortKey => SORT_KEYS.some((k) => k === id);

function nextDirection(params: ExplorerParams, sort: SortKey): SortDirection {
  if (params.sort === sort) return params.dir === "asc" ? "desc" : "asc";
  // Newest first for time; alphabetical (or enum order) for the others.
  return sort === "time" ? "desc" : "asc";
}

function SortIcon({ state }: { state: false | "asc" | "desc" }) {
  if (state === "asc") return <ArrowUp className="size-3.5" aria-hidden />;
  if (state === "desc") return <ArrowDown className="size-3.5" aria-hidden />;
  return <ChevronsUpDown className="size-3.5 opacity-40" aria-hidden />;
}

export interface AuditLogTableProps {
  pathname: string;
  params: ExplorerParams;
  entries: AuditEntrySummary[];
  activeId: string | null;
  openId: string | null;
  onRowClick: (id: string) => void;
  /** Tabbing onto a row selects it, so the keys continue from where the focus is. */
  onRowFocus: (id: string) => void;
  empty: ReactNode;
  /** Beside the open details: only time, actor, action and result are shown. */
  compact: boolean;
}

/**
 * The entries as a table. Data comes sorted and paged from the server, so TanStack Table only
 * lays out columns; sorting is a link (the sort lives in the URL). Rows are a roving tab stop:
 * the selected row (or the first) is focusable, the page's key handler moves between them.
 */
export function AuditLogTable({
  pathname,
  params,
  entries,
  activeId,
  openId,
  onRowClick,
  onRowFocus,
  empty,
  compact,
}: AuditLogTableProps) {
  const layout = useExplorerLayout();
  const tabStop = activeId && entries.some((e) => e.id === activeId) ? activeId : (entries[0]?.id ?? null);
  // TanStack Table hands back a mutable instance that cannot be memoized: this component is meant
  // to re-render with every page the server sends, so nothing is lost by not compiling it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: entries,
    meta: { tabStop },
    columns: COLUMNS,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => row.id,
    manualSorting: true,
    manualPagination: true,
    state: {
      sorting: [{ id: params.sort, desc: params.dir === "desc" }],
      columnVisibility: columnVisibility(layout.columns, compact),
    },
  });

  return (
    <Table
      aria-label="Audit log entries"
      className="audit-table"
      data-compact={compact ? "" : undefined}
      data-density={layout.density}
      data-columns={table.getVisibleLeafColumns().length}
    >
      <TableHeader className="bg-muted/40">
        {table.getHeaderGroups().map((group) => (
          <TableRow key={group.id} className="hover:bg-transparent">
            {group.headers.map((header) => {
              const id = header.column.id;
              const state = isSortKey(id) ? header.column.getIsSorted() : false;
              const meta = header.column.columnDef.meta;
              const title = flexRender(header.column.columnDef.header, header.getContext());
              return (
                <TableHead
                  key={header.id}
                  aria-sort={state === "asc" ? "ascending" : state === "desc" ? "descending" : undefined}
                  className={cn("px-3", meta?.headerClassName)}
                >
                  <span className="inline-flex items-center gap-1.5">
                    {isSortKey(id) ? (
                      <Link
                        prefetch={false}
                        href={explorerHref(pathname, params, { sort: id, dir: nextDirection(params, id), entry: null })}
                        scroll={false}
                        title={`Sort by ${String(header.column.columnDef.header).toLowerCase()}`}
                        className={cn(
                          "-mx-1 inline-flex items-center gap-1 rounded px-1 py-0.5 outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50",
                          state ? "text-foreground" : "text-muted-foreground",
                        )}
                      >
                        {title}
                        <SortIcon state={state} />
                        <LinkPending />
                      </Link>
                    ) : (
                      // Not sortable: no index leads with it at tens of millions of entries.
                      <span className="text-muted-foreground">{title}</span>
                    )}
                    {meta?.headerExtra}
                  </span>
                </TableHead>
              );
            })}
          </TableRow>
        ))}
      </TableHeader>
      <TableBody>
        {table.getRowModel().rows.length === 0 ? (
          <TableRow className="audit-empty hover:bg-transparent">
            <TableCell colSpan={table.getVisibleLeafColumns().length} className="h-48 text-center whitespace-normal">
              {empty}
            </TableCell>
          </TableRow>
        ) : (
          table.getRowModel().rows.map((row) => {
            const selected = row.id === activeId;
            // Plain elements with the short class names of audit-log-table.css: these 50 rows are
            // most of the page, so they carry no per-cell utility classes (docs/performance.md).
            return (
              <tr
                key={row.id}
                data-entry-id={row.id}
                aria-selected={selected}
                data-state={selected ? "selected" : undefined}
                data-open={row.id === openId ? "" : undefined}
                tabIndex={row.id === tabStop ? 0 : -1}
                onClick={() => onRowClick(row.id)}
                onFocus={(e) => {
                  if (e.target === e.currentTarget) onRowFocus(row.id);
                }}
                className="audit-row"
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} data-col={cell.column.id}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            );
          })
        )}
      </TableBody>
    </Table>
  );
}
