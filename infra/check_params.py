"""Check the sample parameter values in infra/samconfig.toml against the
template's Parameters (names, required ones, AllowedPattern, lengths, number
bounds) and Rules that tie DomainName and CertificateArn together, as
CloudFormation would before creating anything.

Usage: check_params.py TEMPLATE SAMCONFIG
"""

import re
import shlex
import sys
import tomllib

from samtranslator.yaml_helper import yaml_parse


def overrides(text):
    values = {}
    for item in shlex.split(text):
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"not Name=Value: {item!r}")
        values[name] = value
    return values


def problems(params, values):
    for name, value in values.items():
        if name not in params:
            yield f"{name}: not a parameter of the template"
    for name, spec in params.items():
        if name not in values:
            if "Default" not in spec:
                yield f"{name}: required (no default) but not given"
            continue
        value = values[name]
        pattern = spec.get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, value):
            yield f"{name}: {value!r} does not match {pattern}"
        if "MinLength" in spec and len(value) < int(spec["MinLength"]):
            yield f"{name}: shorter than {spec['MinLength']}"
        if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
            yield f"{name}: longer than {spec['MaxLength']}"
        if spec.get("Type") == "Number":
            number = float(value)
            if "MinValue" in spec and number < float(spec["MinValue"]):
                yield f"{name}: below {spec['MinValue']}"
            if "MaxValue" in spec and number > float(spec["MaxValue"]):
                yield f"{name}: above {spec['MaxValue']}"
    domain = values.get("DomainName", "")
    certificate = values.get("CertificateArn", "")
    if bool(domain) != bool(certificate):
        yield "DomainName and CertificateArn go together (template Rules)"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        params = yaml_parse(f.read())["Parameters"]
    with open(sys.argv[2], "rb") as f:
        config = tomllib.load(f)
    failed = checked = 0
    for env, commands in config.items():
        if not isinstance(commands, dict):
            continue
        text = commands.get("deploy", {}).get("parameters", {}).get("parameter_overrides")
        if text is None:
            continue
        checked += 1
        for problem in problems(params, overrides(text)):
            print(f"{sys.argv[2]} [{env}] {problem}", file=sys.stderr)
            failed += 1
    if checked == 0:
        print(f"{sys.argv[2]}: no parameter_overrides to check", file=sys.stderr)
        failed += 1
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
