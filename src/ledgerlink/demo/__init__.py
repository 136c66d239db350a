"""The offline demo: a source app's view of the engine, talking to it over REST only.

run.py is ``ledgerlink demo`` (documents.py its workload, report.py what it shows and checks);
tour.py is ``ledgerlink tour``, the local Xero sandbox seen as any Xero client sees it.
"""
