"""Render a service from recorded answers into a folder: what `svc update` and `svc check` share.

`svc new` checks answers typed by a person; here they come from `.svc/answers.json` in a
repo, which anyone with write access can edit, and cookiecutter evaluates every answer as a
Jinja template before using it. So every answer is checked again, with the same checks as
`svc new`, before it reaches the template engine.

Templates themselves are Jinja, and Jinja can reach Python's internals
(`{{ cycler.__init__.__globals__.os }}`). An organisation's template comes from a git URL, so
every render (`svc new` too) runs in Jinja's sandbox: `sandboxed()` swaps cookiecutter's
environment for a sandboxed one of the same configuration for the duration of the render.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import svc_serverless
from svc_serverless.errors import SvcError
from svc_serverless.scaffold.answers import (
    DATA_CHECKS,
    Answer,
    Choices,
    check_description,
    check_name,
    check_owner,
    check_safe_text,
    check_svc_requirement,
    parse_bool,
)
from svc_serverless.scaffold.record import Record, write
from svc_serverless.scaffold.templates import Resolved

_OWN_CHECKS = {"service_name": check_name, "owner": check_owner,
               "description": check_description, "svc_requirement": check_svc_requirement}


def check_answer(key: str, value: object, variables: Mapping[str, Any]) -> Answer:
    """One answer, checked as `svc new` checks it; the template's default says its type."""
    default = variables[key]
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return parse_bool(key, value)
        raise SvcError(f"invalid {key}: use yes or no")
    if not isinstance(value, str):
        raise SvcError(f"invalid {key} {value!r}: it must be text")
    if isinstance(default, list):
        return Choices(key, tuple(str(choice) for choice in default)).check(value)
    check = _OWN_CHECKS.get(key) or DATA_CHECKS.get(key) or check_safe_text(key)
    return check(value)


def check_answers(answers: Mapping[str, object], variables: Mapping[str, Any],
                  where: str) -> dict[str, Answer]:
    """The answers the template declares, each checked; answers it no longer has are dropped.

    A question the template added takes its default (cookiecutter renders it).
    """
    checked: dict[str, Answer] = {}
    for key, value in answers.items():
        if key.startswith("_") or key not in variables:
            continue
        try:
            checked[key] = check_answer(key, value, variables)
        except SvcError as err:
            raise SvcError(f"{where}: {err}") from None
    if "service_name" not in checked or "owner" not in checked:
        raise SvcError(f"{where} records no service_name or owner: restore it from the repo's "
                       "history (git log -- .svc/answers.json)")
    return checked


def check_data(data: Mapping[str, str], variables: Mapping[str, Any]) -> dict[str, Answer]:
    """`svc update --data KEY=VALUE`: any answer the template declares, checked."""
    valid = sorted(key for key in variables if not key.startswith("_"))
    checked: dict[str, Answer] = {}
    for key, value in data.items():
        if key not in valid:
            raise SvcError(f"unknown --data key {key!r}: valid keys are {', '.join(valid)}")
        checked[key] = check_answer(key, value, variables)
    return checked


def render_into(resolved: Resolved, answers: Mapping[str, Answer], dest: Path) -> tuple[Path, Record]:
    """Render, drop the options not chosen, record the answers; the project folder and record."""
    from cookiecutter.exceptions import CookiecutterException
    from jinja2 import TemplateError

    from svc_serverless.scaffold import create

    template = create.Template(root=resolved.root, variables=resolved.variables)
    try:
        with sandboxed():
            project, final = create.render(template, answers, dest)
    except (CookiecutterException, TemplateError) as err:
        # The bundled template renders (its tests prove it); an organisation's may not.
        reason = (str(err).strip().splitlines() or [err.__class__.__name__])[0][:200]
        raise SvcError(f"template {resolved.source.describe()} cannot be rendered ({reason}): "
                       "fix the template") from None
    create.prune(project, template.option_files, create.selected_groups(final))
    made = Record(svc_serverless.__version__, resolved.fingerprint, resolved.origin, final)
    write(project, made)
    return project, made


def scratch() -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for one render, outside any repo."""
    return tempfile.TemporaryDirectory(prefix="svc-render-")


@contextmanager
def sandboxed() -> Iterator[None]:
    """Render templates in Jinja's sandbox while the block runs (one render at a time)."""
    from cookiecutter import generate, prompt
    from cookiecutter.environment import ExtensionLoaderMixin
    from jinja2 import StrictUndefined
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class Sandboxed(ExtensionLoaderMixin, SandboxedEnvironment):  # type: ignore[misc]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(undefined=StrictUndefined, **kwargs)

    def create_env(context: dict[str, Any]) -> Sandboxed:
        options = context.get("cookiecutter", {}).get("_jinja2_env_vars", {})
        return Sandboxed(context=context, keep_trailing_newline=True,
                         bytecode_cache=_compiled(options), **options)

    # Both modules bound cookiecutter.utils.create_env_with_context at import: patch both.
    saved = generate.create_env_with_context, prompt.create_env_with_context
    generate.create_env_with_context = prompt.create_env_with_context = create_env
    try:
        yield
    except SecurityError as err:
        raise SvcError(f"the template reaches for Python internals ({err}): svc renders "
                       "templates in Jinja's sandbox; fix the template") from None
    finally:
        generate.create_env_with_context, prompt.create_env_with_context = saved


_CACHES: dict[str, Any] = {}


def _compiled(options: Mapping[str, Any]) -> Any:
    """A process-wide store of compiled template files, one per set of Jinja options.

    Compiling the template's files is most of a render; `svc update` over many repos renders
    the same files again and again in each worker. Jinja keys each entry by file name and
    checks the source's checksum; the options (trim_blocks, ...) change the compiled code, so
    each set gets its own store.
    """
    import json

    from jinja2.bccache import Bucket, BytecodeCache

    key = json.dumps(options, sort_keys=True, default=str)
    if key not in _CACHES:
        class Memory(BytecodeCache):
            def __init__(self) -> None:
                self.store: dict[str, bytes] = {}

            def load_bytecode(self, bucket: Bucket) -> None:
                if bucket.key in self.store:
                    bucket.bytecode_from_string(self.store[bucket.key])

            def dump_bytecode(self, bucket: Bucket) -> None:
                self.store[bucket.key] = bucket.bytecode_to_string()

        _CACHES[key] = Memory()
    return _CACHES[key]

