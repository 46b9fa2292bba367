"""Checking every answer to the template before anything is written.

Answers end up unescaped in YAML, JSON, TOML, Python and JavaScript files, in folder names,
CloudFormation stack names, Lambda names and SSM paths, and cookiecutter renders them as Jinja
first. So each answer is checked against the narrowest shape that is still useful, and a
refusal is one line that shows a valid example.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from svc_serverless import __version__
from svc_serverless.errors import SvcError

Answer = str | bool

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
NAME_LENGTH = (3, 40)
# A GitHub-style team slug (optionally org/team) or a Backstage entity reference.
OWNER_PATTERN = re.compile(r"^(?:(?:group|user):)?(?:[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*$")
OWNER_MAX = 100
ENTITY_PATTERN = NAME_PATTERN
ENTITY_LENGTH = (2, 30)
CATALOG_NAME_PATTERN = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*$")
CATALOG_NAME_MAX = 63
DESCRIPTION_MAX = 200
# Only the values CloudWatch Logs accepts for RetentionInDays.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                      2192, 2557, 2922, 3288, 3653)
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SAFE_TEXT = re.compile(r"^[A-Za-z0-9 ._:/@+-]*$")

# Answers that have their own `svc new` option: --data must not set them behind its back.
OPTION_KEYS = {
    "service_name": "the NAME argument",
    "owner": "--owner",
    "description": "--description",
    "runtime": "--runtime",
    "architecture": "--architecture",
    "ci": "--ci",
    "workflow": "--no-workflow",
    "svc_requirement": "--svc-requirement",
}


@dataclass(frozen=True)
class Choices:
    """The allowed values of a choice variable; the first one is the default."""

    key: str
    values: tuple[str, ...]

    @property
    def default(self) -> str:
        return self.values[0]

    def check(self, value: str) -> str:
        if value not in self.values:
            raise SvcError(f"invalid {self.key.replace('_', ' ')} {value!r}: choose one of "
                           f"{', '.join(self.values)}")
        return value


# AWS refuses SSM parameter names that start with these, and the name is the service's SSM
# prefix (/NAME/...): such a service would fail on its first deploy.
RESERVED_PREFIXES = ("aws", "ssm")


def check_name(value: str) -> str:
    low, high = NAME_LENGTH
    if not (NAME_PATTERN.fullmatch(value) and low <= len(value) <= high):
        raise SvcError(f"invalid service name {value!r}: use lower-case kebab-case, {low}-{high} "
                       "characters, e.g. 'billing' or 'order-history'")
    if value.startswith(RESERVED_PREFIXES):
        raise SvcError(f"invalid service name {value!r}: AWS reserves SSM parameter names starting "
                       "with 'aws' or 'ssm', and the name is the service's SSM prefix; "
                       "e.g. 'billing' or 'order-history'")
    return value


def check_owner(value: str) -> str:
    if not (OWNER_PATTERN.fullmatch(value) and len(value) <= OWNER_MAX):
        raise SvcError(f"invalid owner {value!r}: use a lower-case team slug such as 'team-billing', "
                       "'acme/team-billing' or 'group:team-billing'")
    return value


def check_description(value: str) -> str:
    # Rendered with `tojson` where it lands in YAML/JSON, so apostrophes are fine; what
    # no encoding makes safe everywhere (Markdown, comments, Jinja) is refused.
    if (len(value) > DESCRIPTION_MAX or _CONTROL.search(value) or _TEMPLATE_SYNTAX.search(value)
            or any(char in value for char in '"\\`')):
        raise SvcError(f"invalid description {value!r}: use one line of at most {DESCRIPTION_MAX} "
                       "characters without double quotes, backslashes, backticks or {{ }} / {% %}")
    return value


# What generated CI files, the pre-commit hook and the README give pip to install svc with.
# It lands single-quoted in shell lines and YAML (and as Markdown code), and cookiecutter renders
# it as Jinja first, so only a strict subset of pip's requirement syntax passes: a name with
# extras and version specifiers, or a name @ URL, or a URL; no quotes, no spaces but single ones
# around `@` and in a version range, no `$`, braces, `;` or other characters that a shell, YAML,
# GitHub's `${{ }}` or Jinja would read. `packaging` would parse PEP 508 in full, but svc does not depend on it.
_REQ_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_REQ_SPEC = r"(?:~=|===|==|!=|<=|>=|<|>) ?[A-Za-z0-9.*+]+"
_REQ_URL = r"(?:git\+)?(?:https|http|ssh|file)://[A-Za-z0-9._~:/?#@+=%-]+"
SVC_REQUIREMENT_PATTERN = re.compile(
    rf"{_REQ_NAME}(?:\[{_REQ_NAME}(?:,{_REQ_NAME})*\])?"
    rf"(?: ?{_REQ_SPEC}(?:, ?{_REQ_SPEC})*| @ {_REQ_URL})?|{_REQ_URL}")
SVC_REQUIREMENT_MAX = 300
# The name `svc` on the package index is an unrelated project whose `svc` script exits 0 on
# `svc lint .`: a requirement naming it would make every generated gate pass unchecked.
_FOREIGN_NAME = re.compile(r"svc(?![A-Za-z0-9._-]*[A-Za-z0-9])", re.IGNORECASE)


def default_svc_requirement(version: str) -> str:
    """The requirement that installs exactly the svc that generates a repo."""
    return f"svc-serverless=={version}"


def check_svc_requirement(value: str) -> str:
    example = (f"e.g. '{default_svc_requirement(__version__)}' or "
               f"'svc-serverless @ git+https://git.example.com/svc@v{__version__}'")
    if not (SVC_REQUIREMENT_PATTERN.fullmatch(value) and len(value) <= SVC_REQUIREMENT_MAX):
        raise SvcError(f"invalid svc requirement {value!r}: use NAME==VERSION, NAME @ URL or a "
                       f"URL, at most {SVC_REQUIREMENT_MAX} characters, without quotes or shell "
                       f"characters, {example}")
    if _FOREIGN_NAME.match(value):
        raise SvcError(f"invalid svc requirement {value!r}: the name 'svc' on the package index "
                       f"is an unrelated project; svc is 'svc-serverless', {example}")
    return value


def check_entity(key: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        low, high = ENTITY_LENGTH
        if not (ENTITY_PATTERN.fullmatch(value) and low <= len(value) <= high):
            raise SvcError(f"invalid {key.replace('_', ' ')} {value!r}: use a lower-case kebab-case "
                           f"noun of {low}-{high} characters, e.g. 'invoice' or 'line-item'")
        return value

    return check


def check_catalog_name(key: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not (CATALOG_NAME_PATTERN.fullmatch(value) and len(value) <= CATALOG_NAME_MAX):
            raise SvcError(f"invalid {key} {value!r}: use a lower-case catalog name of at most "
                           f"{CATALOG_NAME_MAX} characters, e.g. 'payments'")
        return value

    return check


def check_int(key: str, low: int, high: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
            raise SvcError(f"invalid {key.replace('_', ' ')} {value!r}: use a whole number from "
                           f"{low} to {high}")
        return str(int(value))

    return check


def check_log_retention(value: str) -> str:
    if not (value.isascii() and value.isdigit() and int(value) in LOG_RETENTION_DAYS):
        raise SvcError(f"invalid log retention days {value!r}: CloudWatch Logs accepts "
                       f"{', '.join(map(str, LOG_RETENTION_DAYS))}")
    return str(int(value))


def check_safe_text(key: str) -> Callable[[str], str]:
    """For template variables without a dedicated check: plain text that is safe anywhere."""

    def check(value: str) -> str:
        if not (_SAFE_TEXT.fullmatch(value) and len(value) <= 100):
            raise SvcError(f"invalid {key} {value!r}: use at most 100 letters, digits, spaces "
                           "or . _ : / @ + -")
        return value

    return check


DATA_CHECKS: Mapping[str, Callable[[str], str]] = {
    "entity": check_entity("entity"),
    "entity_plural": check_entity("entity_plural"),
    "system": check_catalog_name("system"),
    "domain": check_catalog_name("domain"),
    "memory_size": check_int("memory_size", 128, 10240),
    "timeout": check_int("timeout", 1, 900),
    "log_retention_days": check_log_retention,
    # Lambda refuses reserved concurrency that leaves the account fewer than 100 unreserved.
    "reserved_concurrency": check_int("reserved_concurrency", 1, 900),
    # Lambda's range for an SQS source's ScalingConfig.MaximumConcurrency.
    "queue_max_concurrency": check_int("queue_max_concurrency", 2, 1000),
}


def parse_bool(key: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "y", "on"}:
        return True
    if lowered in {"0", "false", "no", "n", "off"}:
        return False
    raise SvcError(f"invalid {key} {value!r}: use yes or no")


def check_data(data: Mapping[str, str], variables: Mapping[str, object]) -> dict[str, Answer]:
    """Check the --data answers against the template's variables.

    Unknown keys are an error: cookiecutter silently ignores them, which turns a typo into a
    service with the wrong defaults.
    """
    valid = sorted(key for key in variables if not key.startswith("_") and key not in OPTION_KEYS)
    checked: dict[str, Answer] = {}
    for key, value in data.items():
        if key in OPTION_KEYS:
            raise SvcError(f"{key!r} has its own option: use {OPTION_KEYS[key]} instead of "
                           f"--data {key}=...")
        if key not in valid:
            raise SvcError(f"unknown --data key {key!r}: valid keys are {', '.join(valid)}")
        default = variables[key]
        if isinstance(default, bool):
            checked[key] = parse_bool(key, value)
        elif isinstance(default, list):
            checked[key] = Choices(key, tuple(str(choice) for choice in default)).check(value)
        else:
            checked[key] = DATA_CHECKS.get(key, check_safe_text(key))(value)
    _check_queue_concurrency(checked, variables)
    return checked


def _check_queue_concurrency(checked: Mapping[str, Answer], variables: Mapping[str, object]) -> None:
    """The queue may not drive the receiver past its reserved concurrency: Lambda would throttle
    the extra invocations and the messages would bounce back to the queue."""
    queue = int(str(checked.get("queue_max_concurrency", variables["queue_max_concurrency"])))
    reserved = int(str(checked.get("reserved_concurrency", variables["reserved_concurrency"])))
    if queue > reserved:
        raise SvcError(f"invalid queue max concurrency {queue}: it must not exceed the reserved "
                       f"concurrency {reserved}; lower queue_max_concurrency or raise "
                       "reserved_concurrency")
