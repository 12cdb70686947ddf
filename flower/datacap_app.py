"""Flower app entry points: datacap's ClientApp and ServerApp (see workers/flower_app.py)."""
from workers.flower_app import client_app, server_app

__all__ = ["client_app", "server_app"]
