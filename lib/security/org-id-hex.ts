/*
 * Secrets and links that belong to one organization carry its id, so the row behind them is found
 * by (org_id, hash), one organization's row (docs/scaling.md): API keys end with `_<32 hex>`, export
 * links too. The id is not secret; the random part before it is.
 */

/** A uuid as the 32 lower-case hex digits that secrets and links carry. */
export function orgIdHex(orgId: string): string {
  const hex = orgId.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a uuid: ${orgId}`);
  return hex;
}

/** The uuid back from its 32 hex digits. */
export function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
