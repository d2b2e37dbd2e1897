"use client";

import { ListFilter } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { Separator } from "@/components/ui/separator";
import {
  auditCategory,
  auditLevel,
  auditResult,
  type AuditCategory,
  type AuditLevel,
  type AuditResult,
} from "@/db/schema/enums";
import { CATEGORY_LABELS, LEVEL_LABELS, RESULT_LABELS } from "@/lib/audit-log/labels";
import { qualifierValues, withQualifierValues } from "@/lib/audit-log/search-edits";
import {
  explorerHref,
  PANEL_FILTERS_CLEARED,
  PERIODS,
  type ExplorerParams,
  type Period,
} from "@/lib/audit-log/search-params";
import { customBound, dateInputValue, PERIOD_LABELS, timeInputValue } from "./filter-labels";
import { UserPicker, type PickedUser } from "./user-picker";

interface Draft {
  period: Period;
  from: string;
  fromTime: string;
  to: string;
  toTime: string;
  type: AuditCategory[];
  user: PickedUser | null;
  result: AuditResult[];
  /** Level and service have no URL param of their own: they are `level:` and `service:` in `q`. */
  level: AuditLevel[];
  service: string;
}

// Services are typed as a comma list; a service name with a comma is searched for in the box.
const serviceList = (text: string) =>
  text
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");

function draftFrom(params: ExplorerParams, userName: string | null): Draft {
  return {
    period: params.period,
    from: dateInputValue(params.from),
    fromTime: timeInputValue(params.from),
    to: dateInputValue(params.to),
    toTime: timeInputValue(params.to),
    type: [...params.type],
    user: params.user ? { value: params.user, name: userName } : null,
    result: [...params.result],
    level: auditLevel.enumValues.filter((l) => qualifierValues(params.q, "level", params.tz).includes(l)),
    service: qualifierValues(params.q, "service", params.tz).join(", "),
  };
}

export function activeFilterCount(params: ExplorerParams): number {
  return (
    (params.period !== "7d" ? 1 : 0) +
    params.type.length +
    (params.user ? 1 : 0) +
    params.result.length +
    qualifierValues(params.q, "level", params.tz).length +
    qualifierValues(params.q, "service", params.tz).length +
    (params.scope === "archive" ? 1 : 0)
  );
}

function draftError(draft: Draft): string | null {
  if (draft.period !== "custom") return null;
  if (draft.from && draft.to && draft.to < draft.from) return "The end date is before the start date.";
  if (draft.from && draft.from === draft.to && draft.fromTime && draft.toTime && draft.toTime < draft.fromTime) {
    return "The end time is before the start time.";
  }
  if ((draft.fromTime && !draft.from) || (draft.toTime && !draft.to)) return "A time needs its date.";
  return null;
}

/** `q` with the panel's level and service in it (the rest of the search as it was). */
function searchWith(params: ExplorerParams, level: AuditLevel[], service: string[]): string {
  const withLevel = withQualifierValues(params.q, "level", level, params.tz);
  return withQualifierValues(withLevel, "service", service, params.tz);
}

/**
 * The Filter button and its panel: every filter the URL has (period, type, user, result) and the
 * two the search language adds (level, service), multi-select where several values apply,
 * applied together by "Apply" (one history entry), cleared together by "Reset". The panel edits a
 * draft; the URL only changes on Apply.
 */
export function FilterPanel({
  orgSlug,
  params,
  userName,
}: {
  orgSlug: string;
  params: ExplorerParams;
  userName: string | null;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(() => draftFrom(params, userName));
  const [isPending, startTransition] = useTransition();
  const id = useId();
  const count = activeFilterCount(params);
  const error = draftError(draft);

  function onOpenChange(next: boolean) {
    // Each opening starts from what the page shows, not from an abandoned draft.
    if (next) setDraft(draftFrom(params, userName));
    setOpen(next);
  }

  function navigate(href: string) {
    setOpen(false);
    startTransition(() => router.push(href, { scroll: false }));
  }

  function apply() {
    if (error) return;
    const custom = draft.period === "custom";
    navigate(
      explorerHref(pathname, params, {
        period: draft.period,
        from: custom ? customBound(draft.from, draft.fromTime) : null,
        to: custom ? customBound(draft.to, draft.toTime) : null,
        // The page's zone (the reader's, or the link's): the one its times are shown in. A link
        // with day bounds keeps it (explorerHref), so it means the same days to whoever opens it.
        tz: params.tz,
        type: auditCategory.enumValues.filter((c) => draft.type.includes(c)),
        user: draft.user?.value ?? null,
        result: auditResult.enumValues.filter((r) => draft.result.includes(r)),
        q: searchWith(params, draft.level, serviceList(draft.service)),
        entry: null,
      }),
    );
  }

  function reset() {
    navigate(explorerHref(pathname, params, { ...PANEL_FILTERS_CLEARED, q: searchWith(params, [], []), entry: null }));
  }

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const toggleType = (code: AuditCategory, on: boolean) =>
    set({ type: on ? [...draft.type, code] : draft.type.filter((c) => c !== code) });
  const toggleResult = (code: AuditResult, on: boolean) =>
    set({ result: on ? [...draft.result, code] : draft.result.filter((c) => c !== code) });
  const toggleLevel = (code: AuditLevel, on: boolean) =>
    set({ level: on ? [...draft.level, code] : draft.level.filter((c) => c !== code) });

  return (
    <Popover open={open} onOpenChange={onOpenChange}>
      {/* Dims the table (see ExplorerView) while the filtered page is on its way. */}
      {isPending ? <span hidden data-pending="" /> : null}
      <PopoverTrigger asChild>
        <Button variant="outline" className="shrink-0">
          <ListFilter aria-hidden />
          Filter
          {count > 0 ? (
            <span
              aria-hidden
              className="rounded-full bg-primary px-1.5 text-xs leading-5 text-primary-foreground tabular-nums"
            >
              {count}
            </span>
          ) : null}
        </Button>
      </PopoverTrigger>
      <PopoverContent
        align="start"
        aria-label="Filters"
        className="flex max-h-(--radix-popover-content-available-height) w-[min(44rem,calc(100vw-2rem))] flex-col p-0"
      >
        <form
          className="flex min-h-0 flex-col"
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <div className="grid min-h-0 gap-5 overflow-y-auto p-4 md:grid-cols-[minmax(0,15rem)_minmax(0,1fr)]">
            <div className="grid content-start gap-5">
              <fieldset className="grid gap-2.5">
                <legend className="mb-2.5 text-sm font-semibold">Period</legend>
                <RadioGroup value={draft.period} onValueChange={(v) => set({ period: v as Period })} className="gap-2">
                  {PERIODS.map((p) => (
                    <Label key={p} htmlFor={`${id}-period-${p}`} className="font-normal">
                      <RadioGroupItem id={`${id}-period-${p}`} value={p} />
                      {PERIOD_LABELS[p]}
                    </Label>
                  ))}
                </RadioGroup>
                {draft.period === "custom" ? (
                  <div className="grid gap-2 pl-6">
                    <div className="grid gap-1">
                      <Label htmlFor={`${id}-from`} className="text-xs">
                        Start date
                      </Label>
                      <div className="flex gap-2">
                        <Input
                          id={`${id}-from`}
                          type="date"
                          value={draft.from}
                          max={draft.to || undefined}
                          onChange={(e) => set({ from: e.target.value })}
                          className="h-8 px-2"
                        />
                        <Label htmlFor={`${id}-from-time`} className="sr-only">
                          Start time
                        </Label>
                        <Input
                          id={`${id}-from-time`}
                          type="time"
                          value={draft.fromTime}
                          onChange={(e) => set({ fromTime: e.target.value })}
                          className="h-8 px-2"
                        />
                      </div>
                    </div>
                    <div className="grid gap-1">
                      <Label htmlFor={`${id}-to`} className="text-xs">
                        End date
                      </Label>
                      <div className="flex gap-2">
                        <Input
                          id={`${id}-to`}
                          type="date"
                          value={draft.to}
                          min={draft.from || undefined}
                          onChange={(e) => set({ to: e.target.value })}
                          aria-invalid={error ? true : undefined}
                          aria-describedby={error ? `${id}-range-error` : undefined}
                          className="h-8 px-2"
                        />
                        <Label htmlFor={`${id}-to-time`} className="sr-only">
                          End time
                        </Label>
                        <Input
                          id={`${id}-to-time`}
                          type="time"
                          value={draft.toTime}
                          onChange={(e) => set({ toTime: e.target.value })}
                          aria-invalid={error ? true : undefined}
                          className="h-8 px-2"
                        />
                      </div>
                    </div>
                    {error ? (
                      <p id={`${id}-range-error`} role="alert" className="text-xs text-destructive dark:text-red-300">
                        {error}
                      </p>
                    ) : (
                      <p className="text-xs text-muted-foreground">
                        Both days are included, or from the start time to the end time when given (your time zone).
                        Leave one empty for an open range.
                      </p>
                    )}
                  </div>
                ) : null}
              </fieldset>
              <fieldset className="grid gap-2" aria-describedby={`${id}-result-hint`}>
                <legend className="mb-2 text-sm font-semibold">Result</legend>
                <div className="grid grid-cols-2 gap-x-3 gap-y-2">
                  {auditResult.enumValues.map((code) => (
                    <Label key={code} htmlFor={`${id}-result-${code}`} className="font-normal">
                      <Checkbox
                        id={`${id}-result-${code}`}
                        checked={draft.result.includes(code)}
                        onCheckedChange={(v) => toggleResult(code, v === true)}
                      />
                      {RESULT_LABELS[code]}
                    </Label>
                  ))}
                </div>
                <p id={`${id}-result-hint`} className="text-xs text-muted-foreground">
                  None checked: every result.
                </p>
              </fieldset>
              <fieldset className="grid gap-2">
                <legend className="mb-2 text-sm font-semibold">Level</legend>
                <div className="grid grid-cols-2 gap-x-3 gap-y-2">
                  {auditLevel.enumValues.map((code) => (
                    <Label key={code} htmlFor={`${id}-level-${code}`} className="font-normal">
                      <Checkbox
                        id={`${id}-level-${code}`}
                        checked={draft.level.includes(code)}
                        onCheckedChange={(v) => toggleLevel(code, v === true)}
                      />
                      {LEVEL_LABELS[code]}
                    </Label>
                  ))}
                </div>
              </fieldset>
            </div>
            <div className="grid content-start gap-5">
              <fieldset className="grid gap-2">
                <legend className="mb-2 flex w-full items-center justify-between gap-2 text-sm font-semibold">
                  Type
                </legend>
                <div className="grid grid-cols-2 gap-x-3 gap-y-2 sm:grid-cols-3">
                  {auditCategory.enumValues.map((code) => (
                    <Label key={code} htmlFor={`${id}-type-${code}`} className="font-normal">
                      <Checkbox
                        id={`${id}-type-${code}`}
                        checked={draft.type.includes(code)}
                        onCheckedChange={(v) => toggleType(code, v === true)}
                      />
                      {CATEGORY_LABELS[code]}
                    </Label>
                  ))}
                </div>
                <div className="flex gap-1">
                  <Button
                    type="button"
                    variant="ghost"
                    size="sm"
                    className="h-7 px-2 text-xs"
                    onClick={() => set({ type: [...auditCategory.enumValues] })}
                  >
                    Select all
                  </Button>
                  <Button
                    type="button"
                    variant="ghost"
                    size="sm"
                    className="h-7 px-2 text-xs"
                    onClick={() => set({ type: [] })}
                  >
                    Clear types
                  </Button>
                </div>
              </fieldset>
              <fieldset className="grid gap-2">
                <legend className="mb-2 text-sm font-semibold">User</legend>
                <UserPicker orgSlug={orgSlug} value={draft.user} onChange={(user) => set({ user })} />
              </fieldset>
              <div className="grid gap-2">
                <Label htmlFor={`${id}-service`} className="text-sm font-semibold">
                  Service or module
                </Label>
                <Input
                  id={`${id}-service`}
                  value={draft.service}
                  onChange={(e) => set({ service: e.target.value })}
                  placeholder="e.g. Deployments, Billing"
                  autoComplete="off"
                  spellCheck={false}
                  aria-describedby={`${id}-service-hint`}
                  className="h-8"
                />
                <p id={`${id}-service-hint`} className="text-xs text-muted-foreground">
                  The whole name, any case; several separated by commas. Written into the search as service:
                </p>
              </div>
            </div>
          </div>
          <Separator />
          <div className="flex items-center justify-between gap-2 p-3">
            <Button type="button" variant="ghost" onClick={reset}>
              Reset
            </Button>
            <div className="flex gap-2">
              <Button type="button" variant="outline" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={error !== null}>
                Apply
              </Button>
            </div>
          </div>
        </form>
      </PopoverContent>
    </Popover>
  );
}
