// CommonJS code of the old Socket.IO style: `require("courant")(server)` and
// `require("courant").listen(server)`, run by Node against the built package (dist/).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// The program is written next to this test (inside the package, so that `require("courant")`
// resolves to the package itself through its `exports`) and removed afterwards.
const programPath = fileURLToPath(new URL(`./.require-courant-${process.pid}.cjs`, import.meta.url));
const distEntry = fileURLToPath(new URL("../../../dist/index.js", import.meta.url));
const bundleFile = fileURLToPath(new URL("../../../dist/bundle/socket.io.min.js", import.meta.url));

const PROGRAM = String.raw`"use strict";
const http = require("node:http");
const courant = require("courant");
const { io: connect } = require("socket.io-client");

const results = { typeofModule: typeof courant, classes: [] };
for (const name of ["Server", "Namespace", "Socket", "BroadcastOperator", "RemoteSocket", "MemoryAdapter"]) {
  if (typeof courant[name] === "function") results.classes.push(name);
}
const server1 = http.createServer();
const io1 = courant(server1);
const server2 = http.createServer();
const io2 = courant.listen(server2, { path: "/other" });
const io3 = new courant.Server();
results.instances = [io1, io2, io3].every((io) => io instanceof courant.Server);
results.paths = [io1.path(), io2.path()];

io1.on("connection", (socket) => {
  socket.on("add", (a, b, ack) => ack(a + b));
});
io2.on("connection", (socket) => socket.emit("welcome", "from listen()"));

function finish() {
  io1.close();
  io2.close();
  console.log(JSON.stringify(results));
}

server1.listen(0, "127.0.0.1", () => {
  const client = connect("http://127.0.0.1:" + server1.address().port, { transports: ["websocket"], reconnection: false });
  client.emit("add", 2, 3, (sum) => {
    results.sum = sum;
    client.close();
    // The bundle is found from the compiled module too (dist/server -> dist/bundle).
    http.get("http://127.0.0.1:" + server1.address().port + "/socket.io/socket.io.min.js", (res) => {
      results.bundleStatus = res.statusCode;
      res.resume();
    });
    server2.listen(0, "127.0.0.1", () => {
      const client2 = connect("http://127.0.0.1:" + server2.address().port, { path: "/other", reconnection: false });
      client2.on("welcome", (text) => {
        results.welcome = text;
        client2.close();
        const wait = () => (results.bundleStatus === undefined ? setTimeout(wait, 5) : finish());
        wait();
      });
    });
  });
});
setTimeout(() => {
  console.log(JSON.stringify({ timeout: true, results }));
  process.exit(1);
}, 10000).unref();
`;

test("require('courant')(server) and require('courant').listen(server) from a .cjs file", async () => {
  assert.ok(existsSync(distEntry), "the package is built (dist/index.js); run `npx tsc -p tsconfig.build.json`");
  writeFileSync(programPath, PROGRAM);
  try {
    const child = spawn(process.execPath, [programPath], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      child.on("exit", (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    assert.equal(code, 0, `exit code; stderr: ${stderr}`);
    const results = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
    assert.deepEqual(results, {
      typeofModule: "function",
      classes: ["Server", "Namespace", "Socket", "BroadcastOperator", "RemoteSocket", "MemoryAdapter"],
      instances: true,
      paths: ["/socket.io", "/other"],
      sum: 5,
      welcome: "from listen()",
      bundleStatus: existsSync(bundleFile) ? 200 : 404,
    });
  } finally {
    rmSync(programPath, { force: true });
  }
});
