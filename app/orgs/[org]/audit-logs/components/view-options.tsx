"use client";

import { Settings2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { EXPLORER_COLUMNS } from "@/lib/audit-log/columns";
import { DENSITIES, isDensity, type Density } from "@/lib/preferences/types";
import { useExplorerLayout } from "./explorer-layout";

const DENSITY_LABELS: Record<Density, string> = { comfortable: "Comfortable", compact: "Compact" };

/**
 * The column chooser, the row height and the histogram; the menu stays open while they are switched. Each
 * change is saved at once; the trigger is busy until every save has answered, as a reload before
 * then would show the last layout the server heard of.
 */
export function ViewOptions() {
  const layout = useExplorerLayout();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button
          variant="outline"
          className="shrink-0"
          aria-label="View: columns, rows and chart"
          aria-busy={layout.saving || undefined}
        >
          <Settings2 aria-hidden />
          View
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-52">
        <DropdownMenuLabel className="text-xs text-muted-foreground">Columns</DropdownMenuLabel>
        {EXPLORER_COLUMNS.map((column) => (
          <DropdownMenuCheckboxItem
            key={column.id}
            checked={layout.columns.includes(column.id)}
            disabled={column.always}
            onCheckedChange={(on) => layout.setColumn(column.id, on === true)}
            onSelect={(e) => e.preventDefault()}
          >
            {column.label}
            {column.always ? <span className="ml-auto text-xs text-muted-foreground">always</span> : null}
          </DropdownMenuCheckboxItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuLabel className="text-xs text-muted-foreground">Rows</DropdownMenuLabel>
        <DropdownMenuRadioGroup
          value={layout.density}
          onValueChange={(value) => {
            if (isDensity(value)) layout.setDensity(value);
          }}
        >
          {DENSITIES.map((density) => (
            <DropdownMenuRadioItem key={density} value={density} onSelect={(e) => e.preventDefault()}>
              {DENSITY_LABELS[density]}
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
        <DropdownMenuSeparator />
        <DropdownMenuLabel className="text-xs text-muted-foreground">Chart</DropdownMenuLabel>
        <DropdownMenuCheckboxItem
          checked={layout.chart}
          onCheckedChange={(on) => layout.setChart(on === true)}
          onSelect={(e) => e.preventDefault()}
        >
          Entries over time
        </DropdownMenuCheckboxItem>
        <DropdownMenuSeparator />
        <p role="status" className="px-2 py-1 text-xs text-muted-foreground">
          {layout.saving ? "Saving…" : "Kept for your next visit"}
        </p>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
