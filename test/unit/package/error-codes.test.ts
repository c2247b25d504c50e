// docs/errors.md must document every stable error code the source raises, and nothing else:
// this file scans src/ and the page and fails on any drift between them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ENGINE_ERROR_MESSAGES, EngineErrorCode } from "../../../src/engine/errors.js";
import { RECOVERABLE_REASONS } from "../../../src/server/reserved-events.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SRC = ROOT + "src/";
const DOC_PATH = "docs/errors.md";
const DOC = readFileSync(ROOT + DOC_PATH, "utf8");

/** A quoted code string in source: `"WS_ERR_X"` (or single-quoted). */
const SOURCE_CODE = /(["'])([A-Z]+_ERR_[A-Z0-9_]+)\1/g;
/** Any code-shaped word on the page. */
const DOC_CODE = /\b[A-Z]+_ERR_[A-Z0-9_]+\b/g;

/** The `## ` section each layer's codes belong under. */
const SECTION_OF_PREFIX: Record<string, RegExp> = {
  WS: /WebSocket/,
  EIO: /Engine\.IO/,
  SIO: /Socket\.IO/,
  REDIS: /Redis/,
  CLIENT: /Client/,
};

interface Row {
  section: string;
  subsection: string;
  cells: string[];
  line: number;
}

/** Every code in src/**\/*.ts with where it occurs (`file:line`). */
function scanSource(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
  for (const file of files) {
    const lines = readFileSync(SRC + file, "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      for (const match of (lines[i] as string).matchAll(SOURCE_CODE)) {
        const code = match[2] as string;
        const where = `src/${file}:${i + 1}`;
        const list = found.get(code);
        if (list === undefined) found.set(code, [where]);
        else list.push(where);
      }
    }
  }
  return found;
}

/** The page's table rows (header and separator rows left out), each with its headings. */
function tableRows(markdown: string): Row[] {
  const rows: Row[] = [];
  let section = "";
  let subsection = "";
  let previousWasRow = false;
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line.startsWith("## ")) {
      section = line.slice(3);
      subsection = "";
    } else if (line.startsWith("### ")) {
      subsection = line.slice(4);
    }
    const isRow = line.startsWith("|") && line.endsWith("|");
    // The first row of a table is its header; the second its |---| separator.
    if (isRow && previousWasRow && !/^\|[\s|:-]+\|$/.test(line)) {
      rows.push({ section, subsection, cells: line.slice(1, -1).split("|").map((cell) => cell.trim()), line: i + 1 });
    }
    previousWasRow = isRow;
  }
  return rows;
}

/** The text of a cell that holds one code span: "`x`" gives "x". */
function codeSpan(cell: string | undefined): string | undefined {
  const match = /^`([^`]+)`$/.exec(cell ?? "");
  return match?.[1];
}

/** The string members of `export type <name> = "a" | "b" ...;` in a source file. */
function unionMembers(file: string, name: string): string[] {
  const text = readFileSync(SRC + file, "utf8");
  const start = text.indexOf(`export type ${name} =`);
  assert.notEqual(start, -1, `${file} declares ${name}`);
  const body = text.slice(start, text.indexOf(";", start));
  const members = [...body.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
  assert.ok(members.length > 0, `${name} has string members`);
  return members;
}

const source = scanSource();
const rows = tableRows(DOC);
const rowsByCode = new Map<string, Row[]>();
for (const row of rows) {
  const code = codeSpan(row.cells[0]);
  if (code === undefined || !/^[A-Z]+_ERR_[A-Z0-9_]+$/.test(code)) continue;
  const list = rowsByCode.get(code);
  if (list === undefined) rowsByCode.set(code, [row]);
  else list.push(row);
}

test("the scan finds the codes of every layer (it is not vacuous)", () => {
  const prefixes = new Set([...source.keys()].map((code) => code.slice(0, code.indexOf("_ERR_"))));
  for (const prefix of ["WS", "EIO", "SIO", "REDIS"]) assert.ok(prefixes.has(prefix), `found ${prefix}_ERR_ codes in src/`);
  assert.ok(rows.length > source.size, "the page's tables were parsed");
});

test("every error code in src/ has a row in docs/errors.md", () => {
  const missing = [...source.keys()].filter((code) => !rowsByCode.has(code)).sort();
  const detail = missing.map((code) => `${code} (${(source.get(code) as string[]).join(", ")})`).join("\n  ");
  assert.deepEqual(missing, [], `codes with no row in ${DOC_PATH} (first cell \`CODE\`):\n  ${detail}`);
});

test("docs/errors.md names no code that src/ no longer has", () => {
  const stale = [...new Set(DOC.match(DOC_CODE) ?? [])].filter((code) => !source.has(code)).sort();
  assert.deepEqual(stale, [], `codes in ${DOC_PATH} that no file in src/ raises`);
});

test("each code has exactly one row, under its layer's section, with every column filled", () => {
  for (const [code, list] of rowsByCode) {
    assert.equal(list.length, 1, `${code}: one row, found ${list.length} (lines ${list.map((r) => r.line).join(", ")})`);
    const row = list[0] as Row;
    assert.ok(row.cells.length >= 4, `${code} (line ${row.line}): code | when | what the peer sees | what to do`);
    for (const cell of row.cells) assert.notEqual(cell, "", `${code} (line ${row.line}) has an empty cell`);
    const section = SECTION_OF_PREFIX[code.slice(0, code.indexOf("_ERR_"))];
    if (section !== undefined) assert.match(row.section, section, `${code} (line ${row.line}) is in section "${row.section}"`);
  }
});

test("the Engine.IO HTTP error codes 0-5 are listed with their protocol message and status", () => {
  const names = Object.keys(EngineErrorCode) as (keyof typeof EngineErrorCode)[];
  assert.equal(ENGINE_ERROR_MESSAGES.length, names.length);
  for (const name of names) {
    const code = EngineErrorCode[name];
    const row = rows.find((r) => /Engine\.IO/.test(r.section) && r.cells[0] === String(code));
    assert.ok(row !== undefined, `a row for Engine.IO error code ${code}`);
    assert.equal(codeSpan(row.cells[1]), name, `code ${code} is ${name}`);
    assert.ok(row.cells[2]?.includes(`\`${ENGINE_ERROR_MESSAGES[code] as string}\``), `code ${code} message "${ENGINE_ERROR_MESSAGES[code]}"`);
    assert.equal(row.cells[3], name === "FORBIDDEN" ? "403" : "400", `code ${code} HTTP status`);
  }
});

/** The first-cell values of the table under the `### ` heading matching `heading`. */
function reasonsTable(heading: RegExp): Map<string, Row> {
  const table = new Map<string, Row>();
  for (const row of rows) {
    if (!heading.test(row.subsection)) continue;
    const reason = codeSpan(row.cells[0]);
    assert.ok(reason !== undefined, `line ${row.line}: the first cell is a \`reason\``);
    table.set(reason, row);
  }
  assert.ok(table.size > 0, `a table under a heading matching ${heading}`);
  return table;
}

test("the engine's session close reasons are exactly SessionCloseReason", () => {
  const documented = reasonsTable(/Session close reasons/);
  assert.deepEqual([...documented.keys()].sort(), unionMembers("engine/session.ts", "SessionCloseReason").sort());
});

test("the server's disconnect reasons are exactly DisconnectReason, with the recovery column matching RECOVERABLE_REASONS", () => {
  const documented = reasonsTable(/Disconnect reasons \(server side\)/);
  assert.deepEqual([...documented.keys()].sort(), unionMembers("server/reserved-events.ts", "DisconnectReason").sort());
  for (const [reason, row] of documented) {
    assert.equal(row.cells.at(-1), RECOVERABLE_REASONS.has(reason) ? "yes" : "no", `recovery after "${reason}" (line ${row.line})`);
  }
});

test("the client's disconnect reasons are exactly its DisconnectReason, each saying whether it reconnects", () => {
  const documented = reasonsTable(/Disconnect reasons \(client side\)/);
  assert.deepEqual([...documented.keys()].sort(), unionMembers("client/socket.ts", "DisconnectReason").sort());
  for (const [reason, row] of documented) {
    assert.match(row.cells.at(-1) ?? "", /^(yes|no)\b/, `whether the client reconnects after "${reason}" (line ${row.line})`);
  }
  // The two deliberate disconnects are the ones the client does not recover from by itself.
  assert.match(documented.get("io server disconnect")?.cells.at(-1) ?? "", /^no\b/);
  assert.match(documented.get("io client disconnect")?.cells.at(-1) ?? "", /^no\b/);
});
