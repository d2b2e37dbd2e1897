import { describe, expect, it } from "vitest";
import { CopyCsvPostProcessor, type CopyCsvOptions } from "@/lib/exports/csv-writer";
import { OffThreadCsvPostProcessor } from "@/lib/exports/off-thread-csv";
import { runningFromSources } from "@/lib/exports/piece-worker";

const OPTIONS: CopyCsvOptions = {
  fields: 3,
  neutralise: [false, true, true],
  permalinkPrefix: "https://console.test/e/",
};

// COPY-style CSV: LF line ends, quoted fields with embedded newlines and quotes, formula-like values.
function copyOutput(records: number): Buffer {
  let text = "";
  for (let i = 0; i < records; i++) {
    const second = i % 3 === 0 ? `=HYPERLINK("x${i}")` : `plain ${i}`;
    const third = i % 4 === 0 ? `"line one\nline ""two"" ${i}"` : `+${i}`;
    text += `id-${i},${second.includes('"') ? `"${second.replace(/"/g, '""')}"` : second},${third}\n`;
  }
  return Buffer.from(text, "utf8");
}

function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(Buffer.from(bytes.subarray(at, at + size)));
  return out;
}

describe("OffThreadCsvPostProcessor", () => {
  it("writes the same bytes as the in-thread processor, in order, with several pieces in flight", async () => {
    const input = copyOutput(2000);
    const expected = Buffer.from(new CopyCsvPostProcessor(OPTIONS).transform(input));
    const offThread = new OffThreadCsvPostProcessor(OPTIONS);
    try {
      // Pieces of 97 bytes cut records and quoted fields anywhere; all are sent before any answer.
      const results = await Promise.all(pieces(input, 97).map((piece) => offThread.transform(piece)));
      expect(Buffer.concat(results.map((r) => r.out))).toEqual(expected);
      expect(results[results.length - 1]!.records).toBe(2000);
      expect(offThread.complete).toBe(true);
      // The record counts grow piece by piece: each answer belongs to its own piece.
      const counts = results.map((r) => r.records);
      expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    } finally {
      await offThread.close();
    }
  });

  it("refuses a garbled record with the processor's reason, and everything after it", async () => {
    const offThread = new OffThreadCsvPostProcessor(OPTIONS);
    try {
      const good = offThread.transform(Buffer.from("a,b,c\n"));
      const bad = offThread.transform(Buffer.from("a,b\n"));
      const later = offThread.transform(Buffer.from("d,e,f\n"));
      await expect(good).resolves.toMatchObject({ records: 1 });
      await expect(bad).rejects.toThrow("A COPY record had 2 fields, not 3");
      await expect(later).rejects.toThrow("A COPY record had 2 fields, not 3");
      await expect(offThread.transform(Buffer.from("g,h,i\n"))).rejects.toThrow("A COPY record had 2 fields, not 3");
    } finally {
      await offThread.close();
    }
  });

  it("answers nothing more once closed", async () => {
    const offThread = new OffThreadCsvPostProcessor(OPTIONS);
    await offThread.close();
    await expect(offThread.transform(Buffer.from("a,b,c\n"))).rejects.toThrow("closed");
  });
});

describe("runningFromSources", () => {
  it("is false inside a Next.js build, whatever the module's URL says, and true outside one", () => {
    const before = process.env.NEXT_RUNTIME;
    try {
      // Next.js compiles this value into its server bundles; Turbopack's import.meta.url still
      // names the .ts source there, so only this tells a build from the sources.
      process.env.NEXT_RUNTIME = "nodejs";
      expect(runningFromSources()).toBe(false);
      delete process.env.NEXT_RUNTIME;
      expect(runningFromSources()).toBe(true);
    } finally {
      if (before === undefined) delete process.env.NEXT_RUNTIME;
      else process.env.NEXT_RUNTIME = before;
    }
  });
});
