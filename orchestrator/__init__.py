"""Per-party orchestrator: chain client, event listener, storage (IPFS), job policy and CLI."""
