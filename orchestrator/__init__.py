"""Per-party orchestrator: chain client, event listener, storage, job policy, CLI."""
