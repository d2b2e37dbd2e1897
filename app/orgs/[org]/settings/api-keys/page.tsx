import type { Metadata } from "next";
import { AccessRequestOutcome } from "@/components/access-requests/access-request-outcome";
import { ManageAccessNotice } from "@/components/access-requests/manage-access-notice";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requirePageAccess } from "@/lib/auth/access";
import { CreateApiKeyForm } from "./components/create-api-key-form";
import { RevokeApiKeyButton } from "./components/revoke-api-key-button";
import { listApiKeys } from "./lib/queries";

export const metadata: Metadata = { title: "API keys" };

function formatDate(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "never";
}

export default async function ApiKeysPage({ params }: PageProps<"/orgs/[org]/settings/api-keys">) {
  const { org } = await params;
  const { access, allowed } = await requirePageAccess(org, "audit.manage", `/orgs/${org}/settings/api-keys`);
  if (!allowed) return <ManageAccessNotice access={access} />;
  const keys = await listApiKeys(access.org.id);
  return (
    <div className="mx-auto grid max-w-5xl gap-6 p-6">
      <AccessRequestOutcome access={access} permission="audit.manage" />
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">API keys</h1>
        <p className="text-sm text-muted-foreground">
          Services write events into {access.org.name}&apos;s audit log with <code>POST /api/v1/audit-events</code>, and
          read it with <code>GET /api/v1/audit-events</code>, with a key from this page as a bearer token. A key does
          only what its scopes allow: <strong>write</strong> for ingestion, <strong>read</strong> for reading.
        </p>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Create a key</CardTitle>
          <CardDescription>
            The secret is shown once. Only its first characters are kept to recognise it.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <CreateApiKeyForm orgSlug={access.org.slug} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Keys</CardTitle>
        </CardHeader>
        <CardContent>
          {keys.length === 0 ? (
            <p className="text-sm text-muted-foreground">No keys yet.</p>
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Key</TableHead>
                  <TableHead>Scopes</TableHead>
                  <TableHead>Created</TableHead>
                  <TableHead>Last used</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {keys.map((key) => (
                  <TableRow key={key.id} data-api-key-id={key.id}>
                    <TableCell className="font-medium">{key.name}</TableCell>
                    <TableCell>
                      <code className="font-mono text-xs">{key.prefix}…</code>
                    </TableCell>
                    <TableCell>
                      <span className="flex flex-wrap gap-1" data-api-key-scopes={key.scopes.join(",")}>
                        {key.scopes.map((scope) => (
                          <Badge key={scope} variant="outline">
                            {scope}
                          </Badge>
                        ))}
                      </span>
                    </TableCell>
                    <TableCell>
                      {formatDate(key.createdAt)}
                      {key.createdBy ? (
                        <span className="block text-xs text-muted-foreground">{key.createdBy}</span>
                      ) : null}
                    </TableCell>
                    <TableCell>{formatDate(key.lastUsedAt)}</TableCell>
                    <TableCell>
                      {key.revokedAt ? (
                        <Badge variant="secondary">Revoked</Badge>
                      ) : (
                        <Badge variant="success">Active</Badge>
                      )}
                    </TableCell>
                    <TableCell className="text-right">
                      {key.revokedAt ? null : (
                        <RevokeApiKeyButton orgSlug={access.org.slug} keyId={key.id} name={key.name} />
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
