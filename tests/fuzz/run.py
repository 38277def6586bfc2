#!/usr/bin/env python3
"""Fuzzing from the contract: schemathesis against `/api/openapi.json` of a
running `marelle`, once with a parent's session and once with an agent's.

Builds nothing: it starts `target/debug/marelle serve --demo --dev
--no-schedule` on a free 127.0.0.1 port with a temporary data folder (rate
limits lifted with MARELLE_RATE_LIMIT_FACTOR), logs in the demo parent and
agent, and runs schemathesis rounds (new seed each round) until at least
`--requests` requests were answered. Checks: not_a_server_error,
response_schema_conformance, status_code_conformance. It prints the figures
(requests, 5xx, schema violations) and fails on any failure. The server is
stopped in every case.

    .venv/bin/python tests/fuzz/run.py --requests 2000     # make test
    .venv/bin/python tests/fuzz/run.py --requests 10000    # make fuzz
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
SESSIONS = {
    "parent": ("parent.demo@villebois.example", "Famille2026"),
    "agent": ("agent.demo@villebois.example", "Mairie2026"),
}
# Logging out would end the session the rest of the run uses.
EXCLUDED_OPERATIONS = ["log_out"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary: Path, data: Path, port: int, log) -> subprocess.Popen:
    env = dict(os.environ, MARELLE_RATE_LIMIT_FACTOR="1000000")
    env.pop("MARELLE_PUBLIC_URL", None)
    proc = subprocess.Popen(
        [str(binary), "serve", "--demo", "--dev", "--no-schedule",
         "--addr", f"127.0.0.1:{port}", "--data", str(data), "--web", "/nonexistent"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"marelle stopped at start (exit {proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("marelle did not start within 30 s")
            time.sleep(0.1)


def log_in(port: int, email: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"email": email, "password": password})
    conn.request("POST", "/api/session", body, {
        "content-type": "application/json", "origin": f"http://127.0.0.1:{port}"})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 200:
        raise RuntimeError(f"log in as {email}: HTTP {resp.status}")
    cookies = [v.split(";", 1)[0] for k, v in resp.getheaders() if k.lower() == "set-cookie"]
    if not cookies:
        raise RuntimeError(f"log in as {email}: no cookie")
    return "; ".join(cookies)


def failures_in(report: Path) -> set[tuple[str, str]]:
    """The failed checks of a schemathesis NDJSON event stream, as
    `(check, "operation: title: message")`, each once."""
    found: set[tuple[str, str]] = set()
    if not report.exists():
        return found
    for line in report.read_text(encoding="utf-8").splitlines():
        if '"status":"failure"' in line:
            _failed_checks(json.loads(line), found)
    return found


def _failed_checks(node, out: set) -> None:
    if isinstance(node, dict):
        if node.get("status") == "failure" and "name" in node:
            f = (node.get("failure_info") or {}).get("failure") or {}
            first = (f.get("message") or "").strip().splitlines()[:1]
            out.add((node["name"], f"{f.get('operation', '?')}: {f.get('title', '?')}: {' '.join(first)}"))
            return
        for v in node.values():
            _failed_checks(v, out)
    elif isinstance(node, list):
        for v in node:
            _failed_checks(v, out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000, help="at least this many requests in all")
    ap.add_argument("--max-examples", type=int, default=30, help="test cases per operation and round")
    ap.add_argument("--binary", type=Path, default=ROOT / "target" / "debug" / "marelle")
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--max-rounds", type=int, default=40)
    ap.add_argument("--checks", default=CHECKS, help="schemathesis checks (comma-separated)")
    args = ap.parse_args()
    if not args.binary.exists():
        print(f"{args.binary} is missing: run `cargo build -p marelle-local`", file=sys.stderr)
        return 2
    schemathesis = Path(sys.executable).parent / "schemathesis"

    work = Path(tempfile.mkdtemp(prefix="marelle-fuzz-"))
    server_log = open(work / "marelle.log", "wb")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = None
    statuses: collections.Counter = collections.Counter()
    server_errors: collections.Counter = collections.Counter()
    failures: set[tuple[str, str]] = set()
    exit_codes = []
    try:
        proc = start(args.binary, work / "data", port, server_log)
        cookies = {who: log_in(port, *cred) for who, cred in SESSIONS.items()}
        total, rnd = 0, 0
        while total < args.requests and rnd < args.max_rounds:
            for who, cookie in cookies.items():
                calls = work / f"calls-{rnd}-{who}.log"
                report = work / f"events-{rnd}-{who}.ndjson"
                cmd = [str(schemathesis), "run", f"{base}/api/openapi.json", "--url", base,
                       "--checks", args.checks, "--max-examples", str(args.max_examples),
                       "--seed", str(args.seed + 100 * rnd + (who == "agent")),
                       "--workers", "2", "--no-shrink", "--continue-on-failure",
                       "--suppress-health-check", "all", "--request-timeout", "30",
                       "--header", f"Cookie: {cookie}", "--header", f"Origin: {base}",
                       "--report", "ndjson", "--report-ndjson-path", str(report),
                       "--output-truncate", "true", "--warnings", "off"]
                for op in EXCLUDED_OPERATIONS:
                    cmd += ["--exclude-operation-id", op]
                env = dict(os.environ, SCHEMATHESIS_HOOKS="hooks", MARELLE_FUZZ_LOG=str(calls),
                           PYTHONPATH=str(HERE), NO_COLOR="1")
                out = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True)
                exit_codes.append(out.returncode)
                lines = calls.read_text().splitlines() if calls.exists() else []
                for line in lines:
                    method, path, status = line.rsplit(" ", 2)
                    statuses[status[0] + "xx"] += 1
                    if status.startswith("5"):
                        server_errors[f"{method} {path} {status}"] += 1
                total += len(lines)
                found = failures_in(report)
                failures |= {(check, f"[{who}] {what}") for check, what in found}
                print(f"round {rnd} {who}: {len(lines)} requests, schemathesis exit {out.returncode}, "
                      f"{len(found)} failures", flush=True)
                if out.returncode not in (0, 1) or (out.returncode == 1 and not found):
                    print(out.stdout[-4000:], out.stderr[-2000:], sep="\n", file=sys.stderr)
                    if out.returncode != 1:
                        failures.add(("run", f"[{who}] schemathesis exit {out.returncode}"))
                elif found:
                    print(out.stdout[-6000:], file=sys.stderr)
            rnd += 1
        violations = [f for f in failures if f[0] != "not_a_server_error"]
        print(f"fuzz: {total} requests ({dict(sorted(statuses.items()))}), "
              f"{sum(server_errors.values())} answers 5xx, {len(violations)} schema violations")
        for what, n in server_errors.most_common():
            print(f"  5xx: {what} x{n}")
        for check, what in sorted(failures):
            print(f"  {check}: {what}")
        ok = total >= args.requests and not server_errors and not failures
        if total < args.requests:
            print(f"fuzz: fewer than {args.requests} requests", file=sys.stderr)
        return 0 if ok else 1
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        server_log.close()
        if os.environ.get("MARELLE_FUZZ_KEEP"):
            print(f"fuzz: work folder kept in {work}")
        else:
            import shutil
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
