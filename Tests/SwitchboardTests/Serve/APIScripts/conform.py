"""Checks API responses against the OpenAPI document, with jsonschema (as openapi-spec-validator brings it).

    python conform.py OPENAPI.json RESPONSES.jsonl

Each line of RESPONSES is {"method", "path" (as requested, without the query), "status", "content_type",
"body" (text)}. A response passes when the document has the path's operation, lists the status, names the
content type, and the body validates against that response's schema. Failures are printed, one per line;
the exit status is 1 if any.
"""
import json
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


def template_for(paths, path):
    segments = path.strip("/").split("/")
    for template in paths:
        parts = template.strip("/").split("/")
        if len(parts) == len(segments) and all(p.startswith("{") or p == s for p, s in zip(parts, segments)):
            return template
    return None


def pointer(*parts):
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def main(document_path, responses_path):
    with open(document_path) as file:
        document = json.load(file)
    # The document is one resource, so its schemas' "#/components/..." references resolve in it.
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(document, DRAFT202012))
    failures = []
    checked = 0
    with open(responses_path) as file:
        for line in file:
            seen = json.loads(line)
            where = f'{seen["method"]} {seen["path"]} -> {seen["status"]}'
            template = template_for(document["paths"], seen["path"])
            operation = document["paths"].get(template, {}).get(seen["method"].lower()) if template else None
            if operation is None:
                # No route (404) or not this method (405): a problem, as every refusal is.
                expected = 405 if template else 404
                if seen["status"] != expected:
                    failures.append(f"{where}: no such operation in the document, and not answered {expected}")
                    continue
                schema = {"$ref": "urn:openapi#/components/schemas/Problem"}
                for error in Draft202012Validator(schema, registry=registry).iter_errors(json.loads(seen["body"])):
                    failures.append(f"{where}: {error.message} at {list(error.absolute_path)}")
                checked += 1
                continue
            response = operation["responses"].get(str(seen["status"]))
            if response is None:
                failures.append(f"{where}: the document lists no {seen['status']} for {template}")
                continue
            content = response.get("content")
            if not content:
                if seen["body"]:
                    failures.append(f"{where}: the document gives no body, the response has one")
                continue
            media = (seen["content_type"] or "").split(";")[0].strip()
            if media not in content:
                failures.append(f"{where}: content type {media!r} is not one of {sorted(content)}")
                continue
            at = pointer("paths", template, seen["method"].lower(), "responses", str(seen["status"]), "content", media)
            schema = {"$ref": f"urn:openapi#/{at}/schema"}
            validator = Draft202012Validator(schema, registry=registry)
            errors = list(validator.iter_errors(json.loads(seen["body"])))
            for error in errors:
                failures.append(f"{where}: {error.message} at {list(error.absolute_path)}")
            checked += 1
    for failure in failures:
        print(failure)
    print(f"{checked} responses checked, {len(failures)} failures", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
