"""Rule options: a rule declares a JSON Schema for them, a policy sets them, svc checks them first.

```yaml
options:
  SN003: {allowed-accounts: ["111122223333"]}
  SN005: {allowed-layers: ["arn:aws:lambda:*:017000801446:layer:AWSLambdaPowertools*"]}
```

Options are checked against the rule's schema when the policy is read, before any repo is
linted: an unknown rule, a rule without options or a value its schema refuses is one line
`POLICY:LINE: ...` (exit 2 for the organisation policy, SVC005 for a repo's). A rule reads its
options from the repo's effective policy (`repo.policy.option(CODE, KEY, DEFAULT)`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.custom.locate import locate
from svc_serverless.linter.rule import AnyRule


def check_options(data: Mapping[str, Any], source: str, rules: Iterable[AnyRule]) -> None:
    import jsonschema

    options = data.get("options") or {}
    by_code = {rule.code: rule for rule in rules}
    for code, values in options.items():
        line = position(code)[0]
        rule = by_code.get(code)
        if rule is None:
            raise SvcError(f"{source}:{line}: options for unknown rule {code}: use a rule's full "
                           "code (`svc rules` lists them)")
        if rule.options is None:
            raise SvcError(f"{source}:{line}: rule {code} has no options (its page, "
                           f"`svc rules {code}`, lists any it has): remove options.{code}")
        validator = jsonschema.Draft202012Validator(rule.options)
        error = jsonschema.exceptions.best_match(validator.iter_errors(values))
        if error is not None:
            path = tuple(error.absolute_path)
            at, _, _ = locate(values, path, missing=False)
            key = str(path[0]) if path else "options"
            raise SvcError(f"{source}:{at or line}: option {key} of {code} is invalid "
                           f"({_short(error.message)}); `svc rules {code}` describes its options")


def options_page(schema: Mapping[str, Any]) -> str:
    """The `## Options` section of a rule's page, from its options schema."""
    lines = ["## Options", "Set in a policy file under `options: {CODE: {...}}`:", ""]
    for name, spec in (schema.get("properties") or {}).items():
        kind = _kind(spec)
        lines.append(f"- `{name}` ({kind}): {spec.get('description', '')}".rstrip())
    return "\n".join(lines)


def _kind(spec: Mapping[str, Any]) -> str:
    if spec.get("type") == "array":
        items = spec.get("items") or {}
        if "enum" in items and len(items["enum"]) <= 8:
            return "list of " + ", ".join(f"`{v}`" for v in items["enum"])
        if "enum" in items:
            return f"list of strings, each one of {len(items['enum'])} known values"
        return f"list of {items.get('type', 'value')}s"
    return str(spec.get("type", "value"))


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
