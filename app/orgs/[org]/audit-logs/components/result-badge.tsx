import { CircleCheck, CircleX, Clock, LoaderCircle } from "lucide-react";
import type { ComponentType, SVGProps } from "react";
import { Badge } from "@/components/ui/badge";
import type { AuditResult } from "@/db/schema/enums";
import { cn } from "@/lib/utils";
import { RESULT_LABELS } from "../lib/labels";

type Tone = {
  variant: "success" | "destructive" | "warning" | "info";
  icon: ComponentType<SVGProps<SVGSVGElement>>;
  className?: string;
};

// Each result has its own icon and word as well as a colour, so it reads without colour vision.
const TONES: Record<AuditResult, Tone> = {
  done: { variant: "success", icon: CircleCheck },
  // Tinted like the other results rather than the solid destructive fill, so a page of failures
  // does not shout louder than the data around it.
  failed: {
    variant: "destructive",
    icon: CircleX,
    className: "bg-destructive/12 text-destructive dark:bg-destructive/25 dark:text-red-300",
  },
  pending: { variant: "warning", icon: Clock },
  processing: { variant: "info", icon: LoaderCircle },
};

export function ResultBadge({ result, className }: { result: AuditResult; className?: string }) {
  const tone = TONES[result];
  const Icon = tone.icon;
  return (
    <Badge variant={tone.variant} className={cn(tone.className, className)} data-result={result}>
      <Icon aria-hidden />
      {RESULT_LABELS[result]}
    </Badge>
  );
}
