"""ledgerlink: one engine that connects business applications to Xero."""

__version__ = "0.1.0"
