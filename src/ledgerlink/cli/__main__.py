"""``python -m ledgerlink.cli``: the same command as the ``ledgerlink`` console script."""

from ledgerlink.cli.main import app

if __name__ == "__main__":
    app()
