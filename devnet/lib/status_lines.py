"""Turns the middleware's /api/ledger and /api/anchoring answers into the status lines of ./caduceus status.

Reads LEDGER_JSON and ANCHOR_JSON from the environment (either may be empty) and prints one line per component.
"""
import json
import os


def load(name):
    text = os.environ.get(name, "")
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def ms(summary, key):
    value = (summary or {}).get(key)
    return "-" if value is None else f"{value} ms"


ledger = load("LEDGER_JSON")
anchor = load("ANCHOR_JSON")
pad = " " * 11
max_height = None
if ledger is not None:
    if not ledger.get("enabled"):
        print(f"{pad}ledger (Fabric): off: {ledger.get('detail', '')}")
    else:
        heights = ledger.get("peerHeights") or {}
        numeric = [h for h in heights.values() if isinstance(h, int)]
        max_height = max(numeric) if numeric else None
        peers = ", ".join(f"{peer} {height if height is not None else '?'}" for peer, height in heights.items())
        print(f"{pad}ledger (Fabric): channel {ledger.get('channel')}, heights: {peers}")
        k2f = ledger.get("kafkaToFabric") or {}
        latency = k2f.get("ackToCommit") or {}
        problem = f"; problem: {k2f['problem']}" if k2f.get("problem") else ""
        print(f"{pad}Kafka -> Fabric: lag {k2f.get('lagEntries', '?')} entries, {k2f.get('lagSeconds', '?')} s; "
              f"{k2f.get('committed', 0)} committed in {k2f.get('transactions', 0)} transactions, "
              f"{k2f.get('deadLettered', 0)} dead-lettered; ACK to commit p50 {ms(latency, 'p50Ms')}, "
              f"p99 {ms(latency, 'p99Ms')}{problem}")
if anchor is not None:
    if not anchor.get("enabled", True) or "logSize" not in anchor:
        print(f"{pad}anchoring: off: {anchor.get('problem', '')}")
    else:
        feed = anchor.get("feed") or {}
        source = feed.get("source", "?")
        behind = ""
        if source == "fabric" and max_height is not None:
            behind = f", {max(0, max_height - anchor.get('fabricBlockHeight', 0))} blocks behind the peers"
        conflicts = f", {feed.get('conflicts')} conflicting entries refused" if feed.get("conflicts") else ""
        feed_problem = f"; feed problem: {feed['problem']}" if feed.get("problem") else ""
        print(f"{pad}Merkle log: {anchor['logSize']} entries from {source}{behind}{conflicts}{feed_problem}")
        age = anchor.get("secondsSinceLastAnchor")
        chain = anchor.get("chain") or {}
        chain_problem = f"; chain problem: {chain['problem']}" if chain.get("problem") else ""
        waited = anchor.get("receivedToConfirmedAnchor") or {}
        print(f"{pad}Fabric -> anchor: {anchor.get('unanchoredEntries')} entries unanchored, last anchor size "
              f"{anchor.get('lastAnchoredSize')} {('%s s ago' % age) if age is not None else '(none yet)'}, "
              f"{anchor.get('pendingAnchors')} pending, {anchor.get('undeliveredReceipts')} receipts not yet on "
              f"Fabric; received to confirmed anchor p50 {ms(waited, 'p50Ms')}, p99 {ms(waited, 'p99Ms')}"
              f"{chain_problem}")
        lost = anchor.get("lostAnchors") or {}
        if lost.get("count"):
            latest = (lost.get("recent") or [{}])[-1]
            again = lost.get("lastReanchor")
            redone = (f"; anchored again at size {again.get('treeSize')} in block {again.get('blockNumber')}, "
                      f"{again.get('millisFromLossFoundToConfirmed')} ms after the loss was found") if again else ""
            print(f"{pad}LOST anchors: {lost['count']} the chain no longer holds; latest size {latest.get('treeSize')}, "
                  f"transaction {latest.get('transactionHash')}, found {latest.get('detectedAt')}: "
                  f"{latest.get('reason')}{redone} (proofs issued with them no longer verify: fetch them again)")
