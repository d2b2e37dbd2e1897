"use client";

import { Save } from "lucide-react";
import { useActionState, useEffect, useId, useState } from "react";
import { toast } from "sonner";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import type { AuditCategory } from "@/db/schema/enums";
import { saveRetentionSettings } from "../lib/actions";
import type { ArchiveUnit, DayRangeDto, FieldErrors, GroupDto, RetentionFormModel } from "../lib/types";

const n = (v: number) => v.toLocaleString("en-US");
const DAYS_PER_YEAR = 365.25;

function rangeText(range: DayRangeDto): string {
  return `Allowed: ${n(range.min)}–${n(range.max)} days`;
}

// Mirrors the server's check, for an immediate hint; the server decides.
function outOfRange(value: string, range: DayRangeDto): boolean {
  if (!/^\d+$/.test(value.trim())) return true;
  const v = Number(value);
  return v < range.min || v > range.max;
}

function archiveDays(period: string, unit: ArchiveUnit): number | null {
  if (!/^\d+$/.test(period.trim())) return null;
  return unit === "years" ? Math.round(Number(period) * DAYS_PER_YEAR) : Number(period);
}

function initialArchivePeriod(days: number): { period: string; unit: ArchiveUnit } {
  const years = Math.round(days / DAYS_PER_YEAR);
  return years >= 1 && Math.round(years * DAYS_PER_YEAR) === days
    ? { period: String(years), unit: "years" }
    : { period: String(days), unit: "days" };
}

function DaysField({
  id,
  label,
  value,
  range,
  error,
  note,
  onChange,
  name,
}: {
  id: string;
  label: string;
  value: string;
  range: DayRangeDto;
  error: string | undefined;
  note: string | null;
  onChange: (value: string) => void;
  name: string;
}) {
  const invalid = error !== undefined || outOfRange(value, range);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div className="grid gap-1.5" data-retention-field={name}>
      <Label htmlFor={id}>{label}</Label>
      <div className="flex items-center gap-2">
        <Input
          id={id}
          name={name}
          inputMode="numeric"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          className="w-28"
          aria-invalid={invalid || undefined}
          aria-describedby={error ? `${hintId} ${errorId}` : hintId}
        />
        <span className="text-sm text-muted-foreground">days</span>
      </div>
      <p id={hintId} className="text-xs text-muted-foreground">
        {rangeText(range)}
        {note ? <span className="block text-warning">{note}</span> : null}
      </p>
      {error ? (
        <p id={errorId} className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function GroupCard({
  group,
  values,
  errors,
  setValue,
  setGroup,
}: {
  group: GroupDto;
  values: Record<AuditCategory, string>;
  errors: FieldErrors;
  setValue: (category: AuditCategory, value: string) => void;
  setGroup: (value: string) => void;
}) {
  const baseId = useId();
  const [groupValue, setGroupValue] = useState("");
  const groupInvalid = groupValue !== "" && outOfRange(groupValue, group.range);
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>{group.label} categories</h2>
        </CardTitle>
        <CardDescription>
          {group.description} Default {n(group.defaultDays)} days. {rangeText(group.range)}.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-6">
        <div className="flex flex-wrap items-end gap-3 rounded-md border bg-muted/40 p-3">
          <div className="grid gap-1.5">
            <Label htmlFor={`${baseId}-all`}>Set every {group.label.toLowerCase()} category to</Label>
            <div className="flex items-center gap-2">
              <Input
                id={`${baseId}-all`}
                inputMode="numeric"
                value={groupValue}
                onChange={(e) => setGroupValue(e.target.value)}
                placeholder={String(group.defaultDays)}
                className="w-28"
                aria-invalid={groupInvalid || undefined}
              />
              <span className="text-sm text-muted-foreground">days</span>
            </div>
          </div>
          <Button
            type="button"
            variant="outline"
            disabled={groupValue.trim() === ""}
            onClick={() => setGroup(groupValue.trim())}
          >
            Apply to group
          </Button>
          <Button type="button" variant="ghost" onClick={() => setGroup(String(group.defaultDays))}>
            Use default ({n(group.defaultDays)} days)
          </Button>
        </div>
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {group.categories.map((field) => (
            <DaysField
              key={field.category}
              id={`${baseId}-${field.category}`}
              name={`days.${field.category}`}
              label={field.label}
              value={values[field.category]}
              range={group.range}
              error={errors[`days.${field.category}`]}
              note={
                field.storedBelowMinimum !== null
                  ? `Saved as ${n(field.storedBelowMinimum)} days, below the minimum: ${n(field.days)} days apply.`
                  : null
              }
              onChange={(value) => setValue(field.category, value)}
            />
          ))}
        </div>
      </CardContent>
    </Card>
  );
}

function ArchiveCard({
  model,
  enabled,
  setEnabled,
  period,
  setPeriod,
  unit,
  setUnit,
  error,
}: {
  model: RetentionFormModel["archive"];
  enabled: boolean;
  setEnabled: (v: boolean) => void;
  period: string;
  setPeriod: (v: string) => void;
  unit: ArchiveUnit;
  setUnit: (v: ArchiveUnit) => void;
  error: string | undefined;
}) {
  const id = useId();
  const days = archiveDays(period, unit);
  const invalid = error !== undefined || days === null || days < model.range.min || days > model.range.max;
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Archive</h2>
        </CardTitle>
        <CardDescription>
          With the archive on, logs past their retention period move to the archive instead of being deleted. The
          archive is browsable in the audit log explorer. Archived logs are deleted once they have been in the archive
          for the archive period.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-6">
        <div className="flex items-center gap-3">
          <Switch id={`${id}-enabled`} checked={enabled} onCheckedChange={setEnabled} />
          <Label htmlFor={`${id}-enabled`}>Move expired logs to the archive instead of deleting them</Label>
          <input type="hidden" name="archiveEnabled" value={enabled ? "on" : ""} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-period`}>Archive period</Label>
          <div className="flex items-center gap-2">
            <Input
              id={`${id}-period`}
              name="archivePeriod"
              inputMode="numeric"
              value={period}
              onChange={(e) => setPeriod(e.target.value)}
              className="w-28"
              aria-invalid={invalid || undefined}
              aria-describedby={`${id}-period-hint`}
            />
            <Select value={unit} onValueChange={(v) => setUnit(v as ArchiveUnit)}>
              <SelectTrigger className="w-28" aria-label="Archive period unit">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value="days">days</SelectItem>
                <SelectItem value="years">years</SelectItem>
              </SelectContent>
            </Select>
            <input type="hidden" name="archiveUnit" value={unit} />
          </div>
          <p id={`${id}-period-hint`} className="text-xs text-muted-foreground">
            Allowed: {n(model.range.min)} days to {n(Math.floor(model.range.max / DAYS_PER_YEAR))} years (
            {n(model.range.max)} days). Default {n(Math.round(model.defaultDays / DAYS_PER_YEAR))} years.
            {unit === "years" && days !== null ? ` ${n(days)} days.` : null}
          </p>
          {error ? <p className="text-xs text-destructive">{error}</p> : null}
        </div>
      </CardContent>
    </Card>
  );
}

export function RetentionForm({ model }: { model: RetentionFormModel }) {
  const [state, formAction, pending] = useActionState(saveRetentionSettings, null);
  const [values, setValues] = useState<Record<AuditCategory, string>>(
    () =>
      Object.fromEntries(model.groups.flatMap((g) => g.categories.map((c) => [c.category, String(c.days)]))) as Record<
        AuditCategory,
        string
      >,
  );
  const [enabled, setEnabled] = useState(model.archive.enabled);
  const initial = initialArchivePeriod(model.archive.days);
  const [period, setPeriod] = useState(initial.period);
  const [unit, setUnit] = useState<ArchiveUnit>(initial.unit);
  const errors: FieldErrors = (state?.error !== undefined ? state.fieldErrors : undefined) ?? {};

  useEffect(() => {
    if (!state) return;
    if (state.error !== undefined) toast.error(state.error);
    else toast.success(state.data.changed ? "Retention settings saved" : "No changes to save");
  }, [state]);

  return (
    <form action={formAction} className="grid gap-6" aria-label="Retention settings" noValidate>
      <input type="hidden" name="orgSlug" value={model.orgSlug} />
      {state?.error !== undefined ? (
        <Alert variant="destructive">
          <AlertTitle>Not saved</AlertTitle>
          <AlertDescription>{state.error}</AlertDescription>
        </Alert>
      ) : null}
      {model.groups.map((group) => (
        <GroupCard
          key={group.id}
          group={group}
          values={values}
          errors={errors}
          setValue={(category, value) => setValues((v) => ({ ...v, [category]: value }))}
          setGroup={(value) =>
            setValues((v) => ({ ...v, ...Object.fromEntries(group.categories.map((c) => [c.category, value])) }))
          }
        />
      ))}
      <ArchiveCard
        model={model.archive}
        enabled={enabled}
        setEnabled={setEnabled}
        period={period}
        setPeriod={setPeriod}
        unit={unit}
        setUnit={setUnit}
        error={errors.archivePeriod}
      />
      <div className="flex justify-end">
        <Button type="submit" disabled={pending}>
          <Save className="size-4" aria-hidden /> {pending ? "Saving…" : "Save"}
        </Button>
      </div>
    </form>
  );
}
