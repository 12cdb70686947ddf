"""datacap orchestrator: chain client, event listener, storage, job policy and CLI."""
