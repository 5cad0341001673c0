"""Turns the middleware's /api/track answer into the lines of ./caduceus track: one line per stage of one message.

Reads the answer from stdin. Ids, positions and times only, as the API gives them.
"""
import json
import sys

MARK = {"done": "ok     ", "pending": "pending", "absent": "-      ", "unknown": "?      "}


def detail(stage):
    name = stage.get("stage")
    if name == "received":
        return stage.get("at", "")
    if name == "vault":
        return stage.get("contentType", "")
    if name == "quarantine":
        return "; ".join(f"{q.get('quarantineId')} ({q.get('reason')}) at {q.get('quarantinedAt')}"
                         for q in stage.get("entries", []))
    if name == "ledger":
        if stage.get("problem"):
            return stage["problem"]
        if stage.get("ledger") == "fabric":
            return f"Fabric channel {stage.get('channel')}, block {stage.get('block')}, transaction {stage.get('transaction')}"
        if stage.get("ledger") == "kafka":
            return f"Kafka (no Fabric configured), position {stage.get('position')}"
        return ""
    if name == "merkle":
        return f"leaf {stage['leafIndex']}" if "leafIndex" in stage else ""
    if name == "anchor":
        if "transactionHash" not in stage:
            return ""
        confirmations = stage.get("confirmations")
        return (f"tree size {stage.get('treeSize')}, transaction {stage.get('transactionHash')} in block "
                f"{stage.get('blockNumber')} on chain {stage.get('chainId')}"
                + (f", {confirmations} confirmations" if confirmations is not None else ""))
    return ""


try:
    answer = json.load(sys.stdin)
except ValueError:
    print("the middleware's answer is not JSON", file=sys.stderr)
    sys.exit(1)
if "recordId" in answer:
    print(f"record     {answer['recordId']}")
if answer.get("error") and not answer.get("stages"):
    print(f"error      {answer['error']}")
for stage in answer.get("stages", []):
    print(f"{stage.get('stage', '?'):<10} {MARK.get(stage.get('state'), stage.get('state', '?'))} {detail(stage)}".rstrip())
