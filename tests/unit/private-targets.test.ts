import { afterEach, describe, expect, it, vi } from "vitest";
import { webhooksMayReachPrivate } from "@/lib/notifications/private-targets";
import { overrideEnv, resetEnv } from "../helpers/env-override";

vi.mock("@/lib/env", () => import("../helpers/env-override"));

afterEach(() => resetEnv());

describe("webhooks to private addresses", () => {
  it("follows WEBHOOK_ALLOW_PRIVATE when it is set", () => {
    overrideEnv({ WEBHOOK_ALLOW_PRIVATE: true, DATABASE_URL: "postgres://db.example.com/audit" });
    expect(webhooksMayReachPrivate()).toBe(true);
    overrideEnv({ WEBHOOK_ALLOW_PRIVATE: false, DATABASE_URL: undefined });
    expect(webhooksMayReachPrivate()).toBe(false);
  });

  it("unset, allows them on the embedded database (the local demo) and refuses them on a server database", () => {
    overrideEnv({ WEBHOOK_ALLOW_PRIVATE: undefined, DATABASE_URL: undefined });
    expect(webhooksMayReachPrivate()).toBe(true);
    overrideEnv({ WEBHOOK_ALLOW_PRIVATE: undefined, DATABASE_URL: "postgres://db.example.com/audit" });
    expect(webhooksMayReachPrivate()).toBe(false);
  });
});
