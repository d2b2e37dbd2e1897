import "./audit-log-table.css";

export interface CellStackProps {
  primary: string;
  secondary?: string | null;
  /** The main line in medium weight (actor, action). */
  strong?: boolean;
  /** Room for longer text (descriptions). */
  wide?: boolean;
}

/** A table cell's main line and muted second line, each cut with an ellipsis and whole on hover. */
export function CellStack({ primary, secondary, strong = false, wide = false }: CellStackProps) {
  return (
    <span className={wide ? "cell-stack cell-stack-wide" : "cell-stack"}>
      <span className={strong ? "cell-main cell-strong" : "cell-main"} title={primary}>
        {primary}
      </span>
      {secondary ? (
        <span className="cell-sub" title={secondary}>
          {secondary}
        </span>
      ) : null}
    </span>
  );
}
