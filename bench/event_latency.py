"""Chain event -> task start latency (p50) vs Celery's own round trip on the same Redis.

Path measured: a transaction is sent to Anvil (automine) -> its event is read by the EventListener
(0 confirmations, polling every --interval s) -> the handler writes an outbox row -> Outbox.dispatch
sends the Celery task with the row key as task id -> the task starts (it returns time.time()).
Peer: apply_async -> task start on the same worker and Redis. Target (DESIGN §8): <= 2x, plus the
confirmation depth. Run: python bench/event_latency.py [--samples 30] [--interval 0.02]
"""
from __future__ import annotations

import argparse
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
from orchestrator.listener import EventListener, Outbox  # noqa: E402
from orchestrator.services import embedded_services, free_port  # noqa: E402
from orchestrator.training.executor import Executor  # noqa: E402
from orchestrator.training.workerproc import WorkerProcess  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--interval", type=float, default=0.02, help="listener poll interval (s)")
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
            app = Executor(s.effective_redis_url).app
            app.send_task("datacap.bench.stamp").get(timeout=30)  # warm up

            celery = []
            for _ in range(a.samples):
                t0 = time.time()
                celery.append(app.send_task("datacap.bench.stamp").get(timeout=30) - t0)

            db = str(root / "listener.db")
            listener = EventListener(chain.w3, db, {"CapToken": chain.contract("CapToken")},
                                     start_block=chain.block_number() + 1)
            outbox = Outbox(db)
            listener.register("CapToken", "Approval", lambda ev, ctx: ctx.outbox(ev.uid, "stamp", {"uid": ev.uid}))
            results = {}

            def send(row):
                results[row.key] = app.send_task("datacap.bench.stamp", args=[row.key], task_id=row.key)

            stop = threading.Event()

            def loop():
                while not stop.is_set():
                    listener.poll_once()
                    outbox.dispatch(send)
                    stop.wait(a.interval)

            th = threading.Thread(target=loop, daemon=True)
            th.start()
            chain_lat = []
            spender = Account.from_key(dev_key(1)).address
            for i in range(a.samples):
                t0 = time.time()
                tx = chain.transact("CapToken.approve", spender, i + 1)
                deadline = time.time() + 30
                while not any(tx.tx_hash in k for k in results):
                    if time.time() > deadline:
                        raise TimeoutError("event never reached the outbox")
                    time.sleep(0.001)
                key = next(k for k in results if tx.tx_hash in k)
                chain_lat.append(results[key].get(timeout=30) - t0)
            stop.set()
            th.join()
        finally:
            worker.stop()
    c50, e50 = statistics.median(celery), statistics.median(chain_lat)
    print(f"celery apply_async -> task start  p50 {1000 * c50:7.1f} ms  (n={len(celery)})")
    print(f"chain event -> task start         p50 {1000 * e50:7.1f} ms  (n={len(chain_lat)}, poll {a.interval}s, "
          f"0 confirmations; includes tx send + mining)")
    print(f"ratio {e50 / c50:.2f}x  (target <= 2x plus the confirmation depth)")


if __name__ == "__main__":
    main()
