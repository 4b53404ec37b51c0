// Drives semreg's FHIR terminology API with fhir-kit-client, as a FHIR application would.
//
//   node client.mjs BASE_URL     e.g. http://127.0.0.1:PORT/fhir
//
// Expects the Klass municipality list (131), the test lists of tests/fixtures/fhir/reform.ttl
// and their correspondence to be imported. Exits non-zero on the first failed expectation.
import assert from 'node:assert/strict';
import { Client } from 'fhir-kit-client';

const base = process.argv[2];
const client = new Client({ baseUrl: base });
const KLASS131 = 'https://data.ssb.no/api/klass/v1/classifications/131';
const KOMMUNE = 'https://example.org/fhir-test/kommune';
const NY = 'https://example.org/fhir-test/ny';
const param = (p, name) => p.parameter.find((x) => x.name === name);
let steps = 0;
const step = (name) => { steps += 1; console.log(`ok ${steps} ${name}`); };

const cap = await client.capabilityStatement();
assert.equal(cap.resourceType, 'CapabilityStatement');
assert.equal(cap.fhirVersion, '4.0.1');
const ops = cap.rest[0].resource.flatMap((r) => r.operation.map((o) => `${r.type}/$${o.name}`));
for (const op of ['ValueSet/$expand', 'CodeSystem/$lookup', 'CodeSystem/$validate-code', 'ValueSet/$validate-code', 'ConceptMap/$translate']) {
  assert.ok(ops.includes(op), `${op} in the CapabilityStatement`);
}
step('capability statement lists the terminology operations');

const found = await client.search({ resourceType: 'CodeSystem', searchParams: { url: KLASS131 } });
assert.equal(found.resourceType, 'Bundle');
assert.equal(found.total, 1);
const cs = found.entry[0].resource;
assert.equal(cs.url, KLASS131);
assert.equal(cs.content, 'complete');
assert.equal(cs.concept.length, 358);
const read = await client.read({ resourceType: 'CodeSystem', id: cs.id });
assert.equal(read.url, KLASS131);
step('search a CodeSystem by url and read it by id');

// Paging through every CodeSystem one at a time with the client's own next-page helper.
let page = await client.search({ resourceType: 'CodeSystem', searchParams: { _count: '1', _summary: 'true' } });
const urls = new Set();
for (let guard = 0; page && guard < 20; guard += 1) {
  for (const e of page.entry || []) urls.add(e.resource.url);
  page = await client.nextPage({ bundle: page });
}
assert.ok(urls.has(KLASS131) && urls.has(KOMMUNE) && urls.has(NY), [...urls].join(' '));
step(`page through ${urls.size} CodeSystems with nextPage`);

const expand = (input) => client.operation({ name: '$expand', resourceType: 'ValueSet', method: 'GET', input });
const first = await expand({ url: KLASS131, filter: 'os', count: '5', offset: '0' });
assert.equal(first.resourceType, 'ValueSet');
const total = first.expansion.total;
assert.ok(total > 5, `total ${total}`);
assert.equal(first.expansion.contains.length, 5);
const second = await expand({ url: `${KLASS131}?fhir_vs`, filter: 'os', count: '5', offset: '5' });
assert.equal(second.expansion.total, total);
const codes = [...first.expansion.contains, ...second.expansion.contains].map((c) => c.code);
assert.equal(new Set(codes).size, codes.length, 'pages do not overlap');
for (const c of [...first.expansion.contains, ...second.expansion.contains]) {
  const text = `${c.code} ${c.display}`.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  assert.ok(text.includes('os'), `${c.code} ${c.display} matches the filter`);
}
assert.ok(codes.includes('0301'), 'Oslo is among the first ten');
step(`$expand with a filter and paging (${total} codes match "os")`);

const posted = await client.operation({
  name: '$expand', resourceType: 'ValueSet',
  input: { resourceType: 'Parameters', parameter: [
    { name: 'url', valueUri: KOMMUNE }, { name: 'date', valueDate: '2019-06-01' },
    { name: 'displayLanguage', valueCode: 'en' }, { name: 'excludeNested', valueBoolean: true }] },
});
const posCodes = posted.expansion.contains.map((c) => c.code);
assert.deepEqual(posCodes, ['03', '0301', '0101', '1103']);
assert.equal(posted.expansion.contains[0].display, 'Oslo county');
step('$expand by POST with a Parameters body, as of a date, in English');

const lookup = await client.operation({ name: '$lookup', resourceType: 'CodeSystem', method: 'GET', input: { system: KLASS131, code: '0301' } });
assert.equal(param(lookup, 'display').valueString, 'Oslo');
assert.equal(param(lookup, 'name').valueString, 'SsbKlass131');
step('$lookup of 0301');

const valid = await client.operation({ name: '$validate-code', resourceType: 'ValueSet', method: 'GET', input: { url: KLASS131, code: '0301', system: KLASS131 } });
assert.equal(param(valid, 'result').valueBoolean, true);
const invalid = await client.operation({ name: '$validate-code', resourceType: 'CodeSystem', method: 'GET', input: { url: KLASS131, code: '0000' } });
assert.equal(param(invalid, 'result').valueBoolean, false);
assert.match(param(invalid, 'message').valueString, /0000/);
const byCoding = await client.operation({
  name: '$validate-code', resourceType: 'CodeSystem',
  input: { resourceType: 'Parameters', parameter: [{ name: 'coding', valueCoding: { system: KOMMUNE, code: '0101' } }, { name: 'date', valueDate: '2019-12-31' }] },
});
assert.equal(param(byCoding, 'result').valueBoolean, true);
step('$validate-code: a valid code, an unknown one, a Coding as of a date');

const translated = await client.operation({ name: '$translate', resourceType: 'ConceptMap', method: 'GET', input: { system: KOMMUNE, code: '0101', targetsystem: NY } });
assert.equal(param(translated, 'result').valueBoolean, true);
const match = param(translated, 'match').part;
assert.equal(match.find((p) => p.name === 'concept').valueCoding.code, '3001');
assert.equal(match.find((p) => p.name === 'equivalence').valueCode, 'equivalent');
step('$translate 0101 through the correspondence');

try {
  await expand({ url: 'https://example.org/no-such-list' });
  assert.fail('an unknown value set must be refused');
} catch (error) {
  const { response } = error;
  assert.equal(response.status, 404);
  assert.equal(response.data.resourceType, 'OperationOutcome');
  assert.equal(response.data.issue[0].code, 'not-found');
}
step('an unknown value set is a 404 OperationOutcome');
console.log(`fhir-kit-client: ${steps} passed, 0 failed`);
