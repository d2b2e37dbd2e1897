/** Up to this many matches the explorer counts exactly; beyond it the page says "more than". Pure. */
export const EXACT_COUNT_LIMIT = 10_000;
