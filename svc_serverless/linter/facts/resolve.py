"""Resolving template values as far as the template itself allows.

A `Ref` to a parameter uses its Default, `${AWS::StackName}` is the service name (svc deploys a
service as the stack of the same name), other pseudo parameters stay as `${...}` placeholders,
and anything that depends on a resource of this template is left unresolved.
"""

from __future__ import annotations

import re
from typing import Any

from svc_serverless.linter.facts.arns import SUB_VAR
from svc_serverless.linter.facts.values import get_in


class Resolver:
    """Strings of one template, with its parameter defaults substituted."""

    def __init__(self, service: str, data: dict[str, Any]) -> None:
        self.service = service
        self.data = data
        self.params = self._parameter_defaults()

    def _parameter_defaults(self) -> dict[str, str]:
        params = self.data.get("Parameters")
        defaults: dict[str, str] = {}
        if isinstance(params, dict):
            for name, spec in params.items():
                default = get_in(spec, "Default")
                if isinstance(default, (str, int)) and not isinstance(default, bool):
                    defaults[str(name)] = str(default)
        return defaults

    def _variable(self, name: str) -> str | None:
        if name == "AWS::StackName":
            return self.service
        if name.startswith("AWS::"):
            return None
        return self.params.get(name)

    def text(self, value: Any) -> str | None:
        """A string value with what can be resolved substituted and the rest left as `${X}`."""
        if isinstance(value, str):
            return str(value)
        if not isinstance(value, dict) or len(value) != 1:
            return None
        key, arg = next(iter(value.items()))
        if key == "Ref" and isinstance(arg, str):
            resolved = self._variable(str(arg))
            return resolved if resolved is not None else "${" + str(arg) + "}"
        if key == "Fn::Sub":
            return self._sub(arg)
        if key == "Fn::Join":
            return self._join(arg)
        return None

    def literal(self, value: Any) -> str | None:
        """A string value fully known from the template alone, else None."""
        text = self.text(value)
        return text if text is not None and "${" not in text else None

    def _sub(self, arg: Any) -> str | None:
        local: dict[str, str] = {}
        template = arg
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            template = arg[0]
            for name, value in arg[1].items():
                resolved = self.literal(value)
                if resolved is not None:
                    local[str(name)] = resolved
        if not isinstance(template, str):
            return None

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            resolved = local.get(name)
            if resolved is None:
                resolved = self._variable(name)
            return resolved if resolved is not None else match.group(0)

        return SUB_VAR.sub(replace, str(template))

    def _join(self, arg: Any) -> str | None:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            return None
        if not isinstance(arg[1], list):
            return None
        parts = []
        for part in arg[1]:
            text = self.text(part)
            parts.append(text if text is not None else "${?}")
        return str(arg[0]).join(parts)

    # -- the pass over resources ------------------------------------------------------------
