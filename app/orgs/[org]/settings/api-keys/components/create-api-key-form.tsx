"use client";

import { Copy, KeyRound } from "lucide-react";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { ApiKeyScope } from "@/db/schema/enums";
import { API_KEY_SCOPES, SCOPE_LABELS } from "@/lib/api-keys/scopes";
import { createApiKeyAction } from "../lib/actions";

export function CreateApiKeyForm({ orgSlug }: { orgSlug: string }) {
  const [name, setName] = useState("");
  // Ingestion is what most keys are for, and what keys were before scopes.
  const [scopes, setScopes] = useState<ApiKeyScope[]>(["write"]);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ name: string; value: string; scopes: ApiKeyScope[] } | null>(null);
  const [pending, startTransition] = useTransition();

  function toggle(scope: ApiKeyScope, on: boolean) {
    setScopes((current) => API_KEY_SCOPES.filter((s) => (s === scope ? on : current.includes(s))));
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await createApiKeyAction(orgSlug, { name, scopes });
      if (result.error !== undefined) {
        setError(result.error);
        return;
      }
      setError(null);
      setName("");
      setScopes(["write"]);
      setSecret({ name: result.data.name, value: result.data.secret, scopes: result.data.scopes });
    });
  }

  async function copy() {
    if (!secret) return;
    await navigator.clipboard.writeText(secret.value);
    toast.success("API key copied");
  }

  return (
    <>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
        <div className="grid min-w-64 flex-1 gap-2">
          <Label htmlFor="api-key-name">Key name</Label>
          <Input
            id="api-key-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. deployments service"
            maxLength={100}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "api-key-error" : undefined}
          />
        </div>
        <fieldset className="grid gap-2">
          <legend className="mb-2 text-sm leading-none font-medium">Scopes</legend>
          <div className="flex flex-wrap gap-x-4 gap-y-2">
            {API_KEY_SCOPES.map((scope) => (
              <div key={scope} className="flex items-center gap-2">
                <Checkbox
                  id={`api-key-scope-${scope}`}
                  checked={scopes.includes(scope)}
                  onCheckedChange={(checked) => toggle(scope, checked === true)}
                />
                <Label htmlFor={`api-key-scope-${scope}`} className="font-normal">
                  {SCOPE_LABELS[scope]}
                </Label>
              </div>
            ))}
          </div>
        </fieldset>
        <Button type="submit" disabled={pending || name.trim() === "" || scopes.length === 0}>
          <KeyRound className="size-4" aria-hidden /> {pending ? "Creating…" : "Create key"}
        </Button>
        {error ? (
          <p id="api-key-error" role="alert" className="w-full text-sm text-destructive">
            {error}
          </p>
        ) : null}
      </form>
      <Dialog open={secret !== null} onOpenChange={(open) => (open ? null : setSecret(null))}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>API key “{secret?.name}” created</DialogTitle>
            <DialogDescription>
              Copy the secret now: it is shown only once and cannot be retrieved later. Scopes:{" "}
              {secret?.scopes.join(", ")}.
            </DialogDescription>
          </DialogHeader>
          <Alert>
            <AlertDescription>
              <code data-testid="api-key-secret" className="font-mono text-xs break-all select-all">
                {secret?.value}
              </code>
            </AlertDescription>
          </Alert>
          <DialogFooter>
            <Button variant="outline" onClick={copy}>
              <Copy className="size-4" aria-hidden /> Copy
            </Button>
            <Button onClick={() => setSecret(null)}>Done</Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
