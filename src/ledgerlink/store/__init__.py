"""The database: models, repositories and migrations.

Both model modules load with the package, so ``Base.metadata`` always holds every table.
"""

from ledgerlink.store import models, payroll, people, twoway

__all__ = ["models", "payroll", "people", "twoway"]
