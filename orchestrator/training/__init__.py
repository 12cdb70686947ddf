"""Encrypted training driven by chain events: per-party agents, round commitments, verification.

Modules, one job each:

- :mod:`.spec`        the job's public specification (model, schedule, HE mode) as stored JSON
- :mod:`.keys`        the trainer's HE key pair: the secret context stays in the trainer's data dir
- :mod:`.commitments` what the chain holds for a job and a round (hashes, CIDs, bitmaps)
- :mod:`.verify`      recompute an aggregate from committed ciphertexts (`datacap job verify`)
- :mod:`.executor`    Celery dispatch with deterministic task ids
- :mod:`.agent`       the event-loop skeleton: EventListener + outbox of side effects
- :mod:`.owner`, :mod:`.aggregator`, :mod:`.trainer`  the three roles
- :mod:`.workerproc`  one local Celery worker subprocess (demo, tests)
"""
