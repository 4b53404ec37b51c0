// semreg's pages in a real browser: Debian's Chromium driven by playwright-core, accessibility
// checked by axe-core. Usage: node pages.mjs BASE_URL SCREENSHOT_DIR (CHROMIUM=/usr/bin/chromium).
// The server must hold the data tests/web.rs imports (Klass 131, NAV's concepts, the demo
// catalog, the reform list, the worked example's Person type and its mapping from the population
// register); SEMREG_TEST_TOKEN is a token of that data's publisher. Prints "ok - ..." / "not ok - ..." per check and a closing
// "N passed, N failed"; exits non-zero when any check failed.
import { chromium } from "playwright-core";
import AxeBuilderModule from "@axe-core/playwright";
import Ajv2020Module from "ajv/dist/2020.js";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const AxeBuilder = AxeBuilderModule.default ?? AxeBuilderModule;
const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const [base, shots = "screenshots"] = process.argv.slice(2);
if (!base) {
  console.error("usage: node pages.mjs BASE_URL [SCREENSHOT_DIR]");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
});

let passed = 0;
let failed = 0;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Runs one check in a fresh browser context (no cookies), nb-NO unless told otherwise. */
async function check(name, options, body) {
  if (typeof options === "function") [options, body] = [{}, options];
  // `expectedConsole`: console errors the check causes on purpose (the browser logs an error
  // answer, e.g. a refused token's 401, as a failed resource load).
  const { expectedConsole, ...contextOptions } = options;
  options = contextOptions;
  const context = await browser.newContext({
    locale: "nb-NO",
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error" && !(expectedConsole && expectedConsole.test(message.text()))) {
      errors.push(message.text());
    }
  });
  try {
    await body(page);
    // A Content-Security-Policy violation or a script error shows up here.
    assert(errors.length === 0, `errors in the page: ${errors.join("; ")}`);
    passed++;
    console.log(`ok - ${name}`);
  } catch (error) {
    failed++;
    console.log(`not ok - ${name}\n    ${String(error.stack ?? error).split("\n").join("\n    ")}`);
    await page.screenshot({ path: join(shots, `failed-${name.replace(/\W+/g, "-")}.png`) }).catch(() => {});
  } finally {
    await context.close();
  }
}

/** Zero axe violations of WCAG 2.0/2.1 level A and AA. */
async function axe(page, what) {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  const found = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`,
  );
  assert(found.length === 0, `${what}: axe found\n      ${found.join("\n      ")}`);
  return result.passes.length;
}

async function go(page, path) {
  const response = await page.goto(base + path);
  return response;
}

/** The codes in the code-list table, in order. */
async function codes(page) {
  return page.locator("tbody tr[data-code]").evaluateAll((rows) => rows.map((r) => r.dataset.code));
}

await check("start page: one search field, the registry by kind, no axe violations", async (page) => {
  const response = await go(page, "/");
  assert(response.status() === 200, `status ${response.status()}`);
  assert((await page.locator("html").getAttribute("lang")) === "nb", "html lang is nb");
  assert(await page.getByLabel("Søk i registeret").isVisible(), "a labelled search field");
  const kinds = await page.locator(".kind-card").count();
  assert(kinds === 5, `five kinds, got ${kinds}`);
  await page.screenshot({ path: join(shots, "start.png") });
  await axe(page, "/");
});

await check("search → results → a code list filtered by a valid-on date shows the right codes", async (page) => {
  await go(page, "/");
  await page.getByLabel("Søk i registeret").fill("reform");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/search\?q=reform/);
  const count = await page.locator(".result-count").innerText();
  assert(/\d+ treff for “reform”/.test(count), `result count: ${count}`);
  await axe(page, "/search?q=reform");
  await page.getByRole("link", { name: "Kommuner etter reformen" }).click();
  await page.waitForURL(/\/code-lists\//);
  let shown = await codes(page);
  assert(shown.join() === "03,0301,0101,3001", `all codes: ${shown}`);
  await page.getByLabel("Gyldig på dato").fill("2019-12-31");
  await page.getByRole("button", { name: "Vis koder" }).click();
  await page.waitForURL(/date=2019-12-31/);
  shown = await codes(page);
  assert(shown.includes("0101") && !shown.includes("3001"), `on 2019-12-31: ${shown}`);
  await page.getByLabel("Gyldig på dato").fill("2020-01-01");
  await page.getByRole("button", { name: "Vis koder" }).click();
  await page.waitForURL(/date=2020-01-01/);
  shown = await codes(page);
  assert(!shown.includes("0101") && shown.includes("3001"), `on 2020-01-01: ${shown}`);
  assert(/3 koder vises/.test(await page.locator("#codes-shown").innerText()), "the count follows the date");
  await axe(page, "/code-lists/reform-kommuner?date=2020-01-01");
  // With scripts, the copy buttons appear.
  assert(await page.locator("button[data-copy='runtime-url']").isVisible(), "copy button shown");
});

await check("search results and a code list, for the README's screenshots", async (page) => {
  await go(page, "/search?q=kommune");
  await page.screenshot({ path: join(shots, "search.png") });
  await go(page, "/search?q=arbeid");
  assert((await page.locator(".result-card").count()) === 20, "a full first page");
  await page.getByRole("link", { name: "Neste" }).click();
  await page.waitForURL(/page=2/);
  assert((await page.locator("ol.result-list").getAttribute("start")) === "21", "page 2 starts at 21");
  await go(page, "/code-lists/ssb-klass-131?date=2024-01-01");
  const rows = (await codes(page)).length;
  assert(rows > 300, `Klass 131 on 2024-01-01: ${rows} municipalities`);
  await page.screenshot({ path: join(shots, "code-list.png") });
});

await check("switching language switches labels, and the choice is remembered", async (page) => {
  await go(page, "/search?q=kommune");
  await page.getByRole("link", { name: "English" }).click();
  await page.waitForURL(/lang=en/);
  assert((await page.locator("html").getAttribute("lang")) === "en", "html lang en");
  assert(await page.getByLabel("Search the registry").first().isVisible(), "English label");
  assert(new URL(page.url()).searchParams.get("q") === "kommune", "the search is kept");
  await go(page, "/");
  assert((await page.locator("html").getAttribute("lang")) === "en", "remembered in the cookie");
  await page.getByRole("link", { name: "Nynorsk" }).click();
  await page.waitForURL(/lang=nn/);
  assert(await page.getByText("Gjenbrukbare byggeklossar for digitale offentlege tenester").first().isVisible(), "nynorsk tagline");
  await axe(page, "/?lang=nn");
  await go(page, "/code-lists/reform-kommuner?tab=about&lang=nn");
  // A name missing in Nynorsk is shown in Bokmål and marked with its language.
  assert((await page.locator("h1 [lang='nb']").count()) === 1, "the nb label is marked lang=nb");
  await go(page, "/code-lists/reform-kommuner?tab=about&lang=en");
  assert((await page.locator("h1 [lang]").count()) === 0, "the English name needs no mark");
  assert((await page.locator("h1").innerText()) === "Municipalities after the reform", "the English name");
  await axe(page, "/code-lists/reform-kommuner?tab=about&lang=en");
});

await check("Accept-Language chooses the first language", { locale: "en-GB" }, async (page) => {
  await go(page, "/");
  assert((await page.locator("html").getAttribute("lang")) === "en", "en from Accept-Language");
});

await check("keyboard only: skip link, search, a result, with visible focus", async (page) => {
  await go(page, "/");
  await page.keyboard.press("Tab");
  const skip = await page.evaluate(() => document.activeElement.textContent);
  assert(skip === "Hopp til hovedinnhold", `first Tab reaches the skip link: ${skip}`);
  const box = await page.locator(".ds-skip-link").boundingBox();
  assert(box && box.width > 10, "the skip link is visible when focused");
  await page.keyboard.press("Enter");
  assert((await page.evaluate(() => document.activeElement.id)) === "main", "focus moves to main");
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement.id === "start-search");
  }
  assert(reached, "Tab reaches the search field");
  await page.keyboard.type("reform");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/search\?q=reform/);
  let onCard = false;
  for (let i = 0; i < 60 && !onCard; i++) {
    await page.keyboard.press("Tab");
    onCard = await page.evaluate(() => !!document.activeElement.closest(".result-card"));
  }
  assert(onCard, "Tab reaches a result card");
  const focus = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return { outline: style.outlineStyle, shadow: style.boxShadow };
  });
  assert(focus.outline !== "none" || focus.shadow !== "none", `focus is visible: ${JSON.stringify(focus)}`);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/code-lists\/|\/api\/v1\/resources\//);
});

await check("every page works without JavaScript", { javaScriptEnabled: false }, async (page) => {
  await go(page, "/");
  await page.getByLabel("Søk i registeret").fill("oslo");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/search\?q=oslo/);
  assert((await page.locator(".result-card").count()) > 0, "results without scripts");
  await go(page, "/code-lists/reform-kommuner");
  await page.getByLabel("Filtrer på kode eller navn").fill("0301");
  await page.getByRole("button", { name: "Vis koder" }).click();
  await page.waitForURL(/filter=0301/);
  assert((await codes(page)).join() === "0301", "the filter works without scripts");
  assert(!(await page.locator("button[data-copy='runtime-url']").isVisible()), "copy buttons need scripts, so they stay hidden");
  assert(await page.locator("#runtime-url").isVisible(), "the URL itself is there to copy by hand");
  await page.getByRole("link", { name: "Versjoner" }).click();
  await page.waitForURL(/tab=versions/);
});

await check("type-ahead suggests labels from /api/v1/suggest", async (page) => {
  await go(page, "/search");
  await page.locator("#search-q").pressSequentially("kommun", { delay: 40 });
  await page.waitForFunction(() => document.querySelectorAll("#search-q-suggestions option").length > 0, null, { timeout: 5000 });
  const first = await page.locator("#search-q-suggestions option").first().getAttribute("value");
  assert(first && first.length > 0, "a suggestion");
});

await check("the CSV download of a code list holds the codes shown", async (page) => {
  await go(page, "/code-lists/reform-kommuner?date=2020-01-01");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "CSV" }).click(),
  ]);
  const path = join(shots, "reform-kommuner.csv");
  await download.saveAs(path);
  const lines = readFileSync(path, "utf8").trim().split("\n");
  assert(lines[0].startsWith("code,parent,level,label"), `header: ${lines[0]}`);
  const codesInFile = lines.slice(1).map((l) => l.split(",")[0]);
  assert(codesInFile.join() === "03,0301,3001", `codes: ${codesInFile}`);
});

/** The id of the first search hit of a kind, through the API. */
async function firstId(q, kind) {
  const answer = await fetch(`${base}/api/v1/search?q=${encodeURIComponent(q)}&kind=${kind}&limit=1`);
  const { hits } = await answer.json();
  if (!hits.length) throw new Error(`no ${kind} found for ${q}`);
  return hits[0].id;
}
const typeId = await firstId("Person", "type");
const conceptId = await firstId("arbeidsgiver", "concept");
const modelId = await firstId("Personmodell", "model");

await check("search → open a type → download its JSON Schema and validate it", async (page) => {
  await go(page, "/search?q=Person&kind=type");
  await page.locator(".result-card h2 a").first().click();
  await page.waitForURL(/\/types\//);
  const props = await page.locator("table.props-table tr[data-prop]").count();
  assert(props > 0, "the type's properties are listed");
  const table = await page.locator("table.props-table").first().innerText();
  assert(/\[\d+\.\.(\d+|\*)\]/.test(table), `multiplicities shown: ${table}`);
  const href = await page.getByRole("link", { name: "JSON Schema" }).getAttribute("href");
  const response = await page.request.get(base + href);
  assert(response.ok(), `JSON Schema: ${response.status()}`);
  const schema = await response.json();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  assert(ajv.validateSchema(schema), `a valid JSON Schema: ${JSON.stringify(ajv.errors)}`);
  const validate = ajv.compile(schema);
  assert(!validate({}), "an empty document lacks the required properties");
  await page.screenshot({ path: join(shots, "type.png") });
  await axe(page, page.url());
});

await check("a model page: structure, then Turtle and JSON-LD tabs", async (page) => {
  await go(page, `/models/${modelId}`);
  assert((await page.locator("section.type-def").count()) > 0, "the model's types");
  await page.getByRole("link", { name: "Turtle" }).click();
  await page.waitForURL(/tab=turtle/);
  assert((await page.locator("pre.rdf").innerText()).includes("modelldcatno"), "Turtle shown");
  await page.getByRole("link", { name: "JSON-LD" }).click();
  await page.waitForURL(/tab=jsonld/);
  assert((await page.locator("pre.rdf").innerText()).includes("@id"), "JSON-LD shown");
});

await check("a concept page: terms by language, definitions, relations", async (page) => {
  await go(page, "/search?q=arbeidsgiver&kind=concept");
  await page.locator(".result-card h2 a").first().click();
  await page.waitForURL(/\/concepts\//);
  assert(await page.getByRole("heading", { name: "Definisjoner" }).isVisible(), "definitions");
  assert((await page.locator("table tbody tr").count()) > 0, "terms");
  await page.screenshot({ path: join(shots, "concept.png") });
});

/** Whether the focused element shows that it has focus. */
async function focusVisible(page) {
  return page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return style.outlineStyle !== "none" || style.boxShadow !== "none";
  });
}

/** Presses Tab until `test(arg)` holds in the page (at most 80 times). */
async function tabTo(page, test, arg = null) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(test, arg)) return true;
  }
  return false;
}

const token = process.env.SEMREG_TEST_TOKEN;
const personId = (await (await fetch(`${base}/api/v1/resources/demo-person`)).json()).id;
const adresseId = await (async () => {
  const answer = await fetch(`${base}/api/v1/search?q=Adresse&kind=type&limit=50`);
  const { hits } = await answer.json();
  const hit = hits.find((h) => h.iri === "https://example.org/semreg-demo/Adresse");
  if (!hit) throw new Error("the demo Adresse type is not found");
  return hit.id;
})();

await check("composing a service model in the composer", { expectedConsole: /status of 401/ }, async (page) => {
  assert(token, "SEMREG_TEST_TOKEN is set");
  await go(page, "/compose");
  await axe(page, "/compose");
  await page.getByLabel("Navn på tjenestemodellen").fill("Søknad om bostøtte");
  await page.getByLabel("Finn en type").fill("Person");
  await page.keyboard.press("Enter");
  await page.waitForURL(/q=Person/);
  assert(new URL(page.url()).searchParams.get("name") === "Søknad om bostøtte", "the name is kept in the address");
  await page.locator(`button[name=add][value="${personId}"]`).click();
  await page.waitForURL(/type=/);
  assert((await page.locator("tr[data-part]").count()) === 1, "one field");
  assert((await page.locator("#field-0").inputValue()) === "person", "a field name from the type's label");
  await page.locator("#field-0").fill("applicant");
  await page.locator("#source-0").selectOption("folkeregisteret-person");
  await page.getByLabel("Finn en type").fill("Adresse");
  await page.keyboard.press("Enter");
  await page.waitForURL(/q=Adresse/);
  const params = new URL(page.url()).searchParams;
  assert(params.getAll("field")[0] === "applicant" && params.getAll("source")[0] === "folkeregisteret-person",
    `the edits are kept in the address: ${page.url()}`);
  await page.locator(`button[name=add][value="${adresseId}"]`).click();
  await page.waitForURL(/type=.*type=/);
  await page.locator("#field-1").fill("deliveryAddress");
  await page.locator("#card-1").selectOption("0..1");
  await page.getByRole("button", { name: "Vis resultat" }).click();
  await page.waitForURL(/field=deliveryAddress/);
  const schema = JSON.parse(await page.locator("#compose-schema").innerText());
  assert(schema.properties.applicant.$ref === "#/$defs/Person", `schema: ${JSON.stringify(schema.properties)}`);
  assert(schema.properties.deliveryAddress, "the second field in the schema");
  assert((schema.required ?? []).join() === "applicant", `required: ${schema.required}`);
  const municipality = page.locator('#compose-hints tr[data-path="/applicant/address/municipality"]');
  assert((await municipality.innerText()).includes("Dropdown"), "the UI hint of the municipality");
  const mapping = await page.locator(".compose-mapping").first().innerText();
  assert(mapping.includes("/navn/0/fornavn") && mapping.includes("/applicant/givenName"), `mapping: ${mapping}`);
  await axe(page, "/compose with a preview");
  await page.screenshot({ path: join(shots, "compose.png"), fullPage: true });
  // A refused token: the API's answer, in Norwegian.
  await page.getByLabel("Utgivertoken").fill("semreg_wrong");
  await page.getByRole("button", { name: "Lagre" }).click();
  await page.waitForSelector("#api-error");
  assert((await page.locator("#api-error").innerText()).includes("Tokenet mangler eller er ugyldig."), "401 explained");
  await axe(page, "/compose after a refused save");
  await page.getByLabel("Utgivertoken").fill(token);
  await page.getByRole("button", { name: "Lagre" }).click();
  await page.waitForURL(/saved=/);
  assert(!page.url().includes(token), "the token is not in the address");
  const href = await page.locator("#saved-model").getAttribute("href");
  const bundle = await (await page.request.get(base + href)).json();
  assert(bundle.parts.map((p) => p.field).join() === "applicant,deliveryAddress", `fields: ${JSON.stringify(bundle.parts)}`);
  assert(bundle.parts[0].mapping, "the first field is filled from the population register");
  assert(bundle.parts[1].min === 0 && bundle.parts[1].max === 1, "deliveryAddress is 0..1");
  assert(bundle.name === "Søknad om bostøtte", `name: ${bundle.name}`);
  assert(bundle.uiHints.some((h) => h.path === "/applicant/address/municipality" && h.component === "Dropdown"), "hints saved");
  const zip = await page.request.get(base + (await page.getByRole("link", { name: "Altinn-app (zip)" }).getAttribute("href")));
  assert(zip.ok() && zip.headers()["content-type"].includes("zip"), "the Altinn app export");
  // The token stays in this tab's sessionStorage, in no cookie.
  assert((await page.evaluate(() => sessionStorage.getItem("semreg-publisher-token"))) === token, "kept for the tab");
  assert((await page.locator("#compose-token").inputValue()) === token, "filled in again after the save");
  assert((await page.context().cookies()).every((c) => !c.value.includes(token)), "no cookie holds it");
  await axe(page, "/compose after a save");
});

await check("keyboard only through the composer: search, add a type, name it, see the result", async (page) => {
  await go(page, "/compose?lang=en");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  assert(await tabTo(page, () => document.activeElement.id === "compose-name"), "Tab reaches the name");
  await page.keyboard.type("Keyboard");
  assert(await tabTo(page, () => document.activeElement.id === "compose-q"), "Tab reaches the type search");
  await page.keyboard.type("Person");
  await page.keyboard.press("Enter");
  await page.waitForURL(/q=Person/);
  const add = `button[name=add][value="${personId}"]`;
  assert(await tabTo(page, (selector) => document.activeElement.matches(selector), add), "Tab reaches the add button");
  assert(await focusVisible(page), "the add button shows focus");
  await page.keyboard.press("Enter");
  await page.waitForURL(/type=/);
  assert(await tabTo(page, () => document.activeElement.id === "field-0"), "Tab reaches the field name");
  assert(await focusVisible(page), "the field shows focus");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("applicant");
  assert(await tabTo(page, () => document.activeElement.id === "compose-show"), "Tab reaches Show result");
  await page.keyboard.press("Enter");
  await page.waitForURL(/field=applicant/);
  assert((await page.locator("#compose-schema").innerText()).includes("applicant"), "the schema shows the field");
  assert(await tabTo(page, () => document.activeElement.id === "compose-token"), "Tab reaches the token field");
  assert(await focusVisible(page), "the token field shows focus");
});

await check("the composer works without JavaScript", { javaScriptEnabled: false }, async (page) => {
  await go(page, "/compose?name=Uten+skript");
  await page.getByLabel("Finn en type").fill("Person");
  await page.locator("#compose-form button[type=submit]").first().click();
  await page.waitForURL(/q=Person/);
  await page.locator(`button[name=add][value="${personId}"]`).click();
  await page.waitForURL(/type=/);
  assert((await page.locator("#compose-schema").innerText()).includes("#/$defs/Person"), "the preview without scripts");
  assert(await page.locator("#compose-token").isVisible(), "the save form");
});

await check("a publisher's dry run shows the diff of a push and writes nothing", async (page) => {
  await go(page, "/publishers/974760673");
  assert(await page.locator("#dry-run-file").isVisible(), "with scripts, a file can be chosen");
  const catalog = `<https://example.org/begrep/browser-dry> a <http://www.w3.org/2004/02/skos/core#Concept> ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> "tørr"@nb .`;
  await page.getByLabel("Katalog").fill(catalog);
  await page.getByLabel("Hvordan").selectOption("merge");
  await page.getByLabel("Utgivertoken").fill(token);
  await page.getByRole("button", { name: "Vis endringene" }).click();
  await page.waitForSelector("#dry-run-counts");
  assert((await page.locator('[data-count="created"]').innerText()) === "1", "one created");
  assert((await page.locator('#dry-run-diff tr[data-outcome="created"]').count()) === 1, "the new concept listed");
  await axe(page, "/publishers/974760673 with a dry run");
  const answer = await fetch(`${base}/api/v1/search?q=t%C3%B8rr&kind=concept`);
  assert((await answer.json()).hits.every((h) => h.iri !== "https://example.org/begrep/browser-dry"), "nothing written");
});

const everyPage = [
  `/concepts/${conceptId}`,
  `/concepts/${conceptId}?lang=en`,
  `/types/${typeId}`,
  `/types/${typeId}?lang=en`,
  `/models/${modelId}`,
  `/models/${modelId}?tab=turtle`,
  "/?lang=en",
  "/search?q=arbeid",
  "/search?q=arbeid&kind=concept&page=2",
  "/search?q=zzxqwv",
  "/code-lists/reform-kommuner",
  "/code-lists/reform-kommuner?parent=03&lang=nn",
  "/code-lists/reform-kommuner?tab=versions",
  "/code-lists/reform-kommuner?tab=changes",
  "/code-lists/reform-kommuner?tab=correspondences",
  "/code-lists/demo-frg-kjoenn?tab=correspondences",
  "/code-lists/demo-frg-kjoenn?tab=correspondences&lang=en",
  "/compose?q=Person",
  "/compose?lang=nn",
  "/code-lists/reform-kommuner?tab=about",
  "/code-lists/ssb-klass-131",
  "/publishers/974760673",
];
await check("axe finds no WCAG 2.1 A/AA violation on any page type", async (page) => {
  for (const path of everyPage) {
    const response = await go(page, path);
    assert(response.status() === 200, `${path}: status ${response.status()}`);
    await axe(page, path);
  }
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
