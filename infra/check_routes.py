"""Check that the HTTP API routes exactly the routes of infra/routes.json,
each to the function that serves it, and nothing else.

infra/routes.json is written (and checked) by a Rust test from the server's
OpenAPI document: {"<function>": ["METHOD /path", ...], "*": [...]}, where
"*" lists the routes every function serves (they go to `accounts`).

In the template, each route is a method under `paths` in the HTTP API's
OpenAPI body whose x-amazon-apigateway-integration points ($ref, or inline)
to a Lambda proxy integration calling `${AWS::StackName}-<function>`. This
checks, for TEMPLATE (the SAM template or the CloudFormation it translates
into):
  - every route of routes.json is there, with the right function;
  - no other route (no extra method or path, no ANY method, no $default);
  - each path parameter is declared on its method;
  - each integration is a payload 2.0 Lambda proxy to a function of the
    template (FunctionName `${AWS::StackName}-<function>`, built from the
    binary of that name) that API Gateway may invoke (an
    AWS::Lambda::Permission), and every integration is used.

Usage: check_routes.py TEMPLATE ROUTES_JSON
"""

import json
import re
import sys

from samtranslator.yaml_helper import yaml_parse

SHARED = "*"
SHARED_OWNER = "accounts"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
ANY = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
INTEGRATIONS = "x-amazon-apigateway-integrations"
REF_PREFIX = f"#/components/{INTEGRATIONS}/"
FUNCTION_URI = re.compile(
    r"^arn:\$\{AWS::Partition\}:apigateway:\$\{AWS::Region\}:lambda:path/2015-03-31/functions/"
    r"arn:\$\{AWS::Partition\}:lambda:\$\{AWS::Region\}:\$\{AWS::AccountId\}:"
    r"function:\$\{AWS::StackName\}-([a-z0-9-]+)/invocations$"
)
FUNCTION_NAME = re.compile(r"^\$\{AWS::StackName\}-([a-z0-9-]+)$")


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return json.loads(text) if path.endswith(".json") else yaml_parse(text)


def sub_string(value):
    """The string of `!Sub "..."` (or a plain string), else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and list(value) == ["Fn::Sub"] and isinstance(value["Fn::Sub"], str):
        return value["Fn::Sub"]
    return None


def expected_routes(manifest):
    routes = {}
    for owner, entries in manifest.items():
        function = SHARED_OWNER if owner == SHARED else owner
        for entry in entries:
            method, _, path = entry.partition(" ")
            key = (method.upper(), path)
            if key in routes:
                yield None, f"routes.json: {method} {path} is listed twice"
            routes[key] = function
    yield routes, None


def the_api(resources, problems):
    bodies = []
    for name, resource in resources.items():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::HttpApi":
            bodies.append((name, props.get("DefinitionBody")))
        elif resource.get("Type") == "AWS::ApiGatewayV2::Api" and "Body" in props:
            bodies.append((name, props.get("Body")))
    if len(bodies) != 1:
        problems.append(f"expected one HTTP API with an OpenAPI body, found {[n for n, _ in bodies]}")
        return None
    name, body = bodies[0]
    if not isinstance(body, dict) or not isinstance(body.get("paths"), dict):
        problems.append(f"{name}: the OpenAPI body has no paths")
        return None
    return body


def lambda_functions(resources):
    """{function: (logical id, binary or None)} for FunctionName ${AWS::StackName}-<function>."""
    functions = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        name = sub_string(resource.get("Properties", {}).get("FunctionName"))
        match = FUNCTION_NAME.match(name or "")
        if match:
            binary = resource.get("Metadata", {}).get("BuildProperties", {}).get("Binary")
            functions[match.group(1)] = (logical_id, binary)
    return functions


def invokable_by_api_gateway(resources):
    allowed = set()
    for resource in resources.values():
        props = resource.get("Properties", {})
        if (
            resource.get("Type") == "AWS::Lambda::Permission"
            and props.get("Principal") == "apigateway.amazonaws.com"
            and props.get("Action") == "lambda:InvokeFunction"
            and isinstance(props.get("FunctionName"), dict)
            and "Ref" in props["FunctionName"]
        ):
            allowed.add(props["FunctionName"]["Ref"])
    return allowed


def integration_function(where, integration, problems):
    if not isinstance(integration, dict):
        problems.append(f"{where}: not an integration object")
        return None
    if integration.get("type") != "aws_proxy" or integration.get("payloadFormatVersion") != "2.0":
        problems.append(f"{where}: not a Lambda proxy integration with payload format 2.0")
    match = FUNCTION_URI.match(sub_string(integration.get("uri")) or "")
    if not match:
        problems.append(f"{where}: uri does not call a function ${{AWS::StackName}}-<name>")
        return None
    return match.group(1)


def check(template, manifest):
    problems = []
    routes = None
    for found, problem in expected_routes(manifest):
        if problem:
            problems.append(problem)
        else:
            routes = found
    resources = template.get("Resources", {})
    body = the_api(resources, problems)
    if body is None:
        return problems

    # Integrations, by name.
    integrations = body.get("components", {}).get(INTEGRATIONS, {}) or {}
    targets = {
        name: integration_function(f"integration {name}", integration, problems)
        for name, integration in integrations.items()
    }
    used = set()

    # The routes the template declares.
    declared = {}
    for path, item in body["paths"].items():
        if path == "$default" or not isinstance(item, dict):
            problems.append(f"path {path}: not a route of routes.json")
            continue
        for key, operation in item.items():
            if key == ANY:
                problems.append(f"ANY {path}: catch-all methods are not routes of routes.json")
                continue
            if key not in METHODS:
                problems.append(f"{path}: unexpected key {key!r} (methods only; declare parameters on each method)")
                continue
            where = f"{key.upper()} {path}"
            integration = (operation or {}).get(INTEGRATION)
            if isinstance(integration, dict) and list(integration) == ["$ref"]:
                ref = integration["$ref"]
                name = ref[len(REF_PREFIX):] if ref.startswith(REF_PREFIX) else None
                if name not in integrations:
                    problems.append(f"{where}: $ref {ref} names no integration under components")
                    continue
                used.add(name)
                function = targets[name]
            else:
                function = integration_function(where, integration, problems)
            declared[(key.upper(), path)] = function
            params = {
                p.get("name")
                for p in (operation or {}).get("parameters", [])
                if isinstance(p, dict) and p.get("in") == "path" and p.get("required") is True
            }
            for name in re.findall(r"\{([^}]+)\}", path):
                if name not in params:
                    problems.append(f"{where}: path parameter {name} is not declared (in: path, required: true)")

    for name in sorted(set(integrations) - used):
        problems.append(f"integration {name}: used by no route")

    # Compare with routes.json.
    for key in sorted(set(routes) | set(declared)):
        method, path = key
        want, got = routes.get(key), declared.get(key)
        if key not in declared:
            problems.append(f"{method} {path}: in routes.json ({want}) but not routed by the template")
        elif key not in routes:
            problems.append(f"{method} {path}: routed to {got} but not in routes.json")
        elif want != got:
            problems.append(f"{method} {path}: routed to {got}, routes.json says {want}")

    # The functions the routes call exist, run their own binary, and API
    # Gateway may invoke them.
    functions = lambda_functions(resources)
    allowed = invokable_by_api_gateway(resources)
    for function in sorted({f for f in declared.values() if f} | set(routes.values())):
        if function not in functions:
            problems.append(f"function {function}: no function named ${{AWS::StackName}}-{function} in the template")
            continue
        logical_id, binary = functions[function]
        if binary is not None and binary != function:
            problems.append(f"function {function} ({logical_id}): builds binary {binary}, not {function}")
        if logical_id not in allowed:
            problems.append(f"function {function} ({logical_id}): no AWS::Lambda::Permission for apigateway.amazonaws.com")
    return problems


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    template_path, manifest_path = sys.argv[1], sys.argv[2]
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    problems = check(load(template_path), manifest)
    for problem in problems:
        print(f"{template_path}: {problem}", file=sys.stderr)
    if not problems:
        count = sum(len(v) for v in manifest.values())
        print(f"{count} routes of {manifest_path} routed as listed, and no other")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
