"""The files of a new function, layer or workflow, from `scaffold/parts/` with tokens replaced."""

from __future__ import annotations

from pathlib import Path

PARTS = Path(__file__).resolve().parents[1] / "parts"


def tokens(name: str, service: str, trigger: str) -> dict[str, str]:
    return {"__NAME__": name, "__SNAKE__": name.replace("-", "_"), "__PASCAL__": pascal(name),
            "__SERVICE__": service, "__TRIGGER__": trigger}


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def fill(text: str, values: dict[str, str]) -> str:
    for token, value in values.items():
        text = text.replace(token, value)
    return text


def _read(relative: str) -> str:
    return (PARTS / relative).read_text(encoding="utf-8")


def function_files(python: bool, trigger: str, values: dict[str, str]) -> dict[str, str]:
    """Repo-relative path -> text of a function's folder."""
    folder = f"functions/{values['__NAME__']}"
    if python:
        # Outside the function's folder (what sam build packages), as the template's own tests.
        sources = {"handler.py": f"function/python/handler-{trigger}.py",
                   "requirements.txt": "function/python/requirements.txt",
                   "../../tests/test___SNAKE__.py": "function/python/test___SNAKE__.py"}
    else:
        sources = {"index.mjs": f"function/node/handler-{trigger}.mjs",
                   "package.json": "function/node/package.json",
                   "tests/__NAME__.test.mjs": "function/node/tests/__NAME__.test.mjs"}
    return {_normal(f"{folder}/{fill(target, values)}"): fill(_read(source), values)
            for target, source in sources.items()}


def _normal(path: str) -> str:
    """`functions/x/../../tests/t.py` -> `tests/t.py` (parts name paths from the folder)."""
    out: list[str] = []
    for part in path.split("/"):
        if part == "..":
            out.pop()
        else:
            out.append(part)
    return "/".join(out)


def layer_files(python: bool, values: dict[str, str]) -> dict[str, str]:
    folder = f"layers/{values['__NAME__']}"
    if python:
        sources = {f"{folder}/requirements.txt": "layer/python/requirements.txt",
                   f"{folder}/__SNAKE__/__init__.py": "layer/python/__SNAKE__/__init__.py",
                   "tests/test___SNAKE___layer.py": "layer/python/test___SNAKE___layer.py"}
    else:
        sources = {f"{folder}/package.json": "layer/node/package.json",
                   f"{folder}/index.mjs": "layer/node/index.mjs",
                   "tests/__NAME__.layer.test.mjs": "layer/node/__NAME__.layer.test.mjs"}
    return {fill(target, values): fill(_read(source), values) for target, source in sources.items()}


def workflow_files(python: bool, values: dict[str, str]) -> dict[str, str]:
    name = values["__NAME__"]
    test = ("tests/test___SNAKE___workflow.py", "workflow/test___SNAKE___workflow.py") if python \
        else ("tests/__NAME__.workflow.test.mjs", "workflow/__NAME__.workflow.test.mjs")
    sources = {f"workflows/{name}/{name}.asl.json": "workflow/definition.asl.json",
               f"workflows/{name}/README.md": "workflow/README.md", test[0]: test[1]}
    return {fill(target, values): fill(_read(source), values) for target, source in sources.items()}
