// Validates a JSON document against a JSON Schema (draft-07) with Ajv.
// Usage: node validate-json.mjs SCHEMA.json DOCUMENT.json
// Exit 0 when valid; 1 with the first errors on stderr when not; 2 on usage or read errors.
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const [schemaPath, docPath] = process.argv.slice(2);
if (!schemaPath || !docPath) {
  console.error('usage: node validate-json.mjs SCHEMA.json DOCUMENT.json');
  process.exit(2);
}
let schema, doc;
try {
  schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  doc = JSON.parse(readFileSync(docPath, 'utf8'));
} catch (e) {
  console.error(`validate-json: ${e.message}`);
  process.exit(2);
}
// OSCAL's patterns use \p{L}; Ajv compiles patterns with the unicode flag, as the schema needs.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true });
addFormats(ajv);
const validate = ajv.compile(schema);
if (validate(doc)) {
  console.log(`${docPath}: valid against ${schemaPath}`);
  process.exit(0);
}
for (const e of validate.errors.slice(0, 20)) {
  console.error(`${docPath}: ${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
}
process.exit(1);
