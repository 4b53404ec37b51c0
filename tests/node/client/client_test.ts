// A client generated from semreg's /openapi.json drives the README's worked example end to end:
// `schema.d.ts` is made by openapi-typescript from the running server's document, this file is
// type-checked against it with `tsc --strict` and then run with openapi-fetch as the client.
// Run by tests/generated_client.rs: node client_test.js BASE TOKEN CHECKOUT_DIR SHARED_DATA_DIR
import createClient from "openapi-fetch";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { components, paths } from "./schema.js";

const [base, token, checkout, shared] = process.argv.slice(2);
if (!base || !token || !checkout || !shared) {
  throw new Error("usage: client_test.js BASE TOKEN CHECKOUT_DIR SHARED_DATA_DIR");
}
const client = createClient<paths>({ baseUrl: base });
const auth = { Authorization: `Bearer ${token}` };
const raw = (body: unknown): string => body as string;
const fixture = (name: string): string => readFileSync(join(checkout, "tests/fixtures/compose", name), "utf8");

function check(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new Error(`generated client: ${message}`);
  }
}

type ImportQuery = NonNullable<paths["/api/v1/import"]["post"]["parameters"]["query"]>;

async function importFile(query: ImportQuery, body: string, contentType: string): Promise<number> {
  const { data, error, response } = await client.POST("/api/v1/import", {
    params: { query },
    body,
    headers: { ...auth, "Content-Type": contentType },
    bodySerializer: raw,
  });
  check(data !== undefined, `import ${JSON.stringify(query)}: ${response.status} ${JSON.stringify(error)}`);
  return data.created + data.updated + data.unchanged;
}

// 1. Import: Klass lists (JSON), the worked example's Turtle files, a correspondence (CSV).
check(
  (await importFile(
    { format: "klass", filename: "ssb-klass-131-kommuner-codesAt-2024.json" },
    readFileSync(join(shared, "codelists/ssb-klass-131-kommuner-codesAt-2024.json"), "utf8"),
    "application/json",
  )) === 1,
  "Klass 131 is one code list",
);
await importFile({ format: "klass", id: "2" }, readFileSync(join(shared, "altinn-options/ssb-klass_sex.json"), "utf8"), "application/json");
for (const name of ["concepts.ttl", "person-types.ttl", "folkeregisteret-kjoenn.ttl"]) {
  check((await importFile({ format: "turtle" }, fixture(name), "text/turtle")) > 0, `${name} holds resources`);
}
await importFile(
  {
    format: "correspondence",
    source: "https://example.org/folkeregisteret/kjoenn",
    target: "2",
    iri: "https://example.org/semreg-demo/correspondences/kjoenn-klass-2",
  },
  fixture("kjoenn-to-klass-2.csv"),
  "text/csv",
);
const mappings = await client.POST("/api/v1/mappings", {
  params: { query: { alias: "folkeregisteret-person" } },
  body: fixture("folkeregisteret-person.sssom.tsv"),
  headers: { ...auth, "Content-Type": "text/tab-separated-values" },
  bodySerializer: raw,
});
check(mappings.data?.resources.length === 1, `mapping set: ${JSON.stringify(mappings.error)}`);

// 2. Search: the Person type and the concept, with facets.
const search = await client.GET("/api/v1/search", { params: { query: { q: "person", limit: 10 } } });
check(search.data !== undefined, `search: ${JSON.stringify(search.error)}`);
check(search.data.total > 0 && search.data.hits.some((hit) => hit.kind === "type"), "search finds the type");
check(search.data.facets["kind"]?.["type"] !== undefined, "search has kind facets");
const suggest = await client.GET("/api/v1/suggest", { params: { query: { q: "kommu" } } });
check((suggest.data?.suggestions.length ?? 0) > 0, "suggest answers");

// 3. A code list at runtime, then again with If-None-Match: 304.
const first = await client.GET("/api/v1/code-lists/{id}/codes", {
  params: { path: { id: "ssb-klass-131" }, query: { date: "2024-06-01" } },
});
check(first.data !== undefined, `codes: ${JSON.stringify(first.error)}`);
// The answer is negotiated (JSON, CSV, Turtle, JSON-LD); without an Accept it is the JSON one.
const list = first.data as components["schemas"]["CodesResponse"];
check(list.codes.some((code) => code.code === "0301" && code.label === "Oslo"), "0301 is Oslo");
const etag = first.response.headers.get("etag");
check(etag !== null, "codes carry an ETag");
const second = await client.GET("/api/v1/code-lists/{id}/codes", {
  params: { path: { id: "ssb-klass-131" }, query: { date: "2024-06-01" } },
  headers: { "If-None-Match": etag },
});
check(second.response.status === 304, `If-None-Match gives 304, not ${second.response.status}`);
const options = await client.GET("/api/v1/code-lists/{id}/altinn-options", {
  params: { path: { id: "ssb-klass-131" }, query: { language: "nb" } },
});
check(options.data?.some((option) => option.label === "Oslo"), "Altinn options hold Oslo");

// 4. Compose the README's service model and read it back.
const composed = await client.POST("/api/v1/service-models", {
  body: {
    name: "Søknad om bostøtte",
    alias: "demo-soknad",
    parts: [
      { type: "demo-person", field: "applicant", source: "folkeregisteret-person" },
      { type: "https://example.org/semreg-demo/Adresse", field: "deliveryAddress", cardinality: "0..1" },
    ],
  },
  headers: auth,
});
check(composed.data !== undefined, `compose: ${composed.response.status} ${JSON.stringify(composed.error)}`);
check(composed.response.status === 201, "compose answers 201");
const hint = composed.data.uiHints.find((h) => h.path === "/applicant/address/municipality");
check(hint?.component === "Dropdown" && hint.codeList?.id === "ssb-klass-131", "municipality is a Dropdown of Klass 131");
const stored = await client.GET("/api/v1/service-models/{id}", { params: { path: { id: composed.data.id } } });
check(stored.data?.id === composed.data.id, "the service model reads back");

// 5. Errors come back typed as problems.
const missing = await client.GET("/api/v1/resources/{id}", { params: { path: { id: "no-such-resource" } } });
check(missing.response.status === 404 && missing.error?.status === 404, "a missing resource is a 404 problem");

console.log("generated client: all steps passed");
