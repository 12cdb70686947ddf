"""Protocol constants, each declared once: enums built from the committed ABI, numbers read from the chain."""
from __future__ import annotations

from orchestrator.chain import AbiRegistry, Chain
from orchestrator.config import PROJECT_ROOT

#: the package's own abi/ (the contracts this code speaks to), whatever abi_dir a deployment uses
_REGISTRY = AbiRegistry(PROJECT_ROOT / "abi")

#: ``IJobMarket.Status``: None, Created, Open, Running, Finalized, Settled, Cancelled
JobStatus = _REGISTRY.enum("JobMarket", "Status")
#: ``IJobMarket.ExclusionReason``: why an aggregate leaves a committed update out (``None``: it does not)
ExclusionReason = _REGISTRY.enum("JobMarket", "ExclusionReason")


def status_name(value: int) -> str:
    """A job status as the CLI and agents spell it ("running")."""
    return JobStatus(value).name.lower()


def min_aggregate(chain: Chain) -> int:
    """``JobMarket.MIN_AGGREGATE``: the fewest updates an aggregate may include (so the trainer never decrypts
    one owner's update alone); read once per chain client."""
    cache = chain.__dict__.setdefault("_protocol", {})
    if "min_aggregate" not in cache:
        cache["min_aggregate"] = int(chain.call("JobMarket.MIN_AGGREGATE"))
    return cache["min_aggregate"]
