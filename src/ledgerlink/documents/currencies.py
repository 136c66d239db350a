"""ISO 4217 currency codes a document may name.

A code outside this list is a typo or an invented currency: it is refused at intake with a 4xx,
before it can wait in the queue. Whether the Xero organisation has the currency *enabled* is a
different question, answered by preflight against the cached reference data. The list keeps a few
withdrawn codes Xero still lists, so no currency Xero knows is ever refused here.
"""

from __future__ import annotations

_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BYR BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK
    DOP DZD EEK EGP ERN ETB EUR FJD FKP GBP GEL GGP GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF
    IDR ILS IMP INR IQD IRR ISK JEP JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LTL LVL LYD MAD MDL MGA MKD MMK MNT MOP MRO MRU MUR MVR MWK MXN MXV MYR MZN
    NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR
    SDG SEK SGD SHP SKK SLE SLL SOS SPL SRD SSP STD STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
    TVD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VEF VES VND VUV WST XAF XAG XAU XBA XBB
    XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMK ZMW ZWD ZWG ZWL
"""

ISO_4217: frozenset[str] = frozenset(_CODES.split())
