"use client";

import * as React from "react";
import * as RechartsPrimitive from "recharts";
import { cn } from "@/lib/utils";

/*
 * shadcn/ui's chart component, written by hand in its conventions: a ChartConfig names each series
 * and gives its colour as a CSS value (usually a theme variable), ChartContainer turns the config
 * into `--color-<key>` variables scoped to the chart, and the Recharts elements use
 * `var(--color-<key>)`, so light and dark mode follow the theme's variables with no JavaScript.
 * The style element carries the page's CSP nonce.
 */

const THEMES = { light: "", dark: ".dark" } as const;

export type ChartConfig = {
  [k in string]: {
    label?: React.ReactNode;
    icon?: React.ComponentType;
  } & ({ color?: string; theme?: never } | { color?: never; theme: Record<keyof typeof THEMES, string> });
};

type ChartContextProps = { config: ChartConfig };

const ChartContext = React.createContext<ChartContextProps | null>(null);

export function useChart() {
  const context = React.useContext(ChartContext);
  if (!context) throw new Error("useChart must be used within a <ChartContainer />");
  return context;
}

export function ChartContainer({
  id,
  className,
  children,
  config,
  nonce,
  ...props
}: React.ComponentProps<"div"> & {
  config: ChartConfig;
  nonce?: string;
  children: React.ComponentProps<typeof RechartsPrimitive.ResponsiveContainer>["children"];
}) {
  const uniqueId = React.useId();
  const chartId = `chart-${id ?? uniqueId.replace(/:/g, "")}`;
  return (
    <ChartContext.Provider value={{ config }}>
      <div
        data-slot="chart"
        data-chart={chartId}
        className={cn(
          "flex aspect-video justify-center text-xs [&_.recharts-cartesian-axis-tick_text]:fill-muted-foreground [&_.recharts-cartesian-grid_line[stroke='#ccc']]:stroke-border/50 [&_.recharts-rectangle.recharts-tooltip-cursor]:fill-muted [&_.recharts-reference-area_path]:fill-primary/10 [&_.recharts-surface]:outline-hidden",
          className,
        )}
        {...props}
      >
        <ChartStyle id={chartId} config={config} nonce={nonce} />
        <RechartsPrimitive.ResponsiveContainer>{children}</RechartsPrimitive.ResponsiveContainer>
      </div>
    </ChartContext.Provider>
  );
}

export function ChartStyle({ id, config, nonce }: { id: string; config: ChartConfig; nonce?: string }) {
  const colorConfig = Object.entries(config).filter(([, c]) => c.theme ?? c.color);
  if (!colorConfig.length) return null;
  // Only keys and colours from the chart's own config reach the style text, never log data.
  const css = Object.entries(THEMES)
    .map(
      ([theme, prefix]) =>
        `${prefix} [data-chart=${id}] {\n${colorConfig
          .map(([key, item]) => {
            const color = item.theme?.[theme as keyof typeof item.theme] ?? item.color;
            return color ? `  --color-${key}: ${color};` : null;
          })
          .filter(Boolean)
          .join("\n")}\n}`,
    )
    .join("\n");
  return <style nonce={nonce} dangerouslySetInnerHTML={{ __html: css }} />;
}

export const ChartTooltip = RechartsPrimitive.Tooltip;

interface TooltipItem {
  dataKey?: unknown;
  name?: unknown;
  value?: unknown;
  color?: string;
  payload?: unknown;
}

export function ChartTooltipContent({
  active,
  payload,
  label,
  className,
  hideLabel = false,
  labelFormatter,
  valueFormatter = (v) => String(v),
}: {
  active?: boolean;
  payload?: readonly TooltipItem[];
  label?: React.ReactNode;
  className?: string;
  hideLabel?: boolean;
  labelFormatter?: (label: React.ReactNode, payload: readonly TooltipItem[]) => React.ReactNode;
  valueFormatter?: (value: unknown) => React.ReactNode;
}) {
  const { config } = useChart();
  if (!active || !payload?.length) return null;
  return (
    <div
      className={cn(
        "grid min-w-32 items-start gap-1.5 rounded-lg border border-border/50 bg-background px-2.5 py-1.5 text-xs shadow-xl",
        className,
      )}
    >
      {hideLabel ? null : <div className="font-medium">{labelFormatter ? labelFormatter(label, payload) : label}</div>}
      <div className="grid gap-1.5">
        {payload.map((item) => {
          const key = String(item.dataKey ?? item.name ?? "value");
          const itemConfig = config[key];
          return (
            <div key={key} className="flex w-full items-center gap-2">
              <div
                className="size-2.5 shrink-0 rounded-[2px] bg-(--color-bg)"
                style={{ "--color-bg": item.color ?? `var(--color-${key})` } as React.CSSProperties}
              />
              <div className="flex flex-1 justify-between gap-4 leading-none">
                <span className="text-muted-foreground">{itemConfig?.label ?? key}</span>
                <span className="font-mono font-medium text-foreground tabular-nums">{valueFormatter(item.value)}</span>
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}

export const ChartLegend = RechartsPrimitive.Legend;

/** A legend from the config alone, so it can be rendered outside the SVG (and on the server). */
export function ChartLegendContent({
  className,
  keys,
  config: given,
}: {
  className?: string;
  keys?: readonly string[];
  config?: ChartConfig;
}) {
  const context = React.useContext(ChartContext);
  const config = given ?? context?.config ?? {};
  return (
    <div className={cn("flex flex-wrap items-center justify-center gap-x-4 gap-y-1", className)}>
      {(keys ?? Object.keys(config)).map((key) => (
        <div key={key} className="flex items-center gap-1.5">
          <div
            className="size-2 shrink-0 rounded-[2px] bg-(--color-bg)"
            style={{ "--color-bg": config[key]?.color ?? `var(--color-${key})` } as React.CSSProperties}
          />
          <span className="text-muted-foreground">{config[key]?.label ?? key}</span>
        </div>
      ))}
    </div>
  );
}
