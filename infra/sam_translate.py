"""Translate infra/template.yaml (AWS SAM) into the CloudFormation that AWS
would deploy, offline, with the same aws-sam-translator that CloudFormation
runs. infra/check.sh lints and scans the result too, so that the resources SAM
generates (roles, stage, permissions) are checked and a template that would
fail the transform (a dependency cycle, a bad SAM property) fails here.

Usage: sam_translate.py TEMPLATE OUTPUT.json
"""

import json
import os
import sys

# The translator asks boto3 for a region (to pick the partition) and never
# calls AWS below: no credentials are needed.
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")

from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

# `sam package` replaces each local CodeUri with the S3 object it uploaded;
# the translator only accepts the latter.
PACKAGED_CODE = "s3://packaged-by-sam/code.zip"


class NoManagedPolicies:
    """The template names no AWS managed policy, so there is nothing to look
    up in IAM (SAM adds its own by ARN)."""

    def load(self):
        return {}


def package(template):
    functions = [
        r.get("Properties", {})
        for r in template.get("Resources", {}).values()
        if r.get("Type") == "AWS::Serverless::Function"
    ]
    functions.append(template.get("Globals", {}).get("Function", {}))
    for props in functions:
        if "CodeUri" in props:
            props["CodeUri"] = PACKAGED_CODE


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, output = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    package(template)
    try:
        translated = transform(template, {}, NoManagedPolicies(), passthrough_metadata=True)
    except InvalidDocumentException as e:
        for cause in e.causes:
            print(f"{source}: SAM transform: {cause.message}", file=sys.stderr)
        sys.exit(1)
    with open(output, "w", encoding="utf-8") as f:
        json.dump(translated, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
