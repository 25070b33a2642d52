// The ajv side of crates/wasmcloud-protocol/benches/validation-vs-ajv: times ajv (2020-12, every
// error, formats asserted) on the bytes the Rust bench measured, as a Node service receives them
// (a Buffer: decode, JSON.parse, validate), and prints them beside criterion's medians of the
// same run, with the ratios. Usage: node bench.mjs <target/criterion>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const criterion = process.argv[2];
const here = fileURLToPath(new URL(".", import.meta.url));
const schemas = join(here, "../../crates/wasmcloud-protocol/schemas");
const messages = [
  ["host_heartbeat", "lattice-events/HostHeartbeat.json"],
  ["component_scaled", "lattice-events/ComponentScaled.json"],
  ["ScaleComponentCommand", "control-interface/ScaleComponentCommand.json"],
];

const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);

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
  JSON.parse(readFileSync(join(criterion, group, bench, "new/estimates.json"), "utf8")).median
    .point_estimate;

const us = (ns) => (ns / 1000).toFixed(2).padStart(8) + " µs";
const ratio = (x) => x.toFixed(2).padStart(6) + "×";
console.log(
  "message                  bytes   typed (Rust)  validated (Rust)  ratio   ajv parse+validate  ajv/validated  | invalid: Rust report   ajv     ajv/Rust",
);
for (const [name, schema] of messages) {
  const validate = ajv.compile(JSON.parse(readFileSync(join(schemas, schema), "utf8")));
  const valid = readFileSync(join(criterion, "payloads", `${name}.valid.json`));
  const invalid = readFileSync(join(criterion, "payloads", `${name}.invalid.json`));
  if (!validate(JSON.parse(valid.toString())) || validate(JSON.parse(invalid.toString()))) {
    throw new Error(`${name}: ajv's verdicts differ from the Rust bench's`);
  }
  const ajvValid = time(() => validate(JSON.parse(valid.toString())));
  const ajvInvalid = time(() => validate(JSON.parse(invalid.toString())) || validate.errors.length);
  const [typed, validated, failed] = ["typed", "validated", "invalid"].map((b) => median(name, b));
  console.log(
    `${name.padEnd(22)} ${String(valid.length).padStart(6)} ${us(typed)}   ${us(validated)}      ${ratio(validated / typed)}  ${us(ajvValid)}        ${ratio(ajvValid / validated)}      | ${us(failed)}   ${us(ajvInvalid)} ${ratio(ajvInvalid / failed)}`,
  );
}
