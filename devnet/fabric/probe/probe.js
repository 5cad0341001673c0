#!/usr/bin/env node
// Readiness probe of the devnet's Fabric network, run by devnet/fabric/ctl.sh up.
//   node probe.js FABRIC_PROPERTIES TIMEOUT_SECONDS ORG...
// For each ORG (a prefix of FABRIC_PROPERTIES: hospital, auditor, ...) it connects to that org's peer Gateway with the
// org's client identity, exactly as the middleware does, and
//   1. evaluates the contract API's built-in org.hyperledger.fabric:GetMetadata on the gateway's peer, then
//   2. endorses the same call without submitting it. Endorsement goes through the gateway's endorsement plan, so it
//      needs gossip discovery to know a peer of every org the chaincode's AND(...) policy names, with the chaincode
//      installed there. Right after a (re)start that can take 10-20 s, and a submit fails with FAILED_PRECONDITION
//      until then. Nothing is ordered or written.
// GetMetadata lists the contract's transactions in an order that can differ between two JVMs, so the gateway may
// reject the pair of endorsements with "ProposalResponsePayloads do not match". That answer also proves the point
// (a plan was found and a peer of each org ran the chaincode) and counts as ready; the chaincode's own functions
// return canonical JSON. A function of the contract itself would tie this probe to the contract's API.
// Retries until every org passes or the timeout expires; exit 0 when ready, 1 otherwise (last error on stderr).
'use strict';

const fs = require('node:fs');
const crypto = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const { connect, signers } = require('@hyperledger/fabric-gateway');

const FN = 'org.hyperledger.fabric:GetMetadata';

function readProperties(file) {
    const props = {};
    for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
        const m = /^\s*([^#!\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
        if (m) props[m[1]] = m[2].trim();
    }
    return props;
}

function required(props, key) {
    const value = props[key];
    if (!value) throw new Error(`missing property ${key}`);
    return value;
}

function openGateway(props, org) {
    const p = `fabric.${org}.`;
    const tlsCa = fs.readFileSync(required(props, `${p}peer.tls.ca.cert`));
    const options = {};
    if (props[`${p}peer.host.alias`]) options['grpc.ssl_target_name_override'] = props[`${p}peer.host.alias`];
    const client = new grpc.Client(required(props, `${p}peer.endpoint`), grpc.credentials.createSsl(tlsCa), options);
    const gateway = connect({
        client,
        identity: { mspId: required(props, `${p}msp.id`), credentials: fs.readFileSync(required(props, `${p}user.cert`)) },
        signer: signers.newPrivateKeySigner(crypto.createPrivateKey(fs.readFileSync(required(props, `${p}user.key`)))),
        evaluateOptions: () => ({ deadline: Date.now() + 5000 }),
        endorseOptions: () => ({ deadline: Date.now() + 15000 }),
    });
    return { client, gateway };
}

function describe(err) {
    const parts = [err.message || String(err)];
    for (const d of err.details || []) parts.push(`${d.mspId}@${d.address}: ${d.message}`);
    return parts.join('; ');
}

async function check(props, org) {
    const { client, gateway } = openGateway(props, org);
    try {
        const contract = gateway.getNetwork(required(props, 'fabric.channel')).getContract(required(props, 'fabric.chaincode'));
        await contract.evaluateTransaction(FN);
        try {
            await contract.newProposal(FN).endorse();
        } catch (err) {
            if (!describe(err).includes('ProposalResponsePayloads do not match')) throw err;
        }
    } finally {
        gateway.close();
        client.close();
    }
}

async function main() {
    const [file, timeoutArg, ...orgs] = process.argv.slice(2);
    if (!file || !timeoutArg || orgs.length === 0) {
        console.error('usage: probe.js FABRIC_PROPERTIES TIMEOUT_SECONDS ORG...');
        process.exit(2);
    }
    const props = readProperties(file);
    const deadline = Date.now() + Number(timeoutArg) * 1000;
    const started = Date.now();
    const pending = new Set(orgs);
    let last = '';
    let attempts = 0;
    while (pending.size > 0) {
        attempts++;
        for (const org of [...pending]) {
            try {
                await check(props, org);
                pending.delete(org);
                console.error(`probe: ${org} gateway endorses through the channel's policy after ${((Date.now() - started) / 1000).toFixed(1)}s`);
            } catch (err) {
                last = `${org}: ${describe(err)}`;
            }
        }
        if (pending.size === 0) break;
        if (Date.now() > deadline) {
            console.error(`probe: not ready after ${timeoutArg}s (${attempts} attempts); last error: ${last}`);
            process.exit(1);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}

main().catch((err) => {
    console.error(`probe: ${describe(err)}`);
    process.exit(1);
});
