import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test, type Locator } from "@playwright/test";
import { signedIn } from "./helpers/sign-in";

/*
 * In dark mode an on switch and an off switch must differ at a glance (issue 19): measured on the
 * access settings' permission switches that can be used (disabled ones are dimmed), as the
 * browser paints them, by the contrast between the two tracks and between each thumb and its
 * track (WCAG's 3:1 for parts of a control), with a screenshot for a person to look at.
 */

const SHOTS = "/tmp/explorer-shots";

/**
 * The sRGB colour the element's background paints over whatever is behind it: the colours are
 * drawn on a canvas in turn (the page's first), so oklch and alpha are resolved by the browser.
 */
async function paintedColor(el: Locator): Promise<[number, number, number]> {
  return el.evaluate((node) => {
    // Every ancestor's background, outermost first: transparent ones paint nothing.
    const layers: string[] = [];
    for (let at: Element | null = node; at; at = at.parentElement) layers.unshift(getComputedStyle(at).backgroundColor);
    const canvas = document.createElement("canvas");
    canvas.width = 1;
    canvas.height = 1;
    const ctx = canvas.getContext("2d")!;
    for (const color of layers) {
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, 1, 1);
    }
    const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
    return [r!, g!, b!] as [number, number, number];
  });
}

function luminance([r, g, b]: [number, number, number]): number {
  const channel = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function contrast(a: [number, number, number], b: [number, number, number]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

test("in dark mode an on switch and an off switch differ at a glance", async ({ page }) => {
  mkdirSync(SHOTS, { recursive: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await signedIn(page, "admin@acme.test", "/orgs/acme/settings/access");
  await expect(page.locator("html")).toHaveClass(/dark/);
  const on = page.locator('[data-slot="switch"][data-state="checked"]:not([data-disabled])').first();
  const off = page.locator('[data-slot="switch"][data-state="unchecked"]:not([data-disabled])').first();
  await expect(on).toBeVisible();
  await expect(off).toBeVisible();

  const onTrack = await paintedColor(on);
  const offTrack = await paintedColor(off);
  const onThumb = await paintedColor(on.locator('[data-slot="switch-thumb"]'));
  const offThumb = await paintedColor(off.locator('[data-slot="switch-thumb"]'));
  const figures = { onTrack, offTrack, onThumb, offThumb };
  expect(contrast(onTrack, offTrack), JSON.stringify(figures)).toBeGreaterThanOrEqual(3);
  expect(contrast(onThumb, onTrack), JSON.stringify(figures)).toBeGreaterThanOrEqual(3);
  expect(contrast(offThumb, offTrack), JSON.stringify(figures)).toBeGreaterThanOrEqual(3);
  // And the thumb sits at the other end.
  const thumbSide = async (control: Locator) => {
    const track = (await control.boundingBox())!;
    const thumb = (await control.locator('[data-slot="switch-thumb"]').boundingBox())!;
    return thumb.x + thumb.width / 2 > track.x + track.width / 2 ? "right" : "left";
  };
  expect(await thumbSide(on)).toBe("right");
  expect(await thumbSide(off)).toBe("left");

  await page.screenshot({ path: path.join(SHOTS, "switches-access-dark.png") });
});
