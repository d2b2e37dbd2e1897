import { z } from "zod";

/*
 * Zod probes once whether it may compile its parsers with `new Function`. Under the pages'
 * Content-Security-Policy (no 'unsafe-eval') the probe is refused and reported as a violation, so
 * in the browser it parses without compiling. The server keeps the compiled parsers.
 */
if (typeof window !== "undefined") z.config({ jitless: true });
