import { ShieldAlert } from "lucide-react";
import type { ReactNode } from "react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { NO_PERMISSION_TEXT } from "@/lib/auth/messages";

/**
 * The contract's notice, with room for the "Request access" action beneath it. `title` and `lead`
 * say what exactly is missing (the settings pages lack "Manage", not the audit log).
 */
export function NoPermissionNotice({
  children,
  title = "You do not have access to the audit log",
  lead,
}: {
  children?: ReactNode;
  title?: string;
  lead?: ReactNode;
}) {
  return (
    <div className="mx-auto max-w-xl p-6">
      <Alert>
        <ShieldAlert className="size-4" aria-hidden />
        <AlertTitle>{title}</AlertTitle>
        <AlertDescription>
          {lead ? <p>{lead}</p> : null}
          <p>{NO_PERMISSION_TEXT}</p>
          {children ? <div className="mt-3">{children}</div> : null}
        </AlertDescription>
      </Alert>
    </div>
  );
}
