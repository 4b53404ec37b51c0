// Validates FHIR R4 JSON resources with FHIR.js (the npm `fhir` package, which checks them
// against the R4 structure definitions offline) in strict mode: unexpected properties,
// missing required elements, wrong types and codes outside required bindings are errors.
//
//   node validate.mjs FILE    FILE holds [{"label": "...", "resource": {...}}, ...]
//
// Prints one line per resource and exits non-zero if any resource is invalid. Before that it
// checks that the validator is live: a CodeSystem with an unknown property and a bad status
// must be refused.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Fhir } = require('fhir');
const fhir = new Fhir();

// What FHIR.js reports below an error and is no fault of the resource: codes of bindings that
// are not required (language tags such as nb and nn are valid BCP 47 but not in FHIR's short
// "common languages" list; the SUBSETTED tag R4 prescribes is not in FHIR.js's copy of the
// example tag value set), and notes that a value set is not shipped with FHIR.js (so the
// code could not be checked). Every other message counts.
const tolerated = (m) =>
  m.severity !== 'error' &&
  ((/\.(language|meta\.tag\[\d+\])$/.test(m.location) && /not found in value set/.test(m.message)) ||
    (m.severity === 'info' && /^Value set ".*" could not be found\.$/.test(m.message)));

function check(resource) {
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  const problems = (result.messages || []).filter((m) => !tolerated(m));
  return { valid: result.valid && problems.length === 0, problems };
}

const broken = { resourceType: 'CodeSystem', url: 'https://e.org/x', status: 'activ', content: 'complete', colour: 'red' };
if (check(broken).valid) {
  console.error('FHIR.js accepted a broken CodeSystem: the validator is not live');
  process.exit(2);
}

const items = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let passed = 0;
let failed = 0;
for (const { label, resource } of items) {
  const { valid, problems } = check(resource);
  if (valid) {
    passed += 1;
    console.log(`ok   ${label} (${resource.resourceType})`);
  } else {
    failed += 1;
    console.log(`FAIL ${label} (${resource.resourceType})`);
    for (const p of problems) console.log(`     ${p.severity} at ${p.location}: ${p.message}`);
  }
}
console.log(`FHIR.js strict validation: ${passed} valid, ${failed} invalid`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
