"""The trainer's secret key never leaves its process, and no ciphertext or context bytes go through Redis."""
import base64
import json
import os
import re
import socket
import stat
import threading

import pytest

from orchestrator.demo import DemoHooks, DemoOptions, run_demo
from orchestrator.training.commitments import job_info, round_state
from workers.he import envelope

pytestmark = pytest.mark.slow


class RedisMonitor:
    """Everything Redis executes (MONITOR), recorded by a raw client thread until ``stop``."""

    def __init__(self, url: str):
        host, port = re.match(r"redis://([^:/]+):(\d+)", url).groups()
        self.sock = socket.create_connection((host, int(port)))
        self.sock.sendall(b"MONITOR\r\n")
        self.chunks: list[bytes] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while True:
            try:
                data = self.sock.recv(1 << 20)
            except OSError:
                return
            if not data:
                return
            self.chunks.append(data)

    def stop(self) -> bytes:
        self.sock.shutdown(socket.SHUT_RDWR)
        self.thread.join(10)
        self.sock.close()
        return b"".join(self.chunks)


def _message_bodies(log: bytes) -> bytes:
    """The task and result payloads inside the MONITOR log (kombu base64-encodes message bodies)."""
    text = log.decode("unicode_escape", errors="replace")
    out = []
    for m in re.finditer(r'"body\\?"\s*:\s*\\?"([A-Za-z0-9+/=]+)', text):
        try:
            out.append(base64.b64decode(m.group(1)))
        except ValueError:
            pass
    return b"\n".join(out)


def _needles(secret: bytes) -> list[bytes]:
    """base64 of a 48-byte run of ``secret`` at each of the three alignments, and its hex."""
    mid = len(secret) // 2
    return [base64.b64encode(secret[mid + k:mid + k + 48]) for k in range(3)] + [secret[mid:mid + 32].hex().encode()]


def test_no_secret_context_ciphertext_or_context_bytes_go_through_redis_during_a_real_job():
    seen = {}

    def watch(chains, job_id):
        seen["monitor"] = RedisMonitor(chains["trainer"].settings.effective_redis_url)

    def inspect(settings, chains, job_id, agents, report):
        seen["log"] = seen["monitor"].stop()
        keys = list((settings.data_dir / "trainer-keys").glob("*.secret"))
        seen["modes"] = [stat.S_IMODE(os.stat(k).st_mode) for k in keys]
        seen["secret"] = keys[0].read_bytes()
        storage = agents[0].storage
        seen["public"] = storage.get(job_info(chains["trainer"], job_id).context_cid)
        seen["aggregate"] = storage.get(round_state(chains["trainer"], job_id, 1).aggregate_cid)

    report = run_demo(DemoOptions(rounds=1, epochs=1, hooks=DemoHooks(before_agents=watch, inspect=inspect)))
    assert report.model_token_id  # the job ran to the end: tasks did go through Redis
    log = seen["log"]
    corpus = log + _message_bodies(log)
    assert b"datacap.train_encrypt" in corpus and b"datacap.aggregate" in corpus
    assert seen["modes"] == [0o600]
    _, has_secret, sections = envelope.open_context(seen["secret"])
    assert has_secret
    for name, secret in (("secret key", sections[-1]), ("secret context", seen["secret"]),
                         ("public context", seen["public"]), ("aggregate ciphertext", seen["aggregate"])):
        for needle in _needles(secret):
            assert needle not in corpus, f"{name} bytes went through Redis"
    # and no task argument or result is large enough to carry a ciphertext (every one is JSON of CIDs)
    assert max(len(b) for b in _message_bodies(log).split(b"\n")) < 4096
    json.loads(_message_bodies(log).split(b"\n")[0])
