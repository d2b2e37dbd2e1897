"use client";

import { CircleAlert, CircleCheck, Download, LoaderCircle } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { useTimeZone } from "@/components/time/local-time";
import { useEffect, useRef, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { prepareExportCount, startExport, type ExportCount, type StartedExport } from "../lib/export-actions";
import { exportCountNote, recordCount } from "./entry-count";

/*
 * The Export button and its modal. The modal counts the current search on the server (the URL's
 * query, read by the same parser as the page) and says how many records the file will hold; its
 * Export button asks the server for a single-use download link and hands the link to the
 * browser's own download manager, through a hidden frame, so a file of any size streams to disk
 * without passing through this page's memory. The response sets a cookie when the file starts
 * arriving (the modal then says so); an error answer loads into the frame instead, and the modal
 * shows its text. A failure after the file started is reported by the browser's downloads list
 * as a failed download (the server cuts the response off rather than ending it).
 *
 * "Include integrity digests" asks for a second single-use link: the digests that tie every
 * exported entry to its signed block (docs/integrity.md, "Checking an export"). Its download is
 * offered once the file's has started, behind a click of its own, since browsers hold back a
 * second download that a page starts by itself.
 */

type Format = "xlsx" | "csv" | "ndjson";

const isFormat = (value: string): value is Format => value === "xlsx" || value === "csv" || value === "ndjson";

type Phase =
  | { step: "counting" }
  | { step: "ready" }
  | { step: "preparing" }
  | { step: "starting"; slow: boolean }
  | { step: "started"; fileName: string; count: number; digests: StartedExport["digests"] }
  | { step: "failed"; message: string };

type DigestsPhase = { step: "idle" } | { step: "starting" } | { step: "started" } | { step: "failed"; message: string };

const COOKIE_PREFIX = "audit-export-";
const POLL_MS = 200;
const SLOW_AFTER_MS = 20_000;
// The frame stays a while after the start so that the browser keeps the download it began.
const FRAME_LINGER_MS = 60_000;

const formatCount = (n: number) => n.toLocaleString("en-US");

// The search as the page reads it, with the zone it shows its times in named: the count, the
// file's days and its time column then use the same zone as the page, whatever the cookie says.
function searchInZone(params: URLSearchParams, timeZone: string): string {
  const query = new URLSearchParams(params);
  query.set("tz", timeZone);
  return query.toString();
}

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return null;
}

function clearCookie(name: string): void {
  document.cookie = `${name}=; Max-Age=0; Path=/; SameSite=Strict`;
}

interface DownloadWatch {
  cancel: () => void;
}

/** Starts the download in a hidden frame and reports when it started or why it failed. */
function watchDownload(
  url: string,
  downloadId: string,
  on: { started: () => void; failed: (message: string) => void; slow: () => void },
): DownloadWatch {
  const cookie = `${COOKIE_PREFIX}${downloadId}`;
  clearCookie(cookie);
  const frame = document.createElement("iframe");
  frame.hidden = true;
  frame.setAttribute("aria-hidden", "true");
  frame.tabIndex = -1;
  let done = false;
  const began = Date.now();
  let warned = false;

  const finish = () => {
    done = true;
    window.clearInterval(timer);
    clearCookie(cookie);
  };
  const removeFrame = () => frame.remove();

  // A download never loads a document into the frame; an error answer does, and its text says
  // what to do.
  frame.addEventListener("load", () => {
    if (done) return;
    let text = "";
    try {
      text = frame.contentDocument?.body?.textContent?.trim() ?? "";
    } catch {
      // Not readable (should not happen: same origin); the generic message stands.
    }
    finish();
    removeFrame();
    on.failed(text || "The download could not start. Try again.");
  });

  const timer = window.setInterval(() => {
    if (done) return;
    const state = readCookie(cookie);
    if (state === "started") {
      finish();
      window.setTimeout(removeFrame, FRAME_LINGER_MS);
      on.started();
    } else if (!warned && Date.now() - began > SLOW_AFTER_MS) {
      warned = true;
      on.slow();
    }
  }, POLL_MS);

  frame.src = url;
  document.body.appendChild(frame);
  return {
    cancel() {
      if (done) return;
      finish();
      removeFrame();
    },
  };
}

export interface ExportDialogProps {
  orgSlug: string;
  /** Whether the viewer holds audit.export; without it there is no button. */
  canExport: boolean;
}

export function ExportDialog({ orgSlug, canExport }: ExportDialogProps) {
  const searchParams = useSearchParams();
  const timeZone = useTimeZone();
  const search = searchInZone(searchParams, timeZone);
  const [open, setOpen] = useState(false);
  const [format, setFormat] = useState<Format>("xlsx");
  const [withDigests, setWithDigests] = useState(false);
  const [digestsPhase, setDigestsPhase] = useState<DigestsPhase>({ step: "idle" });
  const [count, setCount] = useState<ExportCount | null>(null);
  const [phase, setPhase] = useState<Phase>({ step: "counting" });
  const [searchAtOpen, setSearchAtOpen] = useState(search);
  // Answers that arrive after the dialog was closed (or opened again) are dropped.
  const request = useRef(0);
  const watch = useRef<DownloadWatch | null>(null);
  const digestsWatch = useRef<DownloadWatch | null>(null);

  useEffect(
    () => () => {
      watch.current?.cancel();
      digestsWatch.current?.cancel();
    },
    [],
  );

  // Counting starts from the click that opens the modal, for the search the page shows then; the
  // modal (and its Export) stays about that search.
  function startCounting() {
    const id = ++request.current;
    setSearchAtOpen(search);
    setCount(null);
    setPhase({ step: "counting" });
    prepareExportCount(orgSlug, search)
      .then((answer) => {
        if (request.current !== id) return;
        if (answer.error !== undefined) return setPhase({ step: "failed", message: answer.error });
        setCount(answer.data);
        // xlsx is the default; a result too large for a sheet goes to CSV, with the reason shown.
        setFormat(answer.data.blocked.xlsx && !answer.data.blocked.csv ? "csv" : "xlsx");
        setPhase({ step: "ready" });
      })
      .catch(() => {
        if (request.current === id)
          setPhase({
            step: "failed",
            message: "The records could not be counted. Check your connection and try again.",
          });
      });
  }

  function onOpenChange(next: boolean) {
    if (next) startCounting();
    else {
      request.current += 1;
      // A download already handed to the browser goes on; one still starting is abandoned.
      if (phase.step === "starting") watch.current?.cancel();
    }
    setOpen(next);
  }

  async function onExport() {
    if (!count) return;
    const id = ++request.current;
    setPhase({ step: "preparing" });
    setDigestsPhase({ step: "idle" });
    let answer: Awaited<ReturnType<typeof startExport>>;
    try {
      answer = await startExport(orgSlug, {
        search: searchAtOpen,
        format,
        timeZone,
        snapshotAt: count.snapshotAt,
        digests: withDigests,
      });
    } catch {
      if (request.current === id)
        setPhase({ step: "failed", message: "The export could not be prepared. Check your connection and try again." });
      return;
    }
    if (request.current !== id) return;
    if (answer.error !== undefined) return setPhase({ step: "failed", message: answer.error });
    const { url, downloadId, fileName, count: rows, digests } = answer.data;
    setCount({ ...count, count: rows });
    setPhase({ step: "starting", slow: false });
    watch.current?.cancel();
    watch.current = watchDownload(url, downloadId, {
      started: () => request.current === id && setPhase({ step: "started", fileName, count: rows, digests }),
      failed: (message) => request.current === id && setPhase({ step: "failed", message }),
      slow: () => request.current === id && setPhase({ step: "starting", slow: true }),
    });
  }

  function onDownloadDigests(digests: NonNullable<StartedExport["digests"]>) {
    const id = request.current;
    setDigestsPhase({ step: "starting" });
    digestsWatch.current?.cancel();
    digestsWatch.current = watchDownload(digests.url, digests.downloadId, {
      started: () => request.current === id && setDigestsPhase({ step: "started" }),
      failed: (message) => request.current === id && setDigestsPhase({ step: "failed", message }),
      slow: () => {},
    });
  }

  if (!canExport) return null;

  const blocked = count?.blocked[format] ?? null;
  const startedDigests = phase.step === "started" ? phase.digests : null;
  const busy = phase.step === "counting" || phase.step === "preparing" || phase.step === "starting";
  const title =
    count === null
      ? phase.step === "failed"
        ? "Export"
        : "Counting the records in the current search…"
      : count.count > count.maxRows
        ? `More than ${formatCount(count.maxRows)} records match the current search.`
        : `Downloading a total of ${recordCount(count.count)} from the current search.`;
  const exactNote = count === null ? null : exportCountNote(count.count, count.maxRows);

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <Download aria-hidden />
          Export
        </Button>
      </DialogTrigger>
      <DialogContent aria-busy={busy || undefined}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>
            The file holds every record of the current filter and search, not only this page.
            {exactNote ? ` ${exactNote}` : null}
          </DialogDescription>
        </DialogHeader>

        <fieldset className="grid gap-3" disabled={count === null || busy}>
          <legend className="mb-2 text-sm font-medium">Format</legend>
          <RadioGroup
            value={format}
            onValueChange={(v) => {
              setFormat(isFormat(v) ? v : "xlsx");
              if (phase.step === "started" || phase.step === "failed") setPhase({ step: "ready" });
            }}
            aria-label="Format"
          >
            <div className="flex items-start gap-2">
              <RadioGroupItem value="xlsx" id="export-format-xlsx" className="mt-0.5" />
              <Label htmlFor="export-format-xlsx" className="grid gap-0.5 font-normal">
                <span className="font-medium">xlsx</span>
                <span className="text-xs text-muted-foreground">Opens directly in a spreadsheet for analysis.</span>
              </Label>
            </div>
            <div className="flex items-start gap-2">
              <RadioGroupItem value="csv" id="export-format-csv" className="mt-0.5" />
              <Label htmlFor="export-format-csv" className="grid gap-0.5 font-normal">
                <span className="font-medium">CSV</span>
                <span className="text-xs text-muted-foreground">For downstream tools and bulk processing.</span>
              </Label>
            </div>
            <div className="flex items-start gap-2">
              <RadioGroupItem value="ndjson" id="export-format-ndjson" className="mt-0.5" />
              <Label htmlFor="export-format-ndjson" className="grid gap-0.5 font-normal">
                <span className="font-medium">NDJSON</span>
                <span className="text-xs text-muted-foreground">
                  One JSON object per line, as the API returns entries: for SIEMs and scripts.
                </span>
              </Label>
            </div>
          </RadioGroup>
        </fieldset>

        <div className="flex items-start gap-2">
          <Checkbox
            id="export-digests"
            checked={withDigests}
            disabled={count === null || busy}
            onCheckedChange={(checked) => {
              setWithDigests(checked === true);
              if (phase.step === "started" || phase.step === "failed") setPhase({ step: "ready" });
            }}
            className="mt-0.5"
          />
          <Label htmlFor="export-digests" className="grid gap-0.5 font-normal">
            <span className="font-medium">Include integrity digests</span>
            <span className="text-xs text-muted-foreground">
              A second file with the signed digests of the blocks that seal these records, to check the export against
              them with standard tools.
            </span>
          </Label>
        </div>

        {blocked && phase.step !== "failed" ? (
          <Alert variant="warning">
            <CircleAlert aria-hidden />
            <AlertDescription>{blocked}</AlertDescription>
          </Alert>
        ) : null}

        <ExportStatus phase={phase} />
        {startedDigests ? (
          <DigestsDownload
            fileName={startedDigests.fileName}
            phase={digestsPhase}
            onDownload={() => onDownloadDigests(startedDigests)}
          />
        ) : null}

        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            {phase.step === "started" ? "Close" : "Cancel"}
          </Button>
          <Button onClick={onExport} disabled={count === null || busy || blocked !== null}>
            {phase.step === "preparing" || phase.step === "starting" ? (
              <LoaderCircle className="animate-spin" aria-hidden />
            ) : (
              <Download aria-hidden />
            )}
            Export
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function ExportStatus({ phase }: { phase: Phase }) {
  switch (phase.step) {
    case "counting":
      return <Progress text="Counting…" />;
    case "preparing":
      return <Progress text="Preparing the export…" />;
    case "starting":
      return (
        <Progress
          text={
            phase.slow
              ? "Still waiting for the first records; a large search takes longer to start…"
              : "Starting the download…"
          }
        />
      );
    case "started":
      return (
        <Alert role="status">
          <CircleCheck aria-hidden />
          <AlertDescription>
            The download of {phase.fileName} ({recordCount(phase.count)}) has started; your browser shows its progress.
          </AlertDescription>
        </Alert>
      );
    case "failed":
      return (
        <Alert variant="destructive">
          <CircleAlert aria-hidden />
          <AlertDescription>{phase.message}</AlertDescription>
        </Alert>
      );
    default:
      return null;
  }
}

function DigestsDownload({
  fileName,
  phase,
  onDownload,
}: {
  fileName: string;
  phase: DigestsPhase;
  onDownload: () => void;
}) {
  return (
    <div className="grid gap-2">
      <Button variant="outline" onClick={onDownload} disabled={phase.step === "starting" || phase.step === "started"}>
        {phase.step === "starting" ? <LoaderCircle className="animate-spin" aria-hidden /> : <Download aria-hidden />}
        Download the integrity digests
      </Button>
      {phase.step === "started" ? (
        <p role="status" className="text-sm text-muted-foreground">
          The download of {fileName} has started. docs/integrity.md shows how to check the export against it.
        </p>
      ) : null}
      {phase.step === "failed" ? (
        <Alert variant="destructive">
          <CircleAlert aria-hidden />
          <AlertDescription>{phase.message}</AlertDescription>
        </Alert>
      ) : null}
    </div>
  );
}

function Progress({ text }: { text: string }) {
  return (
    <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
      <LoaderCircle className="size-4 animate-spin" aria-hidden />
      {text}
    </p>
  );
}
