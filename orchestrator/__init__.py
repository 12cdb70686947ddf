"""datacap orchestrator: chain client, storage, event listener, job policy and CLI."""
