// Reads one BPMN 2.0 file and prints what bpmn-moddle (the parser bpmn-js uses)
// and bpmnlint's `recommended` rules say about it, as JSON on stdout:
//   {"file": ..., "moddleWarnings": [...], "lint": [{"rule", "id", "message", "category"}]}
// Exit code 0 whenever the file could be parsed (the test decides what fails),
// 1 with {"file", "fatal"} when it could not.
// Usage: node tests/js/check_bpmn.mjs <file.bpmn>   (run from the project root)

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import { BpmnModdle } from 'bpmn-moddle';

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

const file = process.argv[2];
if (!file) {
  console.error('usage: node tests/js/check_bpmn.mjs <file.bpmn>');
  process.exit(2);
}

const xml = await readFile(file, 'utf8');
const moddle = new BpmnModdle();
let parsed;
try {
  parsed = await moddle.fromXML(xml, 'bpmn:Definitions');
} catch (error) {
  console.log(JSON.stringify({ file, fatal: error.message }));
  process.exit(1);
}
const { rootElement, warnings } = parsed;

const linter = new Linter({
  config: { extends: 'bpmnlint:recommended' },
  resolver: new NodeResolver(),
});
const results = await linter.lint(rootElement);

const lint = [];
for (const rule of Object.keys(results).sort()) {
  for (const report of results[rule]) {
    lint.push({ rule, id: report.id || null, message: report.message, category: report.category });
  }
}

console.log(JSON.stringify({
  file,
  moddleWarnings: warnings.map((warning) => warning.message),
  lint,
}, null, 2));
