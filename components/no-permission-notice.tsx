import { ShieldAlert } from "lucide-react";
import type { ReactNode } from "react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { NO_PERMISSION_TEXT } from "@/lib/auth/messages";

/** The contract's notice, with room for the "Request access" action beneath it. */
export function NoPermissionNotice({ children }: { children?: ReactNode }) {
  return (
    <div className="mx-auto max-w-xl p-6">
      <Alert>
        <ShieldAlert className="size-4" aria-hidden />
        <AlertTitle>You do not have access to the audit log</AlertTitle>
        <AlertDescription>
          <p>{NO_PERMISSION_TEXT}</p>
          {children ? <div className="mt-3">{children}</div> : null}
        </AlertDescription>
      </Alert>
    </div>
  );
}
