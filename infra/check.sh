#!/usr/bin/env bash
# Offline checks of the AWS SAM template, failing on any finding:
#   1. cfn-lint on infra/template.yaml (SAM schemas);
#   2. the SAM transform, offline, with aws-sam-translator (what CloudFormation
#      runs on deploy), then cfn-lint on the CloudFormation it produces;
#   3. checkov on both, so the resources SAM generates (IAM roles, the API
#      stage) are scanned too. A finding is fixed in the template, or waived in
#      the resource's Metadata.checkov.skip with a written reason;
#   4. the routes: the HTTP API routes every method and path of
#      infra/routes.json (written by a Rust test from the server's OpenAPI
#      document) to the function that serves it, and nothing else, in the
#      template and in the CloudFormation it transforms into;
#   5. the sample parameters in infra/samconfig.toml against the template's
#      parameter constraints.
# It installs nothing: the tools come from the project venv (.venv, or $VENV),
# which `make test-deps` fills from infra/requirements.txt.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${VENV:-$root/.venv}"
template="$root/infra/template.yaml"

missing=()
for tool in cfn-lint checkov python; do
    [ -x "$venv/bin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -eq 0 ] && ! "$venv/bin/python" -c "import samtranslator" 2>/dev/null; then
    missing+=("aws-sam-translator")
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "infra/check.sh: missing in $venv: ${missing[*]}" >&2
    echo "Install them with: make test-deps   (or: $venv/bin/pip install -r infra/requirements.txt)" >&2
    exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
translated="$work/template.cfn.json"

passed=0
failed=0
step() {
    local name="$1"
    shift
    echo "== $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        echo "FAILED: $name" >&2
        failed=$((failed + 1))
    fi
}

# checkov: no network (--skip-download: no guideline mappings from Prisma
# Cloud), no version check, only the CloudFormation framework (SAM templates
# are CloudFormation; checkov's `serverless` framework reads serverless.yml).
checkov() {
    CHECKOV_NO_VERSION_CHECK=1 BC_SKIP_MAPPING=TRUE "$venv/bin/checkov" \
        --file "$1" --framework cloudformation --skip-download --quiet --compact
}

cd "$root"
step "cfn-lint infra/template.yaml" "$venv/bin/cfn-lint" -- infra/template.yaml
if step "SAM transform (aws-sam-translator)" "$venv/bin/python" infra/sam_translate.py "$template" "$translated"; then
    step "cfn-lint on the transformed template" "$venv/bin/cfn-lint" -- "$translated"
    step "checkov on the transformed template" checkov "$translated"
    step "routes of infra/routes.json, transformed template" "$venv/bin/python" infra/check_routes.py "$translated" infra/routes.json
fi
step "checkov infra/template.yaml" checkov infra/template.yaml
step "routes of infra/routes.json, infra/template.yaml" "$venv/bin/python" infra/check_routes.py infra/template.yaml infra/routes.json
step "sample parameters of infra/samconfig.toml" "$venv/bin/python" infra/check_params.py infra/template.yaml infra/samconfig.toml

echo "infra/check.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
