// The ajv side of crates/wasmcloud-protocol/benches/validation-vs-ajv: times ajv (2020-12, every
// error, formats asserted) on the bytes the Rust bench measured, as a Node service receives them
// (a Buffer: decode, JSON.parse, validate), and prints them beside criterion's medians of the
// same run, with the ratios. Usage: node bench.mjs <target>
//
// Or takes turns with the Rust `interleaved` bench for 11 rounds: a round runs it once (`--once`:
// a batch of about 20 ms per message and mode, after a warm-up), then ajv on each message (a
// warm-up batch, then a measured one of 20 to 40 ms); it prints the median of each round's
// ratios, which a slow spell of the machine moves far less than it moves either time. Run from
// the repository's root (it calls cargo): node bench.mjs --interleaved <target>
//
// Or counts ajv's instructions per call under valgrind's callgrind, as the Rust `instructions`
// bench counts ours, and prints them beside that bench's table:
// node bench.mjs --instructions <target> <the instructions bench's output>
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = fileURLToPath(new URL(".", import.meta.url));
const schemas = join(here, "../../crates/wasmcloud-protocol/schemas");
const messages = [
  ["host_heartbeat", "lattice-events/HostHeartbeat.json"],
  ["component_scaled", "lattice-events/ComponentScaled.json"],
  ["ScaleComponentCommand", "control-interface/ScaleComponentCommand.json"],
];

const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
const us = (ns) => (ns / 1000).toFixed(2).padStart(8) + " µs";
const ratio = (x) => x.toFixed(2).padStart(6) + "×";
const parseAndValidate = (validate, body) => validate(JSON.parse(body.toString()));

if (process.argv[2] === "--loop") {
  // One child of --instructions: warm the JIT up, then N calls.
  const [, , , schema, payload, n] = process.argv;
  const validate = ajv.compile(JSON.parse(readFileSync(join(schemas, schema), "utf8")));
  const body = readFileSync(payload);
  for (let i = 0; i < 20000; i++) parseAndValidate(validate, body);
  for (let i = 0; i < Number(n); i++) parseAndValidate(validate, body);
  process.exit(0);
}

if (process.argv[2] === "--interleaved") {
  const target = process.argv[3];
  const compiled = messages.map(([name, schema]) => [
    name,
    ajv.compile(JSON.parse(readFileSync(join(schemas, schema), "utf8"))),
    readFileSync(join(target, "bench-payloads", `${name}.valid.json`)),
  ]);
  /** Nanoseconds per call over a batch of about 20 ms, as the Rust side times one. */
  const batch = (f) => {
    let n = 1;
    for (;;) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f();
      const took = Number(process.hrtime.bigint() - start);
      if (took > 20e6) return took / n;
      n *= 2;
    }
  };
  const ratios = new Map(messages.map(([name]) => [name, { ajv: [], typed: [], validated: [], checked: [], view: [] }]));
  for (let round = 0; round < 11; round++) {
    const rust = spawnSync(
      "cargo",
      ["bench", "-q", "-p", "wasmcloud-protocol", "--features", "validate", "--bench", "interleaved", "--", "--once"],
      { encoding: "utf8" },
    );
    if (rust.status !== 0) throw new Error(`the Rust side failed: ${rust.stderr}`);
    const ours = new Map(
      rust.stdout.trim().split("\n").map((line) => {
        const [name, mode, ns] = line.split(" ");
        return [`${name} ${mode}`, Number(ns)];
      }),
    );
    for (const [name, validate, body] of compiled) {
      if (!parseAndValidate(validate, body)) throw new Error(`${name}: ajv refuses the valid payload`);
      // A first batch to warm up after the Rust side had the machine, as that side warms up.
      batch(() => parseAndValidate(validate, body));
      const ajvNs = batch(() => parseAndValidate(validate, body));
      const r = ratios.get(name);
      r.ajv.push(ajvNs);
      for (const mode of ["typed", "validated", "checked", "view"]) r[mode].push(ajvNs / ours.get(`${name} ${mode}`));
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log("message                  ajv parse+validate   ajv/typed   ajv/validated   ajv/checked   ajv/view   (medians of 11 rounds taking turns)");
  for (const [name, r] of ratios) {
    console.log(
      `${name.padEnd(22)} ${us(med(r.ajv))}        ${ratio(med(r.typed))}      ${ratio(med(r.validated))}        ${ratio(med(r.checked))}    ${ratio(med(r.view))}`,
    );
  }
  process.exit(0);
}

if (process.argv[2] === "--instructions") {
  const [, , , target, ours] = process.argv;
  // Our validated and checked counts, by message, from the instructions bench's table.
  const rows = new Map(
    readFileSync(ours, "utf8")
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => messages.some(([name]) => name === cols[0]))
      .map((cols) => [cols[0], { validated: Number(cols[3]), checked: Number(cols[4]), view: Number(cols[6]) }]),
  );
  const count = (schema, payload, n) => {
    const run = spawnSync(
      "valgrind",
      ["--tool=callgrind", "--callgrind-out-file=/dev/null", "--smc-check=all-non-file",
        process.execPath, "--single-threaded", fileURLToPath(import.meta.url), "--loop", schema, payload, String(n)],
      { encoding: "utf8" },
    );
    const refs = /refs:\s+([\d,]+)/.exec(run.stderr);
    if (run.status !== 0 || !refs) throw new Error(`valgrind: ${run.stderr}`);
    return Number(refs[1].replaceAll(",", ""));
  };
  console.log(
    "message                  ajv parse+validate   ours validated   ajv/validated   ours checked   ajv/checked   ours view   ajv/view   (instructions per call)",
  );
  for (const [name, schema] of messages) {
    const payload = join(target, "bench-payloads", `${name}.valid.json`);
    // A message the bench's filter left out has no row.
    if (!rows.has(name)) continue;
    // The difference over 10,000 calls: node's start, compiling and warming up left out.
    const ajvCount = Math.round((count(schema, payload, 11000) - count(schema, payload, 1000)) / 10000);
    const { validated, checked, view } = rows.get(name);
    console.log(
      `${name.padEnd(22)} ${String(ajvCount).padStart(18)} ${String(validated).padStart(16)} ${ratio(ajvCount / validated).padStart(15)} ${String(checked).padStart(14)} ${ratio(ajvCount / checked).padStart(13)} ${String(view).padStart(11)} ${ratio(ajvCount / view).padStart(10)}`,
    );
  }
  process.exit(0);
}

const target = process.argv[2];

/** Median time of one call, in nanoseconds, over 9 batches of about 100 ms each. */
function time(f) {
  let n = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    if (Number(process.hrtime.bigint() - start) > 100e6) break;
    n *= 2;
  }
  const batches = [];
  for (let b = 0; b < 9; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    batches.push(Number(process.hrtime.bigint() - start) / n);
  }
  return batches.sort((a, b) => a - b)[4];
}

const median = (group, bench) =>
  JSON.parse(readFileSync(join(target, "criterion", group, bench, "new/estimates.json"), "utf8")).median
    .point_estimate;

console.log(
  "message                  bytes   typed (Rust)  validated (Rust)  ratio   view (Rust)  ratio   ajv parse+validate  ajv/validated  ajv/view  | invalid: Rust report   ajv     ajv/Rust",
);
for (const [name, schema] of messages) {
  const validate = ajv.compile(JSON.parse(readFileSync(join(schemas, schema), "utf8")));
  const valid = readFileSync(join(target, "bench-payloads", `${name}.valid.json`));
  const invalid = readFileSync(join(target, "bench-payloads", `${name}.invalid.json`));
  if (!validate(JSON.parse(valid.toString())) || validate(JSON.parse(invalid.toString()))) {
    throw new Error(`${name}: ajv's verdicts differ from the Rust bench's`);
  }
  const ajvValid = time(() => parseAndValidate(validate, valid));
  const ajvInvalid = time(() => parseAndValidate(validate, invalid) || validate.errors.length);
  const [typed, validated, view, failed] = ["typed", "validated", "view", "invalid"].map((b) => median(name, b));
  console.log(
    `${name.padEnd(22)} ${String(valid.length).padStart(6)} ${us(typed)}   ${us(validated)}      ${ratio(validated / typed)}  ${us(view)} ${ratio(view / typed)}  ${us(ajvValid)}        ${ratio(ajvValid / validated)}  ${ratio(ajvValid / view)}  | ${us(failed)}   ${us(ajvInvalid)} ${ratio(ajvInvalid / failed)}`,
  );
}
