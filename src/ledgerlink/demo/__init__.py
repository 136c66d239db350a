"""The offline demo: a source app's view of the engine, talking to it over REST only.

run.py is ``ledgerlink demo`` (jobs.py its workload, built on documents.py's invoices and
expenses; report.py what it shows and checks; once.py "exactly once" on Xero's side);
tour.py is ``ledgerlink tour``, the local Xero sandbox seen as any Xero client sees it.
"""
