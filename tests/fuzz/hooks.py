"""Schemathesis hooks for the fuzz suite: one line per answered request
(`METHOD path status`) in the file named by MARELLE_FUZZ_LOG, so the runner
counts requests and 5xx answers exactly."""

import os

import schemathesis

_LOG = os.environ.get("MARELLE_FUZZ_LOG")


@schemathesis.hook
def after_call(context, case, response):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(f"{case.method} {case.operation.path} {response.status_code}\n")


@schemathesis.serializer("application/pdf")
def pdf_body(ctx, value):
    """The invoice PDF upload: whatever was generated, as bytes (most are
    not PDFs and must be refused with `not_a_pdf`)."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value)
    return str(value).encode("utf-8")
