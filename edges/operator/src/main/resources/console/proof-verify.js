// Verifies a caduceus.proof.v1 bundle in the browser (docs/proof-format.md section 5), as the standalone verifier
// (verifier/ProofVerifier) does, with the same checks, order and verdicts: valid, invalid, could not decide.
// It trusts nothing from the server that served this page or the bundle: every hash is recomputed here
// (SHA-256 and HMAC by the browser's WebCrypto, Keccak-256 below), and the anchor is read from the chain through
// the JSON-RPC endpoint the user typed in.
'use strict';
(function () {
  // ---- Keccak-256 (Ethereum's, padding 0x01; not SHA3-256): function selectors and event topics ----------------
  const MASK = (1n << 64n) - 1n;
  const RC = [0x1n, 0x8082n, 0x800000000000808an, 0x8000000080008000n, 0x808bn, 0x80000001n, 0x8000000080008081n,
    0x8000000000008009n, 0x8an, 0x88n, 0x80008009n, 0x8000000an, 0x8000808bn, 0x800000000000008bn,
    0x8000000000008089n, 0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n, 0x800an,
    0x800000008000000an, 0x8000000080008081n, 0x8000000000008080n, 0x80000001n, 0x8000000080008008n];
  const ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]];
  const rotl = (v, n) => (n === 0 ? v : ((v << BigInt(n)) | (v >> BigInt(64 - n))) & MASK);
  function keccakF(A) {
    for (let round = 0; round < 24; round++) {
      const C = [], D = [], B = new Array(25);
      for (let x = 0; x < 5; x++) C[x] = A[x] ^ A[x + 5] ^ A[x + 10] ^ A[x + 15] ^ A[x + 20];
      for (let x = 0; x < 5; x++) D[x] = C[(x + 4) % 5] ^ rotl(C[(x + 1) % 5], 1);
      for (let i = 0; i < 25; i++) A[i] ^= D[i % 5];
      for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) B[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(A[x + 5 * y], ROT[x][y]);
      for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) {
        A[x + 5 * y] = B[x + 5 * y] ^ ((~B[(x + 1) % 5 + 5 * y] & MASK) & B[(x + 2) % 5 + 5 * y]);
      }
      A[0] ^= RC[round];
    }
  }
  function keccak256(bytes) {
    const rate = 136, A = new Array(25).fill(0n);
    const padded = new Uint8Array(Math.floor(bytes.length / rate + 1) * rate);
    padded.set(bytes);
    padded[bytes.length] ^= 0x01;
    padded[padded.length - 1] ^= 0x80;
    for (let off = 0; off < padded.length; off += rate) {
      for (let i = 0; i < rate / 8; i++) {
        let v = 0n;
        for (let b = 7; b >= 0; b--) v = (v << 8n) | BigInt(padded[off + 8 * i + b]);
        A[i] ^= v;
      }
      keccakF(A);
    }
    const out = new Uint8Array(32);
    for (let i = 0; i < 4; i++) { let v = A[i]; for (let b = 0; b < 8; b++) { out[8 * i + b] = Number(v & 0xffn); v >>= 8n; } }
    return out;
  }

  // ---- bytes ----------------------------------------------------------------------------------------------------
  const utf8 = (s) => new TextEncoder().encode(s);
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  function unhex(s) {
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
    return out;
  }
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  async function hmacSha256(key, message) {
    const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await crypto.subtle.sign('HMAC', k, message));
  }
  const equal = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
  // RFC 8785: ECMAScript's own JSON number and string serialization, members sorted by UTF-16 code units.
  function jcs(v) {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return '[' + v.map(jcs).join(',') + ']';
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + jcs(v[k])).join(',') + '}';
  }

  // ---- the bundle (BundleReader) ----------------------------------------------------------------------------------
  const HEX32 = /^[0-9a-fA-F]{64}$/;
  class Unreadable extends Error {}
  function readBundle(text) {
    let b;
    try { b = JSON.parse(text); } catch (e) { throw new Unreadable('not JSON: ' + e.message); }
    const need = (cond, what) => { if (!cond) throw new Unreadable(what); };
    const isInt = (n, min) => Number.isSafeInteger(n) && n >= min;
    need(b && typeof b === 'object' && !Array.isArray(b), 'a bundle is a JSON object');
    need(b.format === 'caduceus.proof.v1', 'format must be caduceus.proof.v1, not ' + JSON.stringify(b.format));
    need(typeof b.recordId === 'string', 'recordId is missing');
    const c = b.commitment || {};
    need(c.scheme === 'hmac-sha256-salted-v1', 'commitment.scheme must be hmac-sha256-salted-v1');
    need(typeof c.value === 'string' && HEX32.test(c.value), 'commitment.value must be 32 bytes of hex');
    need(c.salt === undefined || (typeof c.salt === 'string' && HEX32.test(c.salt)), 'commitment.salt must be 32 bytes of hex');
    const leaf = b.leaf || {}, tree = b.tree || {};
    need(isInt(leaf.index, 0), 'leaf.index must be an integer >= 0');
    need(isInt(tree.size, 1), 'tree.size must be an integer >= 1');
    need(typeof tree.root === 'string' && HEX32.test(tree.root), 'tree.root must be 32 bytes of hex');
    need(Array.isArray(tree.auditPath) && tree.auditPath.every((p) => typeof p === 'string' && HEX32.test(p)),
      'tree.auditPath must be an array of 32-byte hex hashes');
    const out = {
      recordId: b.recordId, commitment: unhex(c.value), salt: c.salt ? unhex(c.salt) : null, leafIndex: leaf.index,
      treeSize: tree.size, root: unhex(tree.root), auditPath: tree.auditPath.map(unhex), anchor: null,
    };
    if (b.anchor !== undefined && b.anchor !== null) {
      const a = b.anchor;
      need(isInt(a.chainId, 0), 'anchor.chainId must be an integer');
      need(typeof a.contract === 'string' && /^0x[0-9a-fA-F]{40}$/.test(a.contract), 'anchor.contract must be 0x and 40 hex digits');
      need(typeof a.transactionHash === 'string' && /^0x[0-9a-fA-F]{64}$/.test(a.transactionHash), 'anchor.transactionHash must be 0x and 64 hex digits');
      need(isInt(a.blockNumber, 0), 'anchor.blockNumber must be an integer');
      need(typeof a.blockTime === 'string' && !isNaN(Date.parse(a.blockTime)), 'anchor.blockTime must be an ISO-8601 time');
      need(typeof a.root === 'string' && HEX32.test(a.root), 'anchor.root must be 32 bytes of hex');
      need(isInt(a.treeSize, 0), 'anchor.treeSize must be an integer');
      need(typeof a.fabricChannel === 'string', 'anchor.fabricChannel is missing');
      need(isInt(a.fabricBlockHeight, 0), 'anchor.fabricBlockHeight must be an integer');
      out.anchor = {
        chainId: a.chainId, contract: a.contract.toLowerCase(), transactionHash: a.transactionHash.toLowerCase(),
        blockNumber: a.blockNumber, blockTime: new Date(a.blockTime), root: unhex(a.root), treeSize: a.treeSize,
      };
    }
    return out;
  }

  // ---- RFC 9162 2.1.3.2 inclusion (MerkleProofs.rootFromInclusionProof): the root the path leads to, or null ---------
  async function rootFromInclusion(leafHash, index, size, path) {
    if (index >= size) return null;
    let fn = BigInt(index), sn = BigInt(size - 1), r = leafHash;
    const one = new Uint8Array([1]);
    for (const p of path) {
      if (sn === 0n) return null;
      if ((fn & 1n) === 1n || fn === sn) {
        r = await sha256(concat(one, p, r));
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        r = await sha256(concat(one, r, p));
      }
      fn >>= 1n; sn >>= 1n;
    }
    return sn === 0n ? r : null;
  }

  // ---- the auditor's JSON-RPC endpoint (EthereumRpc) ----------------------------------------------------------
  class Unreachable extends Error {}
  class Refused extends Error { isRevert() { return /revert/i.test(this.message); } }
  function rpcClient(url, timeoutMs) {
    let u;
    try { u = new URL(url); } catch (e) { u = null; }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
      throw new Error('the RPC URL must be http:// or https:// with a host, got ' + url);
    }
    let id = 0;
    return async function call(method, params, nullable) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      let answer;
      try {
        const response = await fetch(url, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, signal: abort.signal,
          credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store',
          body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
        });
        if (!response.ok) throw new Error('HTTP ' + response.status);
        answer = await response.json();
      } catch (e) {
        throw new Unreachable(method + ' to ' + url + ' failed: ' + (e.name === 'AbortError' ? 'timed out' : e.message));
      } finally {
        clearTimeout(timer);
      }
      if (!answer || typeof answer !== 'object') throw new Unreachable(method + ' to ' + url + ' returned nothing');
      if (answer.error) throw new Refused(method + ' refused by ' + url + ': ' + (answer.error.message || JSON.stringify(answer.error)));
      if ((answer.result === undefined || answer.result === null) && !nullable) {
        throw new Unreachable(method + ' to ' + url + ' returned no result');
      }
      return answer.result;
    };
  }
  function quantity(method, value) {
    if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value)) throw new Unreachable(method + ' returned a malformed result: ' + value);
    const n = BigInt(value);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Unreachable(method + ' returned a number out of range: ' + value);
    return Number(n);
  }
  const uint256 = (n) => BigInt(n).toString(16).padStart(64, '0');
  const ROOT_AT = hex(keccak256(utf8('rootAt(uint64)'))).slice(0, 8);
  const ANCHORED_TOPIC = '0x' + hex(keccak256(utf8('Anchored(uint64,bytes32,bytes32,uint64)')));

  // ---- the verifier (ProofVerifier) ----------------------------------------------------------------------------
  const ON_CHAIN = ['chain', 'on-chain-root', 'anchor-transaction', 'confirmations'];

  async function verify(bundleText, recordText, rpcUrl, options) {
    const opts = Object.assign({ minConfirmations: 1, rpcTimeoutMs: 10000 }, options || {});
    const checks = [], failures = [], undecided = [];
    let facts = null;
    const passed = (name, detail) => checks.push({ name, outcome: 'passed', detail });
    const failed = (name, detail) => { checks.push({ name, outcome: 'failed', detail }); failures.push(name + ': ' + detail); };
    const skipped = (name, detail) => checks.push({ name, outcome: 'skipped', detail });
    const notDecided = (name, detail) => { checks.push({ name, outcome: 'skipped', detail }); undecided.push(name + ': ' + detail); };
    const skipRest = (after, why) => {
      let past = false;
      for (const name of ON_CHAIN) { if (past) skipped(name, 'not checked: ' + why); past = past || name === after; }
    };
    const verdict = (recordId) => {
      if (failures.length) return { result: 'invalid', summary: failures.join('; '), recordId, checks, anchor: facts };
      if (undecided.length) return { result: 'undecided', summary: undecided.join('; '), recordId, checks, anchor: facts };
      const recordChecked = checks.some((c) => c.name === 'commitment' && c.outcome === 'passed');
      return {
        result: 'valid', recordId, checks, anchor: facts,
        summary: (recordChecked ? 'the record was committed, logged at the given position, and its log root is anchored on chain '
          : 'the commitment (record not checked) was logged, and its log root is anchored on chain ')
          + facts.chainId + ' in block ' + facts.blockNumber + ' (' + facts.blockTime + ')',
      };
    };

    let bundle;
    try {
      bundle = readBundle(bundleText);
    } catch (e) {
      if (!(e instanceof Unreadable)) throw e;
      notDecided('bundle', 'cannot read the bundle: ' + e.message);
      return verdict(null);
    }
    passed('bundle', 'caduceus.proof.v1, commitment scheme hmac-sha256-salted-v1, leaf ' + bundle.leafIndex + ' of ' + bundle.treeSize);

    // commitment
    if (!recordText || !recordText.trim()) {
      skipped('commitment', 'no record given: proving only that commitment ' + hex(bundle.commitment) + ' was logged, not what it commits to');
    } else if (!bundle.salt) {
      notDecided('commitment', 'a record was given but the bundle carries no salt, so the commitment cannot be opened: ask for a bundle issued with the record');
    } else {
      let canonical = null;
      try { canonical = utf8(jcs(JSON.parse(recordText))); } catch (e) {
        notDecided('commitment', 'the record is not valid JSON, so it cannot be canonicalized: ' + e.message);
      }
      if (canonical) {
        const digest = await sha256(canonical);
        const computed = await hmacSha256(bundle.salt, concat(utf8('caduceus.commitment.v1'), new Uint8Array([0]), digest));
        if (equal(computed, bundle.commitment)) {
          passed('commitment', 'HMAC-SHA256(salt, label || SHA-256(JCS(record))) = ' + hex(bundle.commitment));
        } else {
          failed('commitment', 'the record and salt give ' + hex(computed) + ', not the bundle\'s commitment '
            + hex(bundle.commitment) + ': the record differs from the one committed');
        }
      }
    }

    // inclusion: from the commitment (never the bundle's leaf.hash) through the audit path
    const leafHash = await sha256(concat(new Uint8Array([0]), bundle.commitment));
    const computedRoot = await rootFromInclusion(leafHash, bundle.leafIndex, bundle.treeSize, bundle.auditPath);
    if (computedRoot === null) {
      failed('inclusion', 'an audit path of ' + bundle.auditPath.length + ' hashes cannot lead from leaf ' + bundle.leafIndex
        + ' to the root of a tree of ' + bundle.treeSize + ' (RFC 9162 2.1.3.2)');
    } else if (!equal(computedRoot, bundle.root)) {
      failed('inclusion', 'leaf hash ' + hex(leafHash) + ' and the audit path lead to ' + hex(computedRoot)
        + ', not to the bundle\'s root ' + hex(bundle.root));
    } else {
      passed('inclusion', 'leaf hash ' + hex(leafHash) + ' at index ' + bundle.leafIndex + ' with ' + bundle.auditPath.length
        + ' path hashes leads to root ' + hex(computedRoot) + ' of size ' + bundle.treeSize);
    }
    if (!bundle.anchor) {
      notDecided('anchor-claim', 'the bundle names no anchor: the record is logged but not anchored yet');
      return verdict(bundle.recordId);
    }
    const anchor = bundle.anchor;
    if (equal(anchor.root, bundle.root) && anchor.treeSize === bundle.treeSize) {
      passed('anchor-claim', 'the bundle\'s anchor names the same root and tree size');
    } else {
      failed('anchor-claim', 'the bundle\'s anchor names root ' + hex(anchor.root) + ' at size ' + anchor.treeSize
        + ', but the proof leads to root ' + hex(bundle.root) + ' at size ' + bundle.treeSize);
    }
    // Compare the chain with what the commitment and path lead to, not with what the bundle says the root is.
    const root = computedRoot !== null ? computedRoot : bundle.root;

    if (opts.expectedChainId !== undefined && opts.expectedChainId !== anchor.chainId) {
      failed('chain', 'the bundle is anchored on chain ' + anchor.chainId + ', but chain ' + opts.expectedChainId + ' is required');
      skipRest('chain', 'the anchor is on a chain the auditor does not accept');
      return verdict(bundle.recordId);
    }
    let rpc;
    try { rpc = rpcClient(rpcUrl, opts.rpcTimeoutMs); } catch (e) {
      notDecided('chain', e.message);
      skipRest('chain', 'no usable RPC endpoint');
      return verdict(bundle.recordId);
    }
    let step = 'chain';
    try {
      const chainId = quantity('eth_chainId', await rpc('eth_chainId', []));
      if (chainId !== anchor.chainId) {
        notDecided('chain', 'the RPC endpoint is on chain ' + chainId + ', the bundle\'s anchor on chain ' + anchor.chainId
          + ': use an endpoint of chain ' + anchor.chainId);
        skipRest('chain', 'wrong chain');
        return verdict(bundle.recordId);
      }
      const headAtStart = quantity('eth_blockNumber', await rpc('eth_blockNumber', []));
      passed('chain', 'eth_chainId = ' + chainId + ', latest block ' + headAtStart);
      const nodeBehind = headAtStart < anchor.blockNumber;
      const behind = 'the node\'s latest block ' + headAtStart + ' is before the bundle\'s anchor block ' + anchor.blockNumber + ': is it synced?';

      step = 'on-chain-root';
      let result = null;
      try {
        result = await rpc('eth_call', [{ to: anchor.contract, data: '0x' + ROOT_AT + uint256(bundle.treeSize) }, 'latest'], true);
        if (result === null) result = '0x';
      } catch (e) {
        if (!(e instanceof Refused) || !e.isRevert()) throw e;
        failed('on-chain-root', 'rootAt(' + bundle.treeSize + ') reverted at ' + anchor.contract + ': not an AnchorRegistry (' + e.message + ')');
      }
      if (result !== null) {
        if (typeof result !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(result)) {
          if (nodeBehind) notDecided('on-chain-root', behind);
          else failed('on-chain-root', 'no AnchorRegistry at ' + anchor.contract + ' on chain ' + anchor.chainId + ' (rootAt returned \'' + String(result).slice(0, 80) + '\')');
        } else {
          const onChain = unhex(result.slice(2));
          if (equal(onChain, root)) {
            passed('on-chain-root', 'rootAt(' + bundle.treeSize + ') at ' + anchor.contract + ' = ' + hex(root));
          } else if (onChain.every((b) => b === 0)) {
            if (nodeBehind) notDecided('on-chain-root', behind);
            else failed('on-chain-root', 'nothing is anchored at tree size ' + bundle.treeSize + ' in ' + anchor.contract + ' (rootAt returned zero)');
          } else {
            failed('on-chain-root', 'rootAt(' + bundle.treeSize + ') at ' + anchor.contract + ' = ' + hex(onChain) + ', not the proof\'s root ' + hex(root));
          }
        }
      }

      step = 'anchor-transaction';
      const tx = anchor.transactionHash;
      const receipt = await rpc('eth_getTransactionReceipt', [tx], true);
      if (!receipt) {
        if (nodeBehind) notDecided('anchor-transaction', behind);
        else failed('anchor-transaction', 'chain ' + anchor.chainId + ' has no mined transaction ' + tx);
        skipped('confirmations', 'no anchoring transaction to count confirmations for');
        return verdict(bundle.recordId);
      }
      const problems = [];
      if (typeof receipt.transactionHash !== 'string' || receipt.transactionHash.toLowerCase() !== tx) {
        problems.push('the node returned the receipt of another transaction (' + receipt.transactionHash + ')');
      }
      if (receipt.status !== '0x1') problems.push('status is ' + receipt.status + ', not 0x1 (the transaction failed)');
      if (typeof receipt.to !== 'string' || receipt.to.toLowerCase() !== anchor.contract) {
        problems.push('it was sent to ' + receipt.to + ', not to the registry ' + anchor.contract);
      }
      const events = [];
      for (const log of Array.isArray(receipt.logs) ? receipt.logs : []) {
        // An event of another contract proves nothing about this registry.
        if (typeof log.address !== 'string' || log.address.toLowerCase() !== anchor.contract) continue;
        const t = log.topics;
        if (!Array.isArray(t) || t.length !== 3 || String(t[0]).toLowerCase() !== ANCHORED_TOPIC) continue;
        if (typeof log.data !== 'string' || !/^0x[0-9a-fA-F]{128}$/.test(log.data)) continue;
        if (!/^0x[0-9a-fA-F]{64}$/.test(t[1]) || !/^0x[0-9a-fA-F]{64}$/.test(t[2])) continue;
        events.push({ treeSize: BigInt(t[1]), root: unhex(t[2].slice(2)) });
      }
      if (!events.some((e) => e.treeSize === BigInt(bundle.treeSize) && equal(e.root, root))) {
        problems.push(events.length === 0 ? 'it carries no Anchored event of the registry'
          : 'its Anchored event' + (events.length === 1 ? '' : 's') + ' name '
            + events.map((e) => '(treeSize=' + e.treeSize + ', root=' + hex(e.root) + ')').join(', ')
            + ', not tree size ' + bundle.treeSize + ' with root ' + hex(root));
      }
      if (problems.length === 0) {
        passed('anchor-transaction', 'transaction ' + tx + ': status 1, to ' + anchor.contract + ', Anchored(treeSize='
          + bundle.treeSize + ', root=' + hex(root) + ') in block ' + parseInt(receipt.blockNumber, 16));
      } else {
        failed('anchor-transaction', 'transaction ' + tx + ': ' + problems.join('; '));
      }

      step = 'confirmations';
      let block;
      try { block = quantity('receipt blockNumber', receipt.blockNumber); } catch (e) {
        notDecided('confirmations', 'the receipt has no usable block number');
        return verdict(bundle.recordId);
      }
      const header = await rpc('eth_getBlockByNumber', ['0x' + block.toString(16), false], true);
      if (!header || !header.timestamp) {
        notDecided('confirmations', 'the node does not return block ' + block + ' of the receipt');
        return verdict(bundle.recordId);
      }
      if (receipt.blockHash && header.hash && receipt.blockHash.toLowerCase() !== header.hash.toLowerCase()) {
        notDecided('confirmations', 'block ' + block + ' changed while verifying (reorganisation?): try again');
        return verdict(bundle.recordId);
      }
      const time = new Date(quantity('block timestamp', header.timestamp) * 1000);
      const latest = quantity('eth_blockNumber', await rpc('eth_blockNumber', []));
      const confirmations = Math.max(0, latest - block + 1);
      facts = { chainId, contract: anchor.contract, transactionHash: tx, blockNumber: block,
        blockTime: time.toISOString().replace('.000Z', 'Z'), confirmations };
      let differs = '';
      if (block !== anchor.blockNumber || time.getTime() !== anchor.blockTime.getTime()) {
        differs = ' (the bundle states block ' + anchor.blockNumber + ' at ' + anchor.blockTime.toISOString()
          + '; the chain\'s values are the ones that count)';
      }
      const detail = confirmations + ' confirmation' + (confirmations === 1 ? '' : 's') + ' (block ' + block + ' at '
        + facts.blockTime + ', latest ' + latest + ')' + differs;
      if (confirmations < opts.minConfirmations) notDecided('confirmations', detail + '; ' + opts.minConfirmations + ' required');
      else passed('confirmations', detail + '; ' + opts.minConfirmations + ' required');
    } catch (e) {
      if (e instanceof Unreachable) {
        notDecided(step, 'the RPC endpoint could not be asked: ' + e.message);
        skipRest(step, 'the RPC endpoint could not be asked');
      } else if (e instanceof Refused) {
        notDecided(step, 'the RPC endpoint refused: ' + e.message);
        skipRest(step, 'the RPC endpoint refused a request');
      } else {
        throw e;
      }
    }
    return verdict(bundle.recordId);
  }

  const api = { verify, keccak256Hex: (text) => hex(keccak256(utf8(text))), jcs };
  if (typeof window !== 'undefined') window.CaduceusProof = api;
  if (typeof module !== 'undefined') module.exports = api;
}());
