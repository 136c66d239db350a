"""GET /Organisation and /Organisation/Actions.

The organisation's ``Class`` (its plan) decides ``UseMulticurrency`` (``plans``).

Xero answers the plural ``/Organisations`` exactly as ``/Organisation``, and common clients call
that form, so it is an alias of the same route rather than an endpoint of its own.
"""

from __future__ import annotations

from starlette.responses import Response

from xero_sandbox import plans
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

_YEAR_END_MONTH = {"AU": 6, "NZ": 3, "GB": 3}


def organisation_record(ctx: ApiContext) -> Record:
    org = ctx.org
    return {
        "OrganisationID": org.organisation_id,
        "APIKey": "",
        "Name": org.name,
        "LegalName": org.name,
        "PaysTax": True,
        "Version": org.country_code if org.country_code in ("AU", "NZ", "US") else "GLOBAL",
        "OrganisationType": "COMPANY",
        "BaseCurrency": org.base_currency,
        "CountryCode": org.country_code,
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "TaxNumber": "",
        "FinancialYearEndDay": 30 if org.country_code in ("AU", "NZ") else 31,
        "FinancialYearEndMonth": _YEAR_END_MONTH.get(org.country_code, 12),
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "PeriodLockDate": org.period_lock_date,
        "EndOfYearLockDate": org.end_of_year_lock_date,
        "CreatedDateUTC": org.created,
        "Timezone": org.timezone,
        "OrganisationEntityType": "COMPANY",
        "ShortCode": org.short_code,
        "Class": org.org_class,
        "Edition": org.edition,
        "LineOfBusiness": "Professional services",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }


def get_organisation(ctx: ApiContext) -> Response:
    return envelope(ctx, "Organisations", [organisation_record(ctx)])


def get_actions(ctx: ApiContext) -> Response:
    names = [
        "UseMulticurrency",
        "CreateApprovedInvoice",
        "CreateDraftInvoice",
        "CreateApprovedBill",
        "CreateDraftBill",
        "CreateApprovedPurchaseOrder",
        "CreateDraftPurchaseOrder",
        "CreateApprovedPayment",
        "CreateApprovedCreditNote",
        "CreateDraftCreditNote",
        "CreateDraftManualJournal",
        "CreateApprovedManualJournal",
        "CreateContact",
        "CreateItem",
    ]
    org = ctx.org
    multicurrency = plans.uses_multicurrency(org.org_class, org.country_code, org.base_currency)
    allowed = {"UseMulticurrency": multicurrency}
    actions = [
        {"Name": name, "Status": "ALLOWED" if allowed.get(name, True) else "NOT-ALLOWED"}
        for name in names
    ]
    return envelope(ctx, "Actions", actions)


ROUTES = [
    ApiRoute("GET", "/Organisation/Actions", get_actions),
    ApiRoute("GET", "/Organisation", get_organisation, aliases=("/Organisations",)),
]
