"""A listener process really killed (os._exit at checkpoints, SIGKILL at random) loses and repeats
nothing: every event's local side effect and external delivery appears exactly once."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from listener_support import mine, ping, ping_many, reorg, worker_env, write_artifact

WORKER = Path(__file__).with_name("crash_worker.py")
CRASH_EXIT = 77
POINTS = [
    "block_begin", "handler_mid", "after_handler", "block_end",
    "range_before_commit", "range_after_commit", "outbox_after_send", "outbox_after_mark",
]


def run_worker(env, timeout=60):
    return subprocess.run([sys.executable, str(WORKER)], env=env, timeout=timeout).returncode


def processed_count(tmp_path):
    try:
        conn = sqlite3.connect(tmp_path / "l.db", timeout=30)
        try:
            return conn.execute("SELECT COUNT(*) FROM listener_events").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def assert_exactly_once(tmp_path, expected_ids, events=None):
    conn = sqlite3.connect(tmp_path / "l.db")
    local = sorted(r[0] for r in conn.execute("SELECT ping_id FROM side_effects"))
    assert local == sorted(expected_ids)
    assert conn.execute("SELECT COUNT(*) FROM listener_events").fetchone()[0] == (
        len(expected_ids) if events is None else events
    )
    assert conn.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 0
    ext = sqlite3.connect(tmp_path / "ext.db")
    delivered = sorted(r[0] for r in ext.execute("SELECT ping_id FROM deliveries"))
    assert delivered == sorted(expected_ids)
    attempts = ext.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    return attempts


def test_killed_at_every_checkpoint_loses_and_repeats_nothing(w3, emitter, anvil, tmp_path):
    expected = []
    for i in range(1, 13):
        ping(emitter, i)
        expected.append(i)
        if i % 4 == 0:
            ping_many(emitter, 100 * i, 3)
            expected += [100 * i, 100 * i + 1, 100 * i + 2]
            mine(w3, 2)
    write_artifact(tmp_path / "art.json", {"abi": emitter.abi}, emitter.address)
    base = dict(ANVIL_URL=anvil, ARTIFACT=tmp_path / "art.json", DB=tmp_path / "l.db",
                EXT_DB=tmp_path / "ext.db", TARGET_BLOCK=w3.eth.block_number, BATCH=4)

    rng = random.Random(1234)
    # Every checkpoint at least once (early hits), then random points at random depths.
    plan = [(p, 1) for p in POINTS] + [(rng.choice(POINTS), rng.randint(1, 12)) for _ in range(10)]
    crashes = 0
    for point, n in plan:
        rc = run_worker(worker_env(**base, CRASH_POINT=f"{point}:{n}"))
        assert rc in (0, CRASH_EXIT), rc
        crashes += rc == CRASH_EXIT
    assert run_worker(worker_env(**base)) == 0
    assert crashes >= len(POINTS)
    attempts = assert_exactly_once(tmp_path, expected)
    assert attempts > len(expected)  # re-sends after "sent but not marked" did happen


def test_sigkilled_while_streaming_loses_and_repeats_nothing(w3, emitter, anvil, tmp_path):
    write_artifact(tmp_path / "art.json", {"abi": emitter.abi}, emitter.address)
    base = dict(ANVIL_URL=anvil, ARTIFACT=tmp_path / "art.json", DB=tmp_path / "l.db",
                EXT_DB=tmp_path / "ext.db", BATCH=3, SLOW=0.02)
    expected = []
    done = threading.Event()

    def stream():
        for i in range(1, 41):
            if i % 5 == 0:
                ping_many(emitter, 1000 * i, 3)
                expected.extend([1000 * i, 1000 * i + 1, 1000 * i + 2])
            else:
                ping(emitter, i)
                expected.append(i)
            time.sleep(0.25)
        done.set()

    producer = threading.Thread(target=stream)
    producer.start()
    rng = random.Random(99)
    kills = mid_stream = 0
    env = worker_env(**base, TARGET_BLOCK=10**9)  # never "done": only a kill ends it
    while not done.is_set() or kills < 8:
        before = processed_count(tmp_path)
        proc = subprocess.Popen([sys.executable, str(WORKER)], env=env)
        # Kill shortly after the worker has made progress, so the kill lands mid-stream (between
        # any two statements of a block's processing or the outbox dispatch), not at start-up.
        deadline = time.time() + 6
        while processed_count(tmp_path) == before and time.time() < deadline:
            time.sleep(0.01)
        mid_stream += processed_count(tmp_path) > before
        time.sleep(rng.uniform(0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
    assert mid_stream >= 5
    producer.join()
    assert run_worker(worker_env(**base, TARGET_BLOCK=w3.eth.block_number)) == 0
    assert_exactly_once(tmp_path, expected)


def test_killed_during_reorg_rollback_recovers_exactly_once(w3, emitter, anvil, tmp_path):
    for i in range(1, 6):
        ping(emitter, i)
    write_artifact(tmp_path / "art.json", {"abi": emitter.abi}, emitter.address)
    base = dict(ANVIL_URL=anvil, ARTIFACT=tmp_path / "art.json", DB=tmp_path / "l.db",
                EXT_DB=tmp_path / "ext.db", TARGET_BLOCK=w3.eth.block_number)
    assert run_worker(worker_env(**base)) == 0
    reorg(emitter, 3, [501, 502, 503])
    for point in ("on_reorg_done", "reorg_before_commit", "block_end",
                  "outbox_after_send"):
        assert run_worker(worker_env(**base, CRASH_POINT=f"{point}:1")) == CRASH_EXIT
    assert run_worker(worker_env(**base)) == 0
    assert_exactly_once(tmp_path, [1, 2, 501, 502, 503], events=5)
    conn = sqlite3.connect(tmp_path / "l.db")
    assert conn.execute("SELECT depth, orphaned_events FROM listener_reorgs").fetchall() == [(3, 3)]
