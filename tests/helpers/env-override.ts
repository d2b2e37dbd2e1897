import { vi } from "vitest";
import type { Env } from "@/lib/env";

/*
 * lib/env.ts reads the environment once, when it loads, so vi.stubEnv cannot change a setting
 * afterwards. A test file that needs another setting mocks the module with this one:
 *
 *   vi.mock("@/lib/env", () => import("../helpers/env-override"));
 *
 * and then calls overrideEnv({ EXPORT_MAX_ROWS: 10 }) and resetEnv(). Everything else is the
 * real module; the overrides are validated values, as the real module would hold them.
 */
const real = await vi.importActual<typeof import("@/lib/env")>("@/lib/env");
const overrides: Partial<Record<keyof Env, unknown>> = {};

export const { ENV_KEYS, InvalidEnvironmentError, readEnv } = real;

export const env: Env = new Proxy(real.env, {
  get: (target, key) =>
    typeof key === "string" && key in overrides ? overrides[key as keyof Env] : Reflect.get(target, key),
});

export function overrideEnv(values: Partial<Env>): void {
  Object.assign(overrides, values);
}

export function resetEnv(): void {
  for (const key of Object.keys(overrides)) delete overrides[key as keyof Env];
}
