import { TriangleAlert } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import type { ParamProblem } from "@/lib/audit-log/search-params";

/** The parts of the address the page could not use; the rest of it still applies. */
export function ParamsNotice({ problems }: { problems: ParamProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <Alert variant="warning" role="status">
      <TriangleAlert aria-hidden />
      <AlertTitle>Part of the address was ignored</AlertTitle>
      <AlertDescription>
        <ul className="grid gap-0.5">
          {problems.map((p, i) => (
            <li key={`${p.param}-${i}`}>{p.message}</li>
          ))}
        </ul>
      </AlertDescription>
    </Alert>
  );
}
