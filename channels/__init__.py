"""Channels: the FastAPI service (web API, widget, document viewer) and Telegram/Zalo webhooks."""

from channels.app import create_app
from channels.server import build_app

__all__ = ["build_app", "create_app"]
