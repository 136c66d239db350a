"""The REST API (FastAPI) for source apps."""

from ledgerlink.api.app import PREFIX, create_app
from ledgerlink.api.services import Services

__all__ = ["PREFIX", "Services", "create_app"]
