"""Training tests: keep the orchestrator's warnings in the captured log."""

import logging

import pytest


@pytest.fixture(autouse=True)
def _logs(caplog):
    caplog.set_level(logging.WARNING, logger="orchestrator")
    yield
