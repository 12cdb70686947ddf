"""EventListener against a live Anvil: exactly-once, confirmations, reorgs, handler failures."""

import sqlite3

import pytest

from listener_support import (
    mine,
    ping,
    ping_many,
    record_side_effect,
    reorg,
    side_effect_ids,
)
from orchestrator.listener import EventListener, Outbox, ReorgTooDeep


def make_listener(w3, emitter, db, **kw):
    listener = EventListener(w3, str(db), {"Emitter": emitter}, **kw)
    listener.register("Emitter", "Pinged", record_side_effect)
    return listener


def test_events_processed_exactly_once_across_chunks_and_restarts(w3, emitter, tmp_path):
    db = tmp_path / "l.db"
    listener = make_listener(w3, emitter, db, batch=3)
    for i in range(1, 6):
        ping(emitter, i)
    ping_many(emitter, 100, 4)  # four events in one block
    mine(w3, 7)
    result = listener.poll_once()
    assert result.processed == 9
    assert result.to_block == w3.eth.block_number
    assert listener.poll_once().processed == 0
    listener.close()

    # A new instance resumes from the stored cursor and repeats nothing.
    again = make_listener(w3, emitter, db, batch=3)
    assert again.poll_once().processed == 0
    ping(emitter, 6)
    assert again.poll_once().processed == 1
    assert side_effect_ids(again.conn) == [1, 2, 3, 4, 5, 6, 100, 101, 102, 103]
    assert len(Outbox(str(db)).pending()) == 10


def test_handlers_by_address_decorator_and_decoded_args(w3, emitter, tmp_path):
    listener = EventListener(w3, str(tmp_path / "l.db"), {"Emitter": emitter})
    seen = []

    @listener.on(emitter.address, "Ponged")
    def on_pong(ev, ctx):
        seen.append(ev)

    ping(emitter, 1)  # Pinged has no handler here: ignored
    emitter.functions.pong(7).transact({"from": w3.eth.accounts[0]})
    assert listener.poll_once().processed == 1
    (ev,) = seen
    assert (ev.contract, ev.name, ev.args["id"]) == ("Emitter", "Ponged", 7)
    assert ev.block_hash == "0x" + bytes(w3.eth.get_block(ev.block_number)["hash"]).hex()
    with pytest.raises(Exception):
        listener.register("Emitter", "NoSuchEvent", on_pong)


def test_confirmation_depth_respected(w3, emitter, tmp_path):
    listener = make_listener(w3, emitter, tmp_path / "l.db", confirmations=2)
    ping(emitter, 1)
    block = w3.eth.block_number
    assert listener.poll_once().processed == 0
    assert listener.cursor()[0] == block - 2
    mine(w3)
    assert listener.poll_once().processed == 0
    mine(w3)
    result = listener.poll_once()
    assert result.processed == 1 and result.to_block == block
    assert side_effect_ids(listener.conn) == [1]


def test_handler_failure_rolls_back_block_and_retries(w3, emitter, tmp_path):
    listener = EventListener(w3, str(tmp_path / "l.db"), {"Emitter": emitter})
    calls = []

    @listener.on("Emitter", "Pinged")
    def flaky(ev, ctx):
        record_side_effect(ev, ctx)
        calls.append(ev.args["id"])
        if len(calls) == 2:
            raise RuntimeError("boom")

    ping_many(emitter, 1, 2)
    before = listener.cursor()
    with pytest.raises(RuntimeError):
        listener.poll_once()
    assert listener.cursor() == before
    assert side_effect_ids(listener.conn) == []  # the first event's row rolled back too
    assert listener.poll_once().processed == 2
    assert side_effect_ids(listener.conn) == [1, 2]


@pytest.mark.parametrize("depth", [2, 3])
def test_reorg_detected_rolled_back_and_reprocessed(w3, emitter, tmp_path, depth):
    compensated = []

    def on_reorg(fork_block, orphaned, ctx):
        # Domain compensation, atomic with the rollback: undo the orphaned events' local effects.
        for ev in orphaned:
            compensated.append(int(ev.args["id"]))
            ctx.conn.execute("DELETE FROM side_effects WHERE event_uid = ?", (ev.uid,))
            ctx.conn.execute("DELETE FROM outbox WHERE key = ? AND sent_at IS NULL",
                             (f"train:{ev.uid}",))

    listener = make_listener(w3, emitter, tmp_path / "l.db", on_reorg=on_reorg)
    for i in range(1, 5):
        ping(emitter, i)
    assert listener.poll_once().processed == 4
    head = w3.eth.block_number

    replacements = [100 + i for i in range(depth)]
    reorg(emitter, depth, replacements)
    assert w3.eth.block_number == head

    result = listener.poll_once()
    assert result.reorg is not None
    assert result.reorg.depth == depth
    assert result.reorg.fork_block == head - depth
    orphaned_ids = sorted(int(e.args["id"]) for e in result.reorg.orphaned)
    assert orphaned_ids == list(range(5 - depth, 5))
    assert sorted(compensated) == orphaned_ids
    assert result.processed == depth
    kept = list(range(1, 5 - depth))
    assert side_effect_ids(listener.conn) == kept + replacements
    assert len(Outbox(str(listener.db_path)).pending()) == len(kept) + depth

    (row,) = listener.reorgs()
    assert (row["depth"], row["fork_block"], row["orphaned_events"]) == (depth, head - depth, depth)
    assert listener.poll_once().reorg is None


def test_reorg_shallower_than_confirmations_is_never_seen(w3, emitter, tmp_path):
    listener = make_listener(w3, emitter, tmp_path / "l.db", confirmations=3)
    ping(emitter, 1)
    mine(w3, 3)
    ping(emitter, 2)
    ping(emitter, 3)
    assert listener.poll_once().processed == 1
    reorg(emitter, 2, [201, 202])
    result = listener.poll_once()
    assert result.reorg is None and result.processed == 0
    mine(w3, 3)
    assert listener.poll_once().processed == 2
    assert side_effect_ids(listener.conn) == [1, 201, 202]
    assert listener.reorgs() == []


def test_reorg_deeper_than_window_raises(w3, emitter, tmp_path):
    listener = make_listener(w3, emitter, tmp_path / "l.db", window=2)
    for i in range(1, 6):
        ping(emitter, i)
    listener.poll_once()
    reorg(emitter, 4, [300])
    with pytest.raises(ReorgTooDeep):
        listener.poll_once()


def test_database_bound_to_one_chain(w3, emitter, tmp_path):
    db = tmp_path / "l.db"
    make_listener(w3, emitter, db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE listener_cursor SET chain_id = 1")
    conn.commit()
    with pytest.raises(ValueError):
        make_listener(w3, emitter, db)


def test_run_follows_the_chain_until_stopped(w3, emitter, tmp_path):
    import threading
    import time

    listener = make_listener(w3, emitter, tmp_path / "l.db")
    check = sqlite3.connect(tmp_path / "l.db")  # the listener's connection belongs to its thread
    stop = threading.Event()
    thread = threading.Thread(target=listener.run, args=(stop, 0.05))
    thread.start()
    try:
        for i in range(1, 4):
            ping(emitter, i)
        deadline = time.time() + 10
        cursor = "SELECT block_number FROM listener_cursor"
        while check.execute(cursor).fetchone()[0] < w3.eth.block_number and time.time() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert sorted(r[0] for r in check.execute("SELECT ping_id FROM side_effects")) == [1, 2, 3]
