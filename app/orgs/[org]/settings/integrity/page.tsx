import type { Metadata } from "next";
import { AccessRequestOutcome } from "@/components/access-requests/access-request-outcome";
import { ManageAccessNotice } from "@/components/access-requests/manage-access-notice";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requirePageAccess } from "@/lib/auth/access";
import { parseRangeParam } from "@/lib/integrity/range";
import { getSigningKey } from "@/lib/integrity/signing-key";
import { loadChainState, PAGE_BLOCKS } from "./lib/queries";

export const metadata: Metadata = { title: "Integrity" };

const DAY_MS = 86_400_000;
const n = (v: number) => v.toLocaleString("en-US");
const utc = (d: Date) => `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The organization's chain of sealed blocks for a period (the last 7 days by default): each block
 * checked against its entries, and the public key that checks the signatures.
 */
export default async function IntegrityPage({ params, searchParams }: PageProps<"/orgs/[org]/settings/integrity">) {
  const { org } = await params;
  const raw = await searchParams;
  const { access, allowed } = await requirePageAccess(org, "audit.manage", `/orgs/${org}/settings/integrity`);
  if (!allowed) return <ManageAccessNotice access={access} />;

  const fromParam = parseRangeParam(first(raw.from), "from");
  const toParam = parseRangeParam(first(raw.to), "to");
  const problems = [fromParam, toParam].flatMap((p) => (p.ok ? [] : [p.message]));
  const to = (toParam.ok && toParam.value) || new Date();
  const from = (fromParam.ok && fromParam.value) || new Date(to.getTime() - 7 * DAY_MS);
  const key = getSigningKey();
  const state = await loadChainState(access.org.id, { from, to });

  return (
    <div className="mx-auto grid max-w-5xl min-w-0 gap-6 p-4 md:p-6">
      <AccessRequestOutcome access={access} permission="audit.manage" />
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Integrity</h1>
        <p className="text-sm text-muted-foreground">
          {access.org.name}&apos;s entries are sealed in signed blocks, in order of arrival, within about a minute. A
          changed, removed, inserted or reordered entry fails the check of its block.
        </p>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Chain</CardTitle>
          <CardDescription>
            {n(state.totalBlocks)} {state.totalBlocks === 1 ? "block" : "blocks"}
            {state.lastSealedAt ? `, the last sealed ${utc(state.lastSealedAt)}` : ""}; {n(state.unsealed)}{" "}
            {state.unsealed === 1 ? "entry" : "entries"} not sealed yet.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <form method="get" className="flex flex-wrap items-end gap-3">
            <div className="grid gap-1">
              <Label htmlFor="integrity-from">From</Label>
              <Input id="integrity-from" name="from" type="date" defaultValue={from.toISOString().slice(0, 10)} />
            </div>
            <div className="grid gap-1">
              <Label htmlFor="integrity-to">To</Label>
              <Input id="integrity-to" name="to" type="date" defaultValue={to.toISOString().slice(0, 10)} />
            </div>
            <Button type="submit" variant="outline">
              Check period
            </Button>
          </form>
          {problems.length ? (
            <p role="alert" className="text-sm text-destructive">
              {problems.join("; ")}; showing the last 7 days.
            </p>
          ) : null}
          <div role="status" className="text-sm" data-integrity-period={state.problems.length ? "failed" : "ok"}>
            {state.blocks.length === 0 ? (
              <p className="text-muted-foreground">No blocks were sealed for entries that arrived in this period.</p>
            ) : state.problems.length === 0 ? (
              <p>
                <span className="font-medium">Verified:</span> {n(state.blocks.length)}{" "}
                {state.blocks.length === 1 ? "block" : "blocks"} from {utc(from)} to {utc(to)}
                {state.truncated ? ` (the latest ${PAGE_BLOCKS}; npm run integrity:verify checks them all)` : ""}.
              </p>
            ) : (
              <div className="grid gap-1 text-destructive">
                <p className="font-medium">Integrity check failed</p>
                <ul className="list-disc pl-5 break-words">
                  {state.problems.slice(0, 10).map((p, i) => (
                    <li key={i}>{p.message}</li>
                  ))}
                </ul>
              </div>
            )}
            {state.chainStart ? (
              <p className="text-muted-foreground" data-integrity-chain-start>
                {state.chainStart}
              </p>
            ) : null}
          </div>
          {state.blocks.length > 0 ? (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Block</TableHead>
                  <TableHead>Sealed</TableHead>
                  <TableHead className="text-right">Entries</TableHead>
                  <TableHead>State</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {state.blocks.map((b) => (
                  <TableRow key={b.seq} data-block={b.seq}>
                    <TableCell className="font-mono text-xs">{n(b.seq)}</TableCell>
                    <TableCell className="text-xs">{utc(b.sealedAt)}</TableCell>
                    <TableCell className="text-right text-xs">
                      {n(b.count)}
                      {b.removedByRetention ? (
                        <span className="block text-muted-foreground">
                          {n(b.removedByRetention)} removed by retention
                        </span>
                      ) : null}
                      {b.archived ? (
                        <span className="block text-muted-foreground">{n(b.archived)} archived</span>
                      ) : null}
                    </TableCell>
                    <TableCell>
                      {b.problems.length === 0 ? (
                        <Badge variant="success">Verified</Badge>
                      ) : (
                        <Badge variant="destructive">Failed</Badge>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : null}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Public key</CardTitle>
          <CardDescription>
            Ed25519, key id <code className="font-mono">{key.keyId}</code>. Keep a copy elsewhere: with it, the signed
            digests from <code>GET /api/v1/integrity/{access.org.slug}</code> can be checked without the console.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <pre
            aria-label="Public key (PEM)"
            className="rounded-md bg-muted p-3 font-mono text-xs break-all whitespace-pre-wrap"
          >
            {key.publicKeyPem}
          </pre>
        </CardContent>
      </Card>
    </div>
  );
}
