"""The ``ledgerlink`` command: ``app`` is the Typer application (main.py) that the console
script and ``python -m ledgerlink.cli`` run; each command's own work lives beside it (push.py
and files.py for ``push``, status.py for ``status``, text.py for printing outside text)."""

from ledgerlink.cli.main import app

__all__ = ["app"]
