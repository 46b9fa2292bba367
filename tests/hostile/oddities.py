"""File-system oddities that cannot live in git: each builder lays out a run in `tmp` and
returns its `svc lint` arguments (after `lint`). Expectations are in test_hostile_inputs.py."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from tests.hostile.harness import make_org


def _common(tmp: Path) -> list[str]:
    return ["--format", "json", "--cache-dir", str(tmp / "cache")]


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _org_with(tmp: Path, change: str) -> list[str]:
    org, hostile = make_org(tmp)
    {
        "fifo-answers": lambda: _fifo(hostile / ".svc/answers.json"),
        "fifo-template": lambda: _fifo(hostile / "template.yaml"),
        "fifo-manifest": lambda: _fifo(hostile / "catalog-info.yaml"),
        "fifo-policy": lambda: _fifo(hostile / ".svc/policy.yaml"),
        "fifo-requirements": lambda: _fifo(hostile / "functions/api/requirements.txt"),
        "fifo-definition": lambda: _fifo(hostile / "workflows/flow/flow.asl.json"),
        "socket-in-function": lambda: _socket(hostile / "functions/api/debug.sock"),
        "unlistable-root": lambda: os.chmod(hostile, 0o311),
        "unreadable-svc-folder": lambda: os.chmod(hostile / ".svc", 0o000),
        "unreadable-function-folder": lambda: os.chmod(hostile / "functions/api", 0o000),
        "unreadable-template": lambda: os.chmod(hostile / "template.yaml", 0o000),
        "unreadable-requirements": lambda: os.chmod(hostile / "functions/api/requirements.txt", 0),
        "non-utf8-file-name": lambda: _bytes_name(hostile / "functions/api", b"caf\xe9.py"),
        "non-utf8-folder-name": lambda: _bytes_name(hostile / "functions", b"b\xe9ta/handler.py"),
        "svc-symlink": lambda: _svc_symlink(tmp, hostile),
        "sparse-policy": lambda: os.truncate(hostile / ".svc/policy.yaml", 1 << 30),
        "sparse-template": lambda: os.truncate(hostile / "template.yaml", 1 << 30),
        "sparse-package-json": lambda: _sparse(hostile / "functions/api/package.json"),
        "requirements-link-to-device": lambda: _relink(hostile / "functions/api/requirements.txt",
                                                       "/dev/zero"),
        "deep-folders": lambda: (hostile / "/".join(["d"] * 200)).mkdir(parents=True),
    }[change]()
    return [*_common(tmp), str(org)]


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays


def _bytes_name(folder: Path, rel: bytes) -> None:
    path = os.path.join(os.fsencode(folder), rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"print('hello')\n")


def _svc_symlink(tmp: Path, hostile: Path) -> None:
    # What is behind the link would change the result if it were read: a policy ignoring
    # everything, and answers from an svc version far behind (ORG008).
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "policy.yaml").write_text("version: 1\nignore: [SN, KMS, LAY]\n")
    (outside / "answers.json").write_text('{"svc_version": "9.0.0"}\n')
    for name in ("policy.yaml", "answers.json"):
        (hostile / ".svc" / name).unlink()
    (hostile / ".svc").rmdir()
    (hostile / ".svc").symlink_to(outside)


def _sparse(path: Path) -> None:
    path.write_bytes(b"")
    os.truncate(path, 1 << 30)


def _relink(path: Path, target: str) -> None:
    path.unlink()
    path.symlink_to(target)


def _deleted_cwd(tmp: Path, with_path: bool) -> list[str]:
    org, _ = make_org(tmp)
    gone = tmp / "gone"
    gone.mkdir()
    os.chdir(gone)
    gone.rmdir()
    return [*_common(tmp), str(org)] if with_path else [*_common(tmp)]


def _non_utf8_repo_name(tmp: Path) -> list[str]:
    org, hostile = make_org(tmp, b"hostile-\xe9")
    manifest = hostile / "catalog-info.yaml"
    manifest.write_text(manifest.read_text().replace("name: base", "name: hostile-e"))
    return [*_common(tmp), str(org)]


def _facts_folder(tmp: Path, kind: str) -> list[str]:
    from svc_serverless.linter.facts import facts_json_for_path

    org, _ = make_org(tmp)
    facts = tmp / "facts"
    facts.mkdir()
    (facts / "good.json").write_text(facts_json_for_path(org / "good"), encoding="utf-8")
    if kind == "fifo":
        os.mkfifo(facts / "hostile.json")
    else:
        (facts / "hostile.json").mkdir()
    return [*_common(tmp), "--facts", str(facts)]


def _repos_fifo(tmp: Path) -> list[str]:
    os.mkfifo(tmp / "repos.txt")  # nobody writes to it
    return [*_common(tmp), "--repos", str(tmp / "repos.txt")]


def _baseline_fifo(tmp: Path) -> list[str]:
    org, _ = make_org(tmp)
    os.mkfifo(tmp / "baseline.json")
    return [*_common(tmp), "--baseline", str(tmp / "baseline.json"), str(org)]


def build(name: str, tmp: Path) -> list[str]:
    """Lay out oddity `name` under tmp; its `svc lint` arguments."""
    if name == "deleted-cwd-with-path":
        return _deleted_cwd(tmp, with_path=True)
    if name == "deleted-cwd-no-path":
        return _deleted_cwd(tmp, with_path=False)
    if name == "non-utf8-repo-name":
        return _non_utf8_repo_name(tmp)
    if name == "facts-fifo":
        return _facts_folder(tmp, "fifo")
    if name == "facts-folder-named-json":
        return _facts_folder(tmp, "folder")
    if name == "repos-fifo-without-writer":
        return _repos_fifo(tmp)
    if name == "baseline-fifo":
        return _baseline_fifo(tmp)
    return _org_with(tmp, name)
