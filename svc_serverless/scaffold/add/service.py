"""What `svc add` reads from the repo's own template before wiring anything into it.

The generated template changes between svc versions (and an adopted repo never had it), so
nothing here assumes fixed logical ids: the service key, the alarm topic, the HTTP API, the
runtime and the log retention are found in the template as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.model import LoadedRepo, Template

RUNTIMES = ("python3.13", "python3.12", "nodejs22.x", "nodejs20.x")


@dataclass(frozen=True)
class Service:
    """The facts of the repo's template that new resources are wired to."""

    name: str  # the service name (manifest), the prefix of API routes
    key: str  # logical id of the service's KMS key
    alarm_topic: str | None
    http_api: str | None
    runtime: str
    runtime_in_globals: bool
    architecture: str | None
    retention: int
    timeout: int
    globals_key: bool  # Globals.Function.KmsKeyArn is set
    globals_alias: bool  # Globals.Function.AutoPublishAlias is set
    stage_parameter: bool
    logical_ids: frozenset[str]
    # How the repo's functions deploy (`DeploymentPreference.Type` as written, e.g. a canary
    # outside dev); None when no function has one.
    deployment: Any = None
    reserved: int | None = None  # Globals.Function.ReservedConcurrentExecutions

    @property
    def python(self) -> bool:
        return self.runtime.startswith("python")


def _ref_target(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("Ref"), str):
        return str(value["Ref"])
    return None


def _key(template: Template) -> str:
    keys = [r.logical_id for r in template.of_type("AWS::KMS::Key")]
    if not keys:
        raise SvcError("the template has no KMS key of its own: add one first "
                       "(`svc lint --fix --unsafe-fixes` adds ServiceKey), then run svc add")
    if len(keys) > 1:
        if "ServiceKey" in keys:
            return "ServiceKey"
        raise SvcError(f"the template has {len(keys)} KMS keys ({', '.join(sorted(keys))}): "
                       "svc add needs the one service key")
    return keys[0]


def _alarm_topic(template: Template) -> str | None:
    topics = {r.logical_id for r in template.of_type("AWS::SNS::Topic")}
    for alarm in template.of_type("AWS::CloudWatch::Alarm"):
        actions = alarm.properties.get("AlarmActions")
        for action in actions if isinstance(actions, list) else []:
            target = _ref_target(action)
            if target in topics:
                return target
    named = sorted(t for t in topics if "alarm" in t.lower())
    return named[0] if len(named) == 1 else None


def _int(value: Any, default: int) -> int:
    try:
        return int(value) if not isinstance(value, bool) and value is not None else default
    except (TypeError, ValueError):
        return default


def read_service(repo: LoadedRepo, runtime: str | None) -> Service:
    template = repo.template
    if template is None or template.error is not None:
        raise SvcError(f"svc cannot read {template.path if template else 'the template'} "
                       "(`svc lint` says why): fix it before svc add")
    if template.path.endswith(".json"):
        raise SvcError(f"{template.path} is JSON: svc add edits YAML templates only")
    key = _key(template)
    functions = template.section("Globals").get("Function")
    functions = functions if isinstance(functions, dict) else {}
    declared = functions.get("Runtime")
    # Without Globals, the runtime every function of the repo already uses.
    used = {r.properties.get("Runtime") for r in template.of_type("AWS::Serverless::Function")}
    chosen = runtime or (declared if isinstance(declared, str) else None)
    if chosen is None and len(used) == 1 and isinstance(next(iter(used)), str):
        chosen = str(next(iter(used)))
    if chosen is None:
        raise SvcError("the template sets no Globals.Function.Runtime: pass --runtime")
    if chosen not in RUNTIMES:
        raise SvcError(f"runtime {chosen!r} is not one svc add writes ({', '.join(RUNTIMES)}): "
                       "pass --runtime")
    apis = [r.logical_id for r in template.of_type("AWS::Serverless::HttpApi")]
    groups = list(template.of_type("AWS::Logs::LogGroup"))
    retention = _int(groups[0].properties.get("RetentionInDays"), 30) if groups else 30
    architectures = functions.get("Architectures")
    architecture = (architectures[0] if isinstance(architectures, list) and architectures
                    and isinstance(architectures[0], str) else None)
    deployment = next((r.properties["DeploymentPreference"].get("Type")
                       for r in template.of_type("AWS::Serverless::Function")
                       if isinstance(r.properties.get("DeploymentPreference"), dict)), None)
    reserved = functions.get("ReservedConcurrentExecutions")
    return Service(
        name=repo.service,
        key=key,
        alarm_topic=_alarm_topic(template),
        http_api=apis[0] if len(apis) == 1 else None,
        runtime=chosen,
        runtime_in_globals=declared == chosen,
        architecture=architecture,
        retention=retention,
        timeout=_int(functions.get("Timeout"), 3),
        globals_key="KmsKeyArn" in functions,
        globals_alias="AutoPublishAlias" in functions,
        stage_parameter="Stage" in template.section("Parameters"),
        logical_ids=template.logical_ids,
        deployment=deployment,
        reserved=reserved if isinstance(reserved, int) and not isinstance(reserved, bool) else None,
    )
