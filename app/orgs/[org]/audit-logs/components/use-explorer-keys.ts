"use client";

import { useEffect, useRef } from "react";

export interface ExplorerKeyHandlers {
  move: (delta: 1 | -1) => void;
  /** `rowId`: the row that had focus, if any; it wins over the remembered selection. */
  open: (rowId: string | null) => void;
  close: () => boolean;
  focusSearch: () => void;
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement)
    return !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
  return target.getAttribute("role") === "combobox";
}

// Inside a popover, menu or dialog that is not the details sheet: keys belong to it.
function inOverlay(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  return (
    target.closest(
      "[data-radix-popper-content-wrapper], [role=menu], [role=listbox], [role=dialog]:not([data-details-sheet])",
    ) !== null
  );
}

function rowIdOf(target: EventTarget | null): string | null {
  return target instanceof Element
    ? (target.closest("tr[data-entry-id]")?.getAttribute("data-entry-id") ?? null)
    : null;
}

const onRow = (target: EventTarget | null) => rowIdOf(target) !== null;

const isControl = (target: EventTarget | null) =>
  target instanceof Element && target.closest("button, a[href]") !== null;

/**
 * The explorer's keyboard: j/k (anywhere but text fields) and the arrow keys (on a row) move the
 * selection, Enter opens it, Escape closes the details, "/" focuses the search. Registered once;
 * the handlers are read through a ref so they always see the current page.
 */
export function useExplorerKeys(handlers: ExplorerKeyHandlers) {
  const ref = useRef(handlers);
  useEffect(() => {
    ref.current = handlers;
  });
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      // Radix layers close themselves on Escape and mark the event handled.
      if (event.defaultPrevented || event.isComposing) return;
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      const target = event.target;
      if (isTextField(target) || inOverlay(target)) return;
      const h = ref.current;
      switch (event.key) {
        case "/":
          event.preventDefault();
          h.focusSearch();
          return;
        case "j":
        case "k":
          event.preventDefault();
          h.move(event.key === "j" ? 1 : -1);
          return;
        case "ArrowDown":
        case "ArrowUp":
          // Elsewhere the arrows keep scrolling the page.
          if (!onRow(target)) return;
          event.preventDefault();
          h.move(event.key === "ArrowDown" ? 1 : -1);
          return;
        case "Enter":
          // On a button or link (a row's pivot button too), Enter is that control's.
          if (isControl(target)) return;
          if (!onRow(target) && target !== document.body) return;
          event.preventDefault();
          h.open(rowIdOf(target));
          return;
        case "Escape":
          if (h.close()) event.preventDefault();
          return;
      }
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
}
