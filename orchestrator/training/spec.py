"""The public job specification a trainer publishes (CID = the job's modelSpecCid)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from orchestrator.errors import InvalidInput

MODES = ("fedavg", "encrypted-model", "stats")
SCHEMES = ("ckks", "bfv-packed")


@dataclass(frozen=True)
class JobSpec:
    """What every party needs to play a round, public by design.

    ``model`` is a :func:`workers.training.build_model` spec (fedavg) or ``{"features": d}``
    (encrypted-model, stats). Per-mode behaviour lives in :mod:`orchestrator.training.modes`. ``weight_cap`` bounds the FedAvg weight of an owner
    (``min(samples, cap) / cap``); the trainer takes it from the $Data metadata (record counts).
    Local round seeds are ``seed * 1000 + (round - 1) * 100 + participant index``, the schedule of
    :func:`workers.training.fedavg_plain`, so a plaintext reference run matches round for round.
    """

    mode: str = "fedavg"
    scheme: str = "ckks"
    model: dict = field(default_factory=dict)
    epochs: int = 1
    lr: float = 0.05
    batch: int = 32
    seed: int = 0
    weight_cap: int = 1
    clip: float = 4.0
    init_weights_cid: str = ""
    #: values per update (model parameters), checked by the aggregator
    n_values: int = 0
    #: stats mode: columns and histogram bin edges
    columns: list | None = None
    bins: list | None = None
    #: encrypted-model: the class index that is label 1 (binary logistic regression, the others are 0)
    positive: int = 1

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InvalidInput(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.scheme not in SCHEMES:
            raise InvalidInput(f"scheme must be one of {', '.join(SCHEMES)}, not {self.scheme!r}")

    def round_seed(self, round_: int, index: int) -> int:
        return self.seed * 1000 + (round_ - 1) * 100 + index

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> "JobSpec":
        try:
            return cls(**json.loads(raw))
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"not a job spec: {exc}") from None
