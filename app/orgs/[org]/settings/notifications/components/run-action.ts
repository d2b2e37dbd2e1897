import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";

export const UNEXPECTED = "Something went wrong. Reload the page and try again.";

/**
 * Runs a server action for a control and reports the outcome as a toast; a thrown error (network,
 * a refused origin) becomes a toast too instead of reaching the error boundary mid-transition.
 * Answers the data, or null when it failed.
 */
export async function runWithToast<T>(
  action: () => Promise<ActionResult<T>>,
  success: ((data: T) => string) | null,
): Promise<T | null> {
  try {
    const result = await action();
    if (result.error !== undefined) {
      toast.error(result.error);
      return null;
    }
    if (success) toast.success(success(result.data));
    return result.data;
  } catch {
    toast.error(UNEXPECTED);
    return null;
  }
}
