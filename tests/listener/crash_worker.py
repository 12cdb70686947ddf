"""Subprocess for the crash tests: listen, record side effects, dispatch the outbox, maybe die.

Environment: ANVIL_URL, ARTIFACT (abi + address JSON), DB (listener db), EXT_DB (the "external
system"), TARGET_BLOCK (exit 0 once processed up to it and the outbox is drained), BATCH,
CRASH_POINT ("<checkpoint>:<n>": os._exit on the n-th time that checkpoint is reached), SLOW
(seconds slept in each handler, so that a SIGKILL from the parent lands mid-stream).
"""

import json
import os
import sqlite3
import sys
import time

from web3 import Web3

from orchestrator.listener import EventListener, Outbox

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from listener_support import record_side_effect  # noqa: E402

CRASH_EXIT = 77
crash_name, _, crash_n = os.environ.get("CRASH_POINT", "").partition(":")
crash_n = int(crash_n or 0)
hits: dict[str, int] = {}


def checkpoint(point: str) -> None:
    hits[point] = hits.get(point, 0) + 1
    if point == crash_name and hits[point] == crash_n:
        os._exit(CRASH_EXIT)  # no cleanup, no commit, no flush: as brutal as a kill


class CrashingListener(EventListener):
    def _checkpoint(self, point):
        checkpoint(point)


class CrashingOutbox(Outbox):
    def _checkpoint(self, point):
        checkpoint(point)


def main() -> None:
    w3 = Web3(Web3.HTTPProvider(os.environ["ANVIL_URL"]))
    art = json.loads(open(os.environ["ARTIFACT"]).read())
    emitter = w3.eth.contract(address=art["address"], abi=art["abi"])
    listener = CrashingListener(
        w3, os.environ["DB"], {"Emitter": emitter}, batch=int(os.environ.get("BATCH", "2000"))
    )
    slow = float(os.environ.get("SLOW", "0"))

    @listener.on("Emitter", "Pinged")
    def handler(ev, ctx):
        record_side_effect(ev, ctx)
        checkpoint("handler_mid")
        if slow:
            time.sleep(slow)

    def compensate(fork_block, orphaned, ctx):
        # Undo local effects; an already-sent task gets a compensating "cancel" outbox row.
        for ev in orphaned:
            ctx.conn.execute("DELETE FROM side_effects WHERE event_uid = ?", (ev.uid,))
            ctx.outbox(f"cancel:{ev.uid}", "cancel", {"ping_id": int(ev.args["id"])})
        checkpoint("on_reorg_done")

    listener.on_reorg = compensate

    ext = sqlite3.connect(os.environ["EXT_DB"], isolation_level=None, timeout=30)
    ext.execute("CREATE TABLE IF NOT EXISTS deliveries (task_id TEXT PRIMARY KEY, ping_id INT)")
    ext.execute("CREATE TABLE IF NOT EXISTS attempts (task_id TEXT, ping_id INT)")

    def send(row):
        if row.kind == "cancel":
            ext.execute("DELETE FROM deliveries WHERE ping_id = ?", (row.payload["ping_id"],))
            return
        # The receiver is idempotent on the task id, as a Celery task with a fixed task_id whose
        # result is keyed by it; `attempts` records every (re-)send to show they happen.
        ext.execute("INSERT INTO attempts VALUES (?, ?)", (row.key, row.payload["ping_id"]))
        ext.execute("INSERT OR IGNORE INTO deliveries VALUES (?, ?)",
                    (row.key, row.payload["ping_id"]))

    outbox = CrashingOutbox(os.environ["DB"])
    target = int(os.environ["TARGET_BLOCK"])
    while True:
        listener.poll_once()
        while outbox.dispatch(send, limit=5):
            pass
        if listener.cursor()[0] >= target and not outbox.pending():
            return
        time.sleep(0.05)


if __name__ == "__main__":
    main()
