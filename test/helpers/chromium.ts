/**
 * Real Chromium for browser tests: Debian's `/usr/bin/chromium` driven by `playwright-core`
 * (never a browser downloaded by `npx playwright install`).
 *
 * Typical use: serve a page from a plain `node:http` server on 127.0.0.1 port 0, attach the server
 * under test to that same HTTP server, open the page, and drive it with `page.evaluate`.
 */
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

/** Where Debian installs Chromium. Override with `CHROMIUM_PATH`. */
export const CHROMIUM_PATH = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

/** Flags for a quiet, headless, sandbox-free Chromium that only talks to what the test serves. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * Launches Chromium. Throws a clear error when the binary is missing (install Debian's
 * `chromium` package; .ci/run does it).
 *
 * @example
 * const browser = await launchChromium();
 * after(() => browser.close());
 * const page = await browser.newPage();
 */
export async function launchChromium(options: { timeoutMs?: number } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's "chromium" package (apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS],
    timeout: options.timeoutMs ?? 30_000,
  });
}

/** A page server: `node:http` on 127.0.0.1, port 0, serving fixed HTML at given paths. */
export interface PageServer {
  server: http.Server;
  port: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path?: string): string;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server that answers `GET <path>` with the HTML in `pages` (an empty 204 for
 * /favicon.ico, 404 otherwise), for
 * a WebSocket or engine server to attach to with its `server` option.
 *
 * @example
 * const pages = await servePages({ "/": "<!doctype html><title>t</title>" });
 * const wss = new WebSocketServer({ server: pages.server });
 * await page.goto(pages.url("/"));
 */
export async function servePages(pages: Record<string, string>): Promise<PageServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const body = pages[path];
    if (path === "/favicon.ico" && body === undefined) {
      res.writeHead(204).end(); // keeps "Failed to load resource" out of the page's console
      return;
    }
    if (req.method !== "GET" || body === undefined) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: (path = "/") => `http://127.0.0.1:${port}${path}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Collects the page's console errors and uncaught exceptions, so a test can assert there were none
 * or print them when something fails.
 *
 * @example
 * const problems = watchPage(page);
 * ...
 * assert.deepEqual(problems, []);
 */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console.error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}
