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
