"""Fixtures for the listener tests: a live Anvil per test and the compiled Emitter."""

import sys

import pytest
from web3 import Web3

from listener_support import ROOT, compile_emitter, deploy, start_anvil

if str(ROOT) not in sys.path:  # plain `pytest` without an editable install
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def emitter_artifact():
    return compile_emitter()


@pytest.fixture
def anvil():
    proc, url = start_anvil()
    yield url
    proc.kill()
    proc.wait()


@pytest.fixture
def w3(anvil):
    return Web3(Web3.HTTPProvider(anvil))


@pytest.fixture
def emitter(w3, emitter_artifact):
    return deploy(w3, emitter_artifact)
