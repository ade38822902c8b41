// Validates Adaptive Cards with Microsoft's SDK against schema 1.5 (what Teams renders).
// Usage: node validate_cards.js <cards.json> [<node_modules dir>]; cards.json is {"name": card, ...}.
// Prints {"name": {"errors": [...], "warnings": [...]}, ...}.
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
  for (const e of events) {
    const kind = AC.ValidationEvent[e.event] || String(e.event);
    (WARNINGS.has(kind) ? result.warnings : result.errors).push(`${kind}: ${e.message}`);
  }
  out[name] = result;
}
process.stdout.write(JSON.stringify(out) + "\n");
