"""The REST API (FastAPI) for source apps."""

from ledgerlink.api.app import PREFIX, create_app

__all__ = ["PREFIX", "create_app"]
