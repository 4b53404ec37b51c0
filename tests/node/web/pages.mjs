// semreg's pages in a real browser: Debian's Chromium driven by playwright-core, accessibility
// checked by axe-core. Usage: node pages.mjs BASE_URL SCREENSHOT_DIR (CHROMIUM=/usr/bin/chromium).
// The server must hold the data tests/web.rs imports (Klass 131, NAV's concepts, the demo
// catalog, the reform list). Prints "ok - ..." / "not ok - ..." per check and a closing
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
    if (message.type() === "error") errors.push(message.text());
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
