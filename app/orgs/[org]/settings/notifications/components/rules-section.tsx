"use client";

import { DeleteButton, EditButton, SectionToolbar, useEditDialog } from "./settings-rows";
import { Plus, Search } from "lucide-react";
import Link from "next/link";
import { useState, useTransition } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/switch";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { CATEGORY_LABELS, RESULT_LABELS } from "@/lib/audit-log/labels";
import { createRuleFromTemplateAction, deleteRuleAction, setRuleEnabledAction } from "../lib/actions";
import { RULE_TEMPLATES } from "../lib/rules";
import type { ChannelDto, RuleDto } from "../lib/types";
import { RuleFormDialog } from "./rule-form-dialog";
import { runWithToast } from "./run-action";

function modeText(rule: Pick<RuleDto, "mode" | "thresholdCount" | "thresholdMinutes" | "groupBy">): string {
  if (rule.mode === "each") return "Each entry";
  const per = rule.groupBy === "user" ? " per user" : rule.groupBy === "ip" ? " per IP address" : "";
  return `${rule.thresholdCount} within ${rule.thresholdMinutes} min${per}`;
}

function ConditionText({ rule }: { rule: Pick<RuleDto, "query" | "types" | "results"> }) {
  const parts = [
    ...(rule.types.length > 0 ? [`type: ${rule.types.map((t) => CATEGORY_LABELS[t]).join(", ")}`] : []),
    ...(rule.results.length > 0 ? [`result: ${rule.results.map((r) => RESULT_LABELS[r]).join(", ")}`] : []),
  ];
  return (
    <span className="grid gap-0.5 text-xs text-muted-foreground">
      {rule.query ? <code className="font-mono break-all text-foreground/80">{rule.query}</code> : null}
      {parts.length > 0 ? <span>{parts.join(" · ")}</span> : null}
    </span>
  );
}

function EnabledSwitch({ orgSlug, rule }: { orgSlug: string; rule: RuleDto }) {
  const [pending, startTransition] = useTransition();
  const [optimistic, setOptimistic] = useState<boolean | null>(null);
  const checked = optimistic ?? rule.enabled;
  return (
    <label className="flex items-center gap-2 text-sm">
      <Switch
        checked={checked}
        disabled={pending}
        aria-label={`Enabled: ${rule.name}`}
        onCheckedChange={(enabled) => {
          setOptimistic(enabled);
          startTransition(async () => {
            await runWithToast(
              () => setRuleEnabledAction(orgSlug, { id: rule.id, enabled }),
              (d) => `Rule “${rule.name}” ${d.enabled ? "switched on" : "paused"}`,
            );
            setOptimistic(null);
          });
        }}
      />
      <span className={checked ? "" : "text-muted-foreground"}>{checked ? "On" : "Paused"}</span>
    </label>
  );
}

function Templates({ orgSlug, existing }: { orgSlug: string; existing: RuleDto[] }) {
  const [pending, startTransition] = useTransition();
  const [busy, setBusy] = useState<string | null>(null);
  return (
    <div className="grid gap-3">
      <div>
        <h3 className="text-sm font-medium">Starting rules</h3>
        <p className="text-sm text-muted-foreground">
          Added paused and without channels: choose channels, then switch on.
        </p>
      </div>
      <ul className="grid gap-2 md:grid-cols-3">
        {RULE_TEMPLATES.map((template) => {
          const added = existing.some((r) => r.name === template.name);
          return (
            <li key={template.key} className="flex flex-col gap-2 rounded-md border p-3">
              <span className="text-sm font-medium">{template.name}</span>
              <span className="flex-1 text-xs text-muted-foreground">{template.summary}</span>
              <Button
                variant="outline"
                size="sm"
                disabled={pending}
                aria-label={`Add starting rule: ${template.name}`}
                onClick={() => {
                  setBusy(template.key);
                  startTransition(async () => {
                    await runWithToast(
                      () => createRuleFromTemplateAction(orgSlug, { key: template.key }),
                      () => `Rule “${template.name}” added, paused`,
                    );
                    setBusy(null);
                  });
                }}
              >
                <Plus className="size-4" aria-hidden />
                {busy === template.key ? "Adding…" : added ? "Add again" : "Add"}
              </Button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export function RulesSection({
  orgSlug,
  rules,
  channels,
}: {
  orgSlug: string;
  rules: RuleDto[];
  channels: ChannelDto[];
}) {
  const { editing, open, setOpen, edit } = useEditDialog<RuleDto>();
  const channelName = new Map(channels.map((c) => [c.id, c.name]));

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
      <SectionToolbar
        summary={
          rules.length === 0
            ? "No rules yet. Start from one of the rules below or write your own."
            : `${rules.length} ${rules.length === 1 ? "rule" : "rules"}, ${rules.filter((r) => r.enabled).length} on.`
        }
        newLabel="New rule"
        onNew={() => edit(null)}
      />
      {rules.length > 0 ? (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Rule</TableHead>
              <TableHead>Sends</TableHead>
              <TableHead>Channels</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rules.map((rule) => (
              <TableRow key={rule.id} data-rule-id={rule.id}>
                <TableCell className="max-w-80 align-top whitespace-normal">
                  <span className="block font-medium">{rule.name}</span>
                  <ConditionText rule={rule} />
                </TableCell>
                <TableCell className="align-top">{modeText(rule)}</TableCell>
                <TableCell className="max-w-56 align-top whitespace-normal">
                  {rule.channelIds.length === 0 ? (
                    <Badge variant="warning">No channel</Badge>
                  ) : (
                    <span className="text-sm">
                      {rule.channelIds.map((id) => channelName.get(id) ?? "?").join(", ")}
                    </span>
                  )}
                </TableCell>
                <TableCell className="align-top">
                  <EnabledSwitch key={`${rule.id}-${rule.enabled}`} orgSlug={orgSlug} rule={rule} />
                </TableCell>
                <TableCell className="align-top">
                  <div className="flex justify-end gap-1">
                    <Button variant="ghost" size="icon" asChild>
                      <Link
                        prefetch={false}
                        href={rule.searchHref}
                        aria-label={`Show matching entries: ${rule.name}`}
                        title="Show matching entries"
                      >
                        <Search className="size-4" aria-hidden />
                      </Link>
                    </Button>
                    <EditButton label={`Edit rule ${rule.name}`} onClick={() => edit(rule)} />
                    <DeleteButton
                      label={`Delete rule ${rule.name}`}
                      title={`Delete “${rule.name}”?`}
                      description="The rule stops sending at once. Messages already queued are still delivered."
                      confirm="Delete rule"
                      action={() => deleteRuleAction(orgSlug, { id: rule.id })}
                      success={`Rule “${rule.name}” deleted`}
                    />
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      <Templates orgSlug={orgSlug} existing={rules} />
      <RuleFormDialog orgSlug={orgSlug} channels={channels} rule={editing} open={open} onOpenChange={setOpen} />
    </div>
  );
}
