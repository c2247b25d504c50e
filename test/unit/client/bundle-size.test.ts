// The browser bundles: built fresh by scripts/build-client.js into a temporary folder, they stay
// under the 8 KiB (minified + gzipped) budget, hold no Node module, and expose what pages use.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";

const BUDGET = 8 * 1024;
const root = fileURLToPath(new URL("../../../", import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), "courant-bundle-"));
const FILES = ["socket.io.js", "socket.io.min.js", "socket.io.esm.min.js"];
let buildOutput = "";

before(async () => {
  buildOutput = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [join(root, "scripts/build-client.js"), "--outdir", outdir], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
});
after(() => rmSync(outdir, { recursive: true, force: true }));

function read(name: string): string {
  return readFileSync(join(outdir, name), "utf8");
}

test("the minified bundles are within the gzip budget, and the build prints their sizes", () => {
  for (const name of ["socket.io.min.js", "socket.io.esm.min.js"]) {
    const gzipped = gzipSync(readFileSync(join(outdir, name)), { level: 9 }).length;
    assert.ok(gzipped <= BUDGET, `${name}: ${gzipped} bytes gzipped, budget ${BUDGET}`);
    assert.match(buildOutput, new RegExp(`${name.replace(/\./g, "\\.")} .* KiB gzipped`));
  }
});

test("no bundle holds a Node module, a require() or the Node-only WebSocket loader", () => {
  for (const name of FILES) {
    const code = read(name);
    assert.doesNotMatch(code, /["']node:/, `${name} imports a node: module`);
    assert.doesNotMatch(code, /\brequire\(/, `${name} calls require()`);
    assert.doesNotMatch(code, /websocket\/index\.js|process\.versions|getSetCookie/, `${name} holds Node-only client code`);
    // The readable bundle keeps the TSDoc, whose examples log; the code itself must not.
    if (name.includes(".min.")) assert.doesNotMatch(code, /\bdebug\(|console\./, `${name} logs`);
  }
});

test("each bundle has a source map that points into src/client", () => {
  for (const name of FILES) {
    assert.match(read(name), new RegExp(`//# sourceMappingURL=${name.replace(/\./g, "\\.")}\\.map\\s*$`));
    const map = JSON.parse(read(`${name}.map`)) as { version: number; sources: string[]; mappings: string };
    assert.equal(map.version, 3);
    assert.ok(map.sources.some((s) => s.endsWith("src/client/socket.ts")), name);
    assert.ok(map.mappings.length > 100);
  }
});

test("the IIFE bundles define a global io() with connect, Manager and Socket, and nothing Node-only runs", () => {
  for (const name of ["socket.io.js", "socket.io.min.js"]) {
    // A bare context: no Buffer, no process, no require, like a page (minus the DOM).
    const sandbox: Record<string, any> = { URL, URLSearchParams };
    runInNewContext(read(name), sandbox);
    const io = sandbox["io"];
    assert.equal(typeof io, "function", name);
    assert.equal(io.connect, io);
    assert.equal(typeof io.Manager, "function");
    assert.equal(typeof io.Socket, "function");
    assert.equal(io.Manager.name.length > 0, true);
    // A manager with autoConnect off builds without touching the network.
    const manager = new io.Manager("http://example.test", { autoConnect: false });
    const socket = manager.socket("/chat");
    assert.equal(socket.nsp, "/chat");
    assert.equal(socket.connected, false);
    assert.equal(manager.reconnectionDelayMax(), 5000);
  }
});

test("the ESM bundle exports io, connect, Manager, Socket, protocol, the transport names and a default", async () => {
  const module = (await import(pathToFileURL(join(outdir, "socket.io.esm.min.js")).href)) as Record<string, any>;
  assert.deepEqual(Object.keys(module).sort(), ["Fetch", "Manager", "NodeWebSocket", "NodeXHR", "Socket", "WebSocket", "XHR", "connect", "default", "io", "protocol"]);
  assert.equal(module["protocol"], 5);
  assert.deepEqual([module["Fetch"], module["XHR"], module["WebSocket"]], ["polling", "polling", "websocket"]);
  assert.equal(module["default"], module["io"]);
  assert.equal(typeof module["io"].Manager, "function");
  assert.equal(module["io"].Socket, module["Socket"]);
});

test("protocol errors in the bundles carry their code as their message: the codes stay, the sentences go", () => {
  for (const name of FILES) {
    const code = read(name);
    for (const kept of ["SIO_ERR_INVALID_JSON", "SIO_ERR_TOO_DEEP", "SIO_ERR_ATTACHMENT_MISMATCH", "EIO_ERR_INVALID_BASE64"]) assert.ok(code.includes(kept), `${name} lost ${kept}`);
    for (const sentence of ["payload is not valid JSON", "JSON nested too deep", "placeholders found", "invalid base64 in a binary packet"]) {
      assert.ok(!code.includes(sentence), `${name} still holds "${sentence}"`);
    }
  }
});
