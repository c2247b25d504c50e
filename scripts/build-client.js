#!/usr/bin/env node
// Builds the browser bundles of courant/client with esbuild into dist/bundle/ (or --outdir):
//   socket.io.js         IIFE defining the global `io` (what `<script src="/socket.io/socket.io.js">` loads)
//   socket.io.min.js     the same, minified
//   socket.io.esm.min.js ESM exporting io, connect, Manager, Socket, minified
// each with a source map. The Node-only WebSocket loader is swapped for a browser stub, so the
// bundles hold no Node module. Prints the minified + gzipped sizes and fails past the budget.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Budget for socket.io.min.js and socket.io.esm.min.js, minified + gzipped. */
const BUDGET = 8 * 1024;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outIndex = process.argv.indexOf("--outdir");
const outdir = resolve(outIndex === -1 ? join(root, "dist/bundle") : process.argv[outIndex + 1]);
const client = join(root, "src/client/index.ts");

/** Resolves the Node WebSocket loader to its browser stub. */
const browserStub = {
  name: "courant-browser-stub",
  setup(b) {
    b.onResolve({ filter: /^\.\/node\.js$/ }, (args) =>
      args.importer.startsWith(join(root, "src/client/transports")) ? { path: join(args.resolveDir, "node.browser.ts") } : undefined,
    );
  },
};

/**
 * The browser bundles' protocol errors carry their code as their message: `fail("SIO_ERR_X",
 * "sentence")` and `new …ProtocolError("EIO_ERR_Y", "sentence")` become `("SIO_ERR_X",
 * "SIO_ERR_X")`, which saved 193 gzipped bytes (docs/errors.md explains each code). The `code` property
 * is the same as in Node; TypeErrors and RangeErrors for a caller's mistakes keep their sentences.
 */
const ERROR_SENTENCE = /\b(fail|\w+ProtocolError)\(("[A-Z0-9_]+"), [^;\n]*\);/g;
const terseProtocolErrors = {
  name: "courant-terse-protocol-errors",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]protocol[\\/][^\\/]+\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replace(ERROR_SENTENCE, "$1($2, $2);"),
      loader: "ts",
    }));
  },
};

/**
 * Properties only the client's own modules use (handler methods, internal bookkeeping): the
 * minifier may shorten them. Nothing a user or the server sees is in this list.
 */
const INTERNAL_PROPS = /^(onOpen|onPacket|onDrain|onClose|onError|onMessage|onPing|handler|callback|withError|timer|tries|pending|fromQueue|release|reconnecting|writable|emitReserved|url|flags|args|listener)$/;

const common = {
  bundle: true,
  platform: "browser",
  // Private class fields (#x) stay native and get short names when minified.
  target: ["es2022"],
  sourcemap: true,
  legalComments: "none",
  drop: ["debugger"],
  mangleProps: INTERNAL_PROPS,
  logLevel: "warning",
  plugins: [browserStub, terseProtocolErrors],
};

const iifeEntry = { contents: `import { io } from ${JSON.stringify(client)};\nglobalThis.io = io;\n`, resolveDir: root, sourcefile: "socket.io.js", loader: "ts" };
const esmEntry = { contents: `export { io, io as default, connect, Manager, Socket, protocol, Fetch, XHR, NodeXHR, WebSocket, NodeWebSocket } from ${JSON.stringify(client)};\n`, resolveDir: root, sourcefile: "socket.io.esm.js", loader: "ts" };

await Promise.all([
  build({ ...common, stdin: iifeEntry, format: "iife", outfile: join(outdir, "socket.io.js") }),
  build({ ...common, stdin: iifeEntry, format: "iife", minify: true, outfile: join(outdir, "socket.io.min.js") }),
  build({ ...common, stdin: esmEntry, format: "esm", minify: true, outfile: join(outdir, "socket.io.esm.min.js") }),
]);

let over = false;
for (const name of ["socket.io.js", "socket.io.min.js", "socket.io.esm.min.js"]) {
  const code = readFileSync(join(outdir, name));
  const gzipped = gzipSync(code, { level: 9 }).length;
  const checked = name.includes(".min.");
  if (checked && gzipped > BUDGET) over = true;
  const budget = checked ? ` (${gzipped} of ${BUDGET} bytes budget)` : "";
  console.log(`build-client: ${name} ${(code.length / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(2)} KiB gzipped${budget}`);
}
if (over) {
  console.error("build-client: a minified bundle is over the budget");
  process.exit(1);
}
