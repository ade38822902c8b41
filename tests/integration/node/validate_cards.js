// Validates Adaptive Cards with Microsoft's SDK against schema 1.5 (what Teams renders).
// Usage: node validate_cards.js <cards.json> [<node_modules dir>]; cards.json is {"name": card, ...}.
// Prints {"name": {"errors": [...], "warnings": [...]}, ...}.
//
// Teams renders chart elements the SDK does not know (it reports them as unknown elements, "Fallback will
// be used if present"). A chart of a type Teams renders is accepted only when it carries a fallback element
// (not "drop"), which the SDK then parses and validates in its place; any other unknown element is an error.
"use strict";
const fs = require("fs");
const path = require("path");

const [cardsPath, nodeModules = path.resolve(__dirname, "../../e2e/node/node_modules")] = process.argv.slice(2);
if (!cardsPath) {
  console.error("usage: node validate_cards.js <cards.json> [<node_modules dir>]");
  process.exit(2);
}
const AC = require(path.join(nodeModules, "adaptivecards", "dist", "adaptivecards.js"));
const WARNINGS = new Set(["Hint", "Deprecated", "RequiredInputsShouldHaveLabel", "RequiredInputsShouldHaveErrorMessage"]);
const TEAMS_CHARTS = new Set([
  "Chart.Donut", "Chart.Pie", "Chart.VerticalBar", "Chart.VerticalBar.Grouped",
  "Chart.HorizontalBar", "Chart.HorizontalBar.Stacked", "Chart.Line", "Chart.Gauge",
]);
const UNKNOWN = /^Unknown element type "([^"]+)"/;

function charts(node, found = []) {
  if (Array.isArray(node)) node.forEach((n) => charts(n, found));
  else if (node && typeof node === "object") {
    if (typeof node.type === "string" && node.type.startsWith("Chart.")) found.push(node);
    for (const [key, value] of Object.entries(node)) if (key !== "fallback") charts(value, found);
    if (node.fallback && typeof node.fallback === "object") charts(node.fallback, found);
  }
  return found;
}

// Teams' typeahead: an Input.ChoiceSet with `"style": "filtered"` and `choices.data` of type Data.Query (Teams
// asks the bot with `application/search`). The SDK knows `choices.data` only from schema 1.6 and reports it at
// 1.5; it is accepted (as a warning) only on filtered choice sets whose Data.Query names a dataset: a client
// without it shows the static choices, filtered.
const TYPEAHEAD = /^Property "choices\.data" is supported in version/;

function typeaheadsValid(node) {
  if (Array.isArray(node)) return node.every(typeaheadsValid);
  if (!node || typeof node !== "object") return true;
  if (Object.prototype.hasOwnProperty.call(node, "choices.data")) {
    const query = node["choices.data"];
    const ok = node.type === "Input.ChoiceSet" && node.style === "filtered" && query &&
      query.type === "Data.Query" && typeof query.dataset === "string" && query.dataset.length > 0;
    if (!ok) return false;
  }
  return Object.values(node).every(typeaheadsValid);
}

const cards = JSON.parse(fs.readFileSync(cardsPath, "utf8"));
const out = {};
for (const [name, json] of Object.entries(cards)) {
  const ctx = new AC.SerializationContext(AC.Version.parse("1.5", new AC.SerializationContext()));
  const card = new AC.AdaptiveCard();
  card.parse(json, ctx);
  const events = [];
  for (let i = 0; i < ctx.eventCount; i++) events.push(ctx.getEventAt(i));
  for (const e of card.validateProperties().validationEvents) events.push(e);
  const result = { errors: [], warnings: [] };
  const withFallback = new Set();
  for (const chart of charts(json)) {
    if (!TEAMS_CHARTS.has(chart.type)) continue; // reported below as an unknown element
    if (chart.fallback && typeof chart.fallback === "object" && !Array.isArray(chart.fallback)) {
      withFallback.add(chart.type);
    } else {
      result.errors.push(`ChartWithoutFallback: ${chart.type} "${chart.title || ""}" needs a fallback element for clients without charts`);
    }
  }
  const typeaheadOk = typeaheadsValid(json);
  for (const e of events) {
    const kind = AC.ValidationEvent[e.event] || String(e.event);
    if (kind === "UnsupportedProperty" && TYPEAHEAD.test(e.message) && typeaheadOk) {
      result.warnings.push("TeamsTypeahead: choices.data (Data.Query) on a filtered Input.ChoiceSet");
      continue;
    }
    const unknown = kind === "UnknownElementType" && UNKNOWN.exec(e.message);
    if (unknown && TEAMS_CHARTS.has(unknown[1])) {
      // Accepted only as a warning, and only when every chart of this type had a fallback.
      if (withFallback.has(unknown[1]) && !result.errors.some((m) => m.includes(unknown[1]))) {
        result.warnings.push(`TeamsChart: ${unknown[1]} (its fallback was validated in its place)`);
        continue;
      }
    }
    (WARNINGS.has(kind) ? result.warnings : result.errors).push(`${kind}: ${e.message}`);
  }
  out[name] = result;
}
process.stdout.write(JSON.stringify(out) + "\n");
