/*
 * The auth secret of the console under test, set in this process too before lib/env reads it
 * (import this module first): secrets the benchmark seals (a webhook's) must open in the console.
 */
export const BENCH_AUTH_SECRET = process.env.BENCH_AUTH_SECRET ?? "bench-secret-not-for-production-0123456789abcdef";
process.env.AUTH_SECRET = BENCH_AUTH_SECRET;
