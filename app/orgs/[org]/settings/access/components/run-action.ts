import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";

const UNEXPECTED = "Something went wrong. Reload the page and try again.";

/**
 * Runs a server action for a control and reports the outcome as a toast. A thrown error (network,
 * a refused origin) becomes a toast too instead of reaching the error boundary mid-transition.
 */
export async function runWithToast<T>(
  action: () => Promise<ActionResult<T>>,
  success: (data: T) => string,
): Promise<boolean> {
  try {
    const result = await action();
    if (result.error !== undefined) {
      toast.error(result.error);
      return false;
    }
    toast.success(success(result.data));
    return true;
  } catch {
    toast.error(UNEXPECTED);
    return false;
  }
}
