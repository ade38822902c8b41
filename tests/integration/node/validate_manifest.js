// Validates a Teams app manifest with Microsoft's own validator, offline.
// Usage: node validate_manifest.js <manifest.json> [<node_modules dir>]
// Prints {"errors": [...]} and exits 0 when the manifest validates, 1 when it does not, 2 on a usage problem.
"use strict";
const fs = require("fs");
const path = require("path");

const [manifestPath, nodeModules = path.resolve(__dirname, "../../e2e/node/node_modules")] = process.argv.slice(2);
if (!manifestPath) {
  console.error("usage: node validate_manifest.js <manifest.json> [<node_modules dir>]");
  process.exit(2);
}
const packageDir = path.join(nodeModules, "@microsoft", "app-manifest");
const { AppManifestUtils } = require(packageDir);
const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));

// validateAgainstSchema finds the schema of the manifest's $schema URL in the package, or else downloads
// it: refuse a version the package does not bundle rather than reach for the network.
const match = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?(json-schemas\/teams\/.+)$/i.exec(
  manifest.$schema || ""
);
if (!match || !fs.existsSync(path.join(packageDir, "build", match[1]))) {
  console.error(`no bundled schema for $schema ${JSON.stringify(manifest.$schema)}`);
  process.exit(2);
}

AppManifestUtils.validateAgainstSchema(manifest).then(
  (errors) => {
    process.stdout.write(JSON.stringify({ errors }) + "\n");
    process.exit(errors.length === 0 ? 0 : 1);
  },
  (error) => {
    console.error(String(error && error.stack ? error.stack : error));
    process.exit(2);
  }
);
