// Judges payloads with ajv (JSON Schema 2020-12, every error, formats asserted by ajv-formats, and
// ajv's default strict mode, which refuses to compile a schema with a keyword or format it does
// not know). Reads the cases file named on the command line, a JSON array of
// {"schema": path, "payload": JSON text}, and prints one {"valid", "pointers"} per case.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
const compiled = new Map();
const validator = (path) => {
  if (!compiled.has(path)) {
    compiled.set(path, ajv.compile(JSON.parse(readFileSync(path, "utf8"))));
  }
  return compiled.get(path);
};

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const verdicts = cases.map(({ schema, payload }) => {
  let value;
  try {
    value = JSON.parse(payload);
  } catch (e) {
    return { valid: false, pointers: [""] };
  }
  const validate = validator(schema);
  const valid = validate(value);
  return { valid, pointers: valid ? [] : validate.errors.map((e) => e.instancePath) };
});
process.stdout.write(JSON.stringify(verdicts));
