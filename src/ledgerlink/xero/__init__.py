"""Everything that speaks Xero: OAuth and tokens, the Accounting API client, limits, links."""
