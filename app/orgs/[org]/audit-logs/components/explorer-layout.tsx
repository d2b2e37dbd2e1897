"use client";

import { useRouter } from "next/navigation";
import { createContext, useContext, useState, useTransition, type ReactNode } from "react";
import { toast } from "sonner";
import { shownColumns, type ExplorerColumnId } from "@/lib/audit-log/columns";
import { saveExplorerLayout } from "@/lib/preferences/actions";
import type { Density, ExplorerLayout } from "@/lib/preferences/types";

interface ExplorerLayoutState extends ExplorerLayout {
  setColumn(id: ExplorerColumnId, shown: boolean): void;
  setDensity(density: Density): void;
  setChart(shown: boolean): void;
  saving: boolean;
}

const LayoutContext = createContext<ExplorerLayoutState | null>(null);

/**
 * The reader's columns, row height and histogram: rendered by the server from their saved choice,
 * changed here at once, and saved for their next visit. A failed save puts the last saved layout
 * back and says so. The histogram is read on the server only when it is shown, so showing it
 * again renders the page anew once the choice is saved.
 */
export function ExplorerLayoutProvider({
  orgSlug,
  initial,
  children,
}: {
  orgSlug: string;
  initial: ExplorerLayout;
  children: ReactNode;
}) {
  const [saved, setSaved] = useState(initial);
  const [layout, setLayout] = useState(initial);
  const [saving, startSaving] = useTransition();
  const router = useRouter();

  function change(next: ExplorerLayout) {
    setLayout(next);
    startSaving(async () => {
      const result = await saveExplorerLayout(orgSlug, next);
      if (result.error !== undefined) {
        toast.error(result.error);
        setLayout(saved);
        return;
      }
      setSaved(result.data);
      if (result.data.chart !== saved.chart) router.refresh();
    });
  }

  const state: ExplorerLayoutState = {
    ...layout,
    saving,
    setColumn: (id, shown) =>
      change({
        ...layout,
        columns: shownColumns(shown ? [...layout.columns, id] : layout.columns.filter((c) => c !== id)),
      }),
    setDensity: (density) => change({ ...layout, density }),
    setChart: (chart) => change({ ...layout, chart }),
  };
  return <LayoutContext value={state}>{children}</LayoutContext>;
}

export function useExplorerLayout(): ExplorerLayoutState {
  const state = useContext(LayoutContext);
  if (!state) throw new Error("useExplorerLayout needs an ExplorerLayoutProvider above it");
  return state;
}
