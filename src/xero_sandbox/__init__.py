"""A local Xero: the Accounting API, identity and webhooks, behaving as Xero documents them.

It imports nothing from ``ledgerlink``: a bug shared by our client and this sandbox would pass
every test and still fail against Xero.
"""

from xero_sandbox.app import create_app
from xero_sandbox.config import SandboxConfig

__all__ = ["SandboxConfig", "create_app"]
