// Launches Debian's Chromium (/usr/bin/chromium) through playwright-core, never a downloaded
// browser. Stands in for test/helpers/chromium.ts until that shared helper lands.
import { chromium, type Browser } from "playwright-core";

/** Where the browser is; CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts a headless Chromium for a test file; close it in an `after` hook.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await (await browser.newContext()).newPage();
 * await browser.close();
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, timeout: 30_000 });
}
