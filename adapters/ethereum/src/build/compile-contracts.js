#!/usr/bin/env node
// Compiles the adapter's contracts (src/main/solidity/*.sol) with the devnet's pinned solc-js, OFFLINE.
// Run through ../compile-contracts.sh, which puts the cached node_modules on NODE_PATH.
//   node compile-contracts.js MODULE_DIR OUTDIR
// Writes OUTDIR/<Contract>.abi (JSON), OUTDIR/<Contract>.bin and OUTDIR/<Contract>.bin-runtime (hex, no 0x).
//
// Unlike devnet/ethereum/compile.js, source unit names are RELATIVE to the module (src/main/solidity/X.sol) and
// every setting is pinned here: the metadata hash that solc appends to the bytecode covers the source names and
// settings, so this is what makes the bytecode identical on every checkout and machine, and lets a published
// contract be re-verified from the repository.
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

const SOURCE_DIR = 'src/main/solidity';
const SETTINGS = {
  // Pinned rather than solc's default, so a compiler upgrade cannot silently change the target chain's opcodes.
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 10000 }, // anchors are called often, deployed once: favour call cost
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

function fail(message) {
  process.stderr.write(`compile-contracts: ${message}\n`);
  process.exit(1);
}

const [moduleDir, outDir] = process.argv.slice(2);
if (!moduleDir || !outDir) {
  process.stderr.write('usage: compile-contracts.js MODULE_DIR OUTDIR\n');
  process.exit(2);
}

const sourceDir = path.join(moduleDir, SOURCE_DIR);
const sources = {};
for (const file of fs.readdirSync(sourceDir).filter((f) => f.endsWith('.sol')).sort()) {
  sources[`${SOURCE_DIR}/${file}`] = { content: fs.readFileSync(path.join(sourceDir, file), 'utf8') };
}
if (Object.keys(sources).length === 0) fail(`no .sol files in ${sourceDir}`);

function findImports(importPath) { // only files of this module: no network, no node_modules contracts
  const candidate = path.join(moduleDir, importPath);
  return fs.existsSync(candidate) ? { contents: fs.readFileSync(candidate, 'utf8') } : { error: `import not found: ${importPath}` };
}

const input = { language: 'Solidity', sources, settings: SETTINGS };
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

let errors = 0;
for (const diagnostic of output.errors ?? []) {
  process.stderr.write(diagnostic.formattedMessage ?? `${diagnostic.severity}: ${diagnostic.message}\n`);
  if (diagnostic.severity === 'error') errors++;
}
if (errors > 0) fail(`${errors} error(s); nothing written`);

fs.mkdirSync(outDir, { recursive: true });
const written = [];
for (const [sourceName, contracts] of Object.entries(output.contracts ?? {})) {
  if (!(sourceName in sources)) continue;
  for (const [name, contract] of Object.entries(contracts)) {
    fs.writeFileSync(path.join(outDir, `${name}.abi`), JSON.stringify(contract.abi));
    fs.writeFileSync(path.join(outDir, `${name}.bin`), contract.evm.bytecode.object);
    fs.writeFileSync(path.join(outDir, `${name}.bin-runtime`), contract.evm.deployedBytecode.object);
    written.push(name);
  }
}
process.stdout.write(`solc ${solc.version()}: ${written.join(', ')} -> ${path.resolve(outDir)}\n`);
