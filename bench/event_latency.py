"""Chain event -> task start latency (p50) vs Celery's own round trip on the same Redis.

t0 of the chain path is the moment the event's block exists: Anvil runs in automine, where
`eth_sendRawTransaction` mines the block before it answers, so t0 is taken right after that call
returns (transactions are signed beforehand with fixed gas and nonce: no estimation, no receipt
wait). The "t0 before send" line bounds it from the other side (adds the send call and the mining).
Path: EventListener poll (0 confirmations, every --interval s) -> handler writes an outbox row in
the block's transaction -> Outbox.dispatch in the same loop iteration sends the Celery task with
the row key as task id on a held producer -> the task starts (it returns time.time()).
Peer: apply_async on the same producer -> task start, same worker and Redis, its samples alternating
with the chain path's (same load: the listener polls beside both).
Target (DESIGN §8): <= 2x, plus the confirmation depth (0 here).
Run: python bench/event_latency.py [--samples 100] [--interval 0.001]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from eth_account import Account  # noqa: E402

from orchestrator import deploy as deploy_lib  # noqa: E402
from orchestrator.chain import Chain  # noqa: E402
from orchestrator.config import Settings  # noqa: E402
from orchestrator.keystore import dev_key  # noqa: E402
from orchestrator.listener import EventListener, JsonRpc, Outbox  # noqa: E402
from orchestrator.services import embedded_services, free_port  # noqa: E402
from orchestrator.training.executor import Executor  # noqa: E402
from orchestrator.training.workerproc import WorkerProcess  # noqa: E402

TASK = "datacap.bench.stamp"


class TimedListener(EventListener):
    """Stamps when a poll first sees the new head and when the range's transaction committed."""

    marks: dict[str, float]

    def _tip(self):
        tip = super()._tip()
        if tip[0] > self.cursor()[0] and "seen" not in self.marks:
            self.marks["seen"] = time.time()
        return tip

    def _checkpoint(self, point: str) -> None:
        if point == "range_after_commit" and "handled" in self.marks:
            self.marks.setdefault("committed", time.time())


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1] if len(xs) > 1 else xs[0]


def line(label: str, xs: list[float], peer: list[float] | None = None) -> str:
    p50, p90 = 1000 * pct(xs, 50), 1000 * pct(xs, 90)
    ratio = f"  ratio p50 {statistics.median(xs) / statistics.median(peer):5.2f}x" if peer else ""
    return f"{label:38s} p50 {p50:6.2f} ms  p90 {p90:6.2f} ms{ratio}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--interval", type=float, default=0.001, help="listener poll interval (s)")
    a = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="datacap-bench-"))
    s = Settings(rpc_url=f"http://127.0.0.1:{free_port()}", data_dir=root / "data",
                 deployments_dir=root / "deployments", redis_port=free_port())
    with embedded_services(s, redis=True):
        worker = WorkerProcess(s.effective_redis_url, root / "worker.log", includes=("latency_task",),
                               pythonpath=(str(ROOT / "bench"),)).start()
        try:
            chain = Chain(s, Account.from_key(dev_key(0)))
            deploy_lib.deploy_suite(chain, only=["CapToken"], faucet=False)
            rpc = JsonRpc(chain.w3)
            assert rpc.call("anvil_getAutomine", []) is True, "t0 relies on automine"
            app = Executor(s.effective_redis_url).app
            producer = app.producer_pool.acquire(block=True)  # one connection, reused by both paths

            def send(name: str, args: list, task_id: str | None = None):
                return app.send_task(name, args=args, task_id=task_id, producer=producer)

            for _ in range(5):
                send(TASK, []).get(timeout=30)  # warm up

            # Transactions signed up front: fixed gas, nonce and price, no estimation.
            token, me = chain.contract("CapToken"), chain.signer
            spender = Account.from_key(dev_key(1)).address
            nonce = chain.w3.eth.get_transaction_count(me.address)
            price = 2 * chain.w3.eth.gas_price
            raws = [me.sign_transaction(token.functions.approve(spender, i + 1).build_transaction(
                {"from": me.address, "nonce": nonce + i, "gas": 100_000, "gasPrice": price,
                 "chainId": chain.chain_id})).raw_transaction.to_0x_hex() for i in range(a.samples)]

            db = str(root / "listener.db")
            listener = TimedListener(chain.w3, db, {"CapToken": token}, start_block=chain.block_number() + 1)
            outbox = Outbox(db)
            marks: dict[str, float] = {}
            listener.marks = marks

            def handle(ev, ctx):
                marks.setdefault("handled", time.time())
                ctx.outbox(ev.uid, "stamp", {"uid": ev.uid})

            listener.register("CapToken", "Approval", handle)
            results, arrived = {}, threading.Event()

            def dispatch(row):
                results[row.key] = send(TASK, [row.key], task_id=row.key)
                marks["sent"] = time.time()
                arrived.set()

            stop = threading.Event()

            def loop():
                while not stop.is_set():
                    listener.poll_once()
                    outbox.dispatch(dispatch)  # right after the block's commit, same iteration
                    stop.wait(a.interval)

            th = threading.Thread(target=loop, daemon=True)
            th.start()
            celery, c_send, after, before = [], [], [], []
            stages: dict[str, list[float]] = {k: [] for k in
                                              ("detect", "read", "commit", "dispatch", "worker")}
            for raw in raws:
                # Peer and chain samples alternate, so that both see the same load (the listener
                # polling beside them, other processes on the host).
                time.sleep(random.uniform(0.002, 0.01))
                t0 = time.time()
                res = send(TASK, [])
                c_send.append(time.time() - t0)
                celery.append(res.get(timeout=30) - t0)
                time.sleep(random.uniform(0.002, 0.01))  # block arrival at a random poll phase
                arrived.clear()
                marks.clear()
                t_send = time.time()
                tx_hash = rpc.call("eth_sendRawTransaction", [raw])
                t0 = time.time()  # automine: the block holding the event is mined by now
                if not arrived.wait(30):
                    raise TimeoutError("event never reached the outbox")
                key = next(k for k in results if tx_hash in k)
                start = results.pop(key).get(timeout=30)
                after.append(start - t0)
                before.append(start - t_send)
                m = dict(marks)
                stages["detect"].append(m["seen"] - t0)
                stages["read"].append(m["handled"] - m["seen"])
                stages["commit"].append(m["committed"] - m["handled"])
                stages["dispatch"].append(m["sent"] - m["committed"])
                stages["worker"].append(start - m["sent"])
            stop.set()
            th.join()
            producer.release()
        finally:
            worker.stop()
    print(f"t0 (chain path): eth_sendRawTransaction returned, Anvil automine (block already mined); "
          f"poll {a.interval}s, 0 confirmations, n={a.samples}")
    print(line("celery apply_async -> task start", celery))
    print(line("chain event -> task start", after, celery))
    print(line("  (t0 before send: + send + mining)", before, celery))
    c50 = statistics.median(c_send)
    print(f"breakdown, p50 ms: celery = send {1000 * c50:.2f} + worker pickup "
          f"{1000 * statistics.median([c - x for c, x in zip(celery, c_send)]):.2f}")
    print("  chain = " + " + ".join(f"{k} {1000 * statistics.median(v):.2f}" for k, v in stages.items())
          + "  (detect: poll wait to head seen; read: header + getLogs + decode; commit: handler + "
            "SQLite txn; dispatch: outbox select + send_task; worker: send return -> task start)")
    e50, p50 = statistics.median(after), statistics.median(celery)
    print(f"ratio {e50 / p50:.2f}x  (target <= 2x plus the confirmation depth)")


if __name__ == "__main__":
    main()
