#!/usr/bin/env node
// Compiles Solidity files OFFLINE with the pinned solc-js from npm (devnet/ethereum/package.json): no compiler
// download, ever. Run it through devnet/ethereum/solc, which puts the cached node_modules on NODE_PATH.
//   node compile.js OUTDIR FILE.sol...
// Output: OUTDIR/<Contract>.abi (JSON), OUTDIR/<Contract>.bin (creation bytecode, hex without 0x),
// OUTDIR/<Contract>.bin-runtime, and OUTDIR/combined.json (shaped like `solc --combined-json abi,bin,bin-runtime`).
// Environment: SOLC_EVM_VERSION (default: solc's own), SOLC_OPTIMIZER_RUNS (default 200; 0 turns the optimizer off).
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

function fail(message) {
  process.stderr.write(`solc: ${message}\n`);
  process.exit(1);
}

const [outDir, ...files] = process.argv.slice(2);
if (!outDir || files.length === 0) {
  process.stderr.write('usage: compile.js OUTDIR FILE.sol...\n');
  process.exit(2);
}

const sources = {};
for (const file of files) {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) fail(`no such file: ${file}`);
  sources[abs] = { content: fs.readFileSync(abs, 'utf8') };
}

const runs = Number(process.env.SOLC_OPTIMIZER_RUNS ?? 200);
const settings = {
  optimizer: { enabled: runs > 0, runs: runs > 0 ? runs : 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};
if (process.env.SOLC_EVM_VERSION) settings.evmVersion = process.env.SOLC_EVM_VERSION;

// Imports are resolved on the local file system only (absolute source unit names, so relative imports work).
function findImports(importPath) {
  const candidates = [importPath, path.join(process.cwd(), importPath), path.join(process.cwd(), 'node_modules', importPath)];
  for (const candidate of candidates) {
    if (path.isAbsolute(candidate) && fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
  }
  return { error: `import not found: ${importPath}` };
}

const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }), { import: findImports }));

let errors = 0;
for (const diagnostic of output.errors ?? []) {
  process.stderr.write(diagnostic.formattedMessage ?? `${diagnostic.severity}: ${diagnostic.message}\n`);
  if (diagnostic.severity === 'error') errors++;
}
if (errors > 0) fail(`${errors} error(s); nothing written`);

fs.mkdirSync(outDir, { recursive: true });
const combined = { contracts: {}, version: solc.version() };
const written = [];
for (const [sourceName, contracts] of Object.entries(output.contracts ?? {})) {
  for (const [name, contract] of Object.entries(contracts)) {
    const bin = contract.evm.bytecode.object;
    const binRuntime = contract.evm.deployedBytecode.object;
    combined.contracts[`${sourceName}:${name}`] = { abi: contract.abi, bin, 'bin-runtime': binRuntime };
    if (!files.some((f) => path.resolve(f) === sourceName)) continue; // imported only: in combined.json, no own files
    fs.writeFileSync(path.join(outDir, `${name}.abi`), JSON.stringify(contract.abi));
    fs.writeFileSync(path.join(outDir, `${name}.bin`), bin);
    fs.writeFileSync(path.join(outDir, `${name}.bin-runtime`), binRuntime);
    written.push(name);
  }
}
fs.writeFileSync(path.join(outDir, 'combined.json'), JSON.stringify(combined, null, 2));
process.stdout.write(`solc ${solc.version()}: ${written.join(', ') || 'no contracts'} -> ${path.resolve(outDir)}\n`);
