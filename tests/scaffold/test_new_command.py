"""`svc new` as users meet it: answers, refusals, git, and the all-or-nothing guarantee."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from svc_serverless import __version__
from svc_serverless.cli import build_parser, main
from svc_serverless.errors import SvcError
from svc_serverless.scaffold import create
from svc_serverless.scaffold.create import (
    NewRequest,
    load_template,
    new_service,
    template_fingerprint,
)
from tests.scaffold.conftest import listing

NAME_ERROR = ("invalid service name {!r}: use lower-case kebab-case, 3-40 characters, "
              "e.g. 'billing' or 'order-history'")
OWNER_ERROR = ("invalid owner {!r}: use a lower-case team slug such as 'team-billing', "
               "'acme/team-billing' or 'group:team-billing'")
DATA_KEYS = ("domain, entity, entity_plural, lifecycle, log_retention_days, memory_size, "
             "queue_max_concurrency, reserved_concurrency, system, timeout, workflow_trigger")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["new", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("name", ["Billing", "bill ing", "../x", "a/b", "x'y",
                                  "{{cookiecutter.x}}", "ab", "a" * 41, "billing-",
                                  "bill--ing", "1billing", "bill_ing", "billing\n", ""])
def test_bad_names_are_refused_with_one_line_and_nothing_written(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = listing(tmp_path)

    code, out, err = run(capsys, name, "--owner", "team-x", "-o", str(tmp_path), "--no-git")

    assert code == 2
    assert err == f"svc: error: {NAME_ERROR.format(name)}\n"
    assert out == ""
    assert listing(tmp_path) == before


def test_a_name_that_looks_like_an_option_is_refused_too(tmp_path: Path) -> None:
    # argparse already rejects "-billing" on the command line; the API checks it as well.
    with pytest.raises(SvcError, match=r"^invalid service name '-billing': use lower-case"):
        new_service(NewRequest(name="-billing", owner="team-x", output_dir=tmp_path, git=False))
    assert listing(tmp_path) == []


@pytest.mark.parametrize("owner", ["Team X", "team x", "team'x", 'team"x', "{{x}}", "@team-x",
                                   "a/b/c", "group:", "-team", "TEAM", "team\nx", "x" * 101])
def test_bad_owners_are_refused(owner: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "billing", f"--owner={owner}", "-o", str(tmp_path), "--no-git")

    assert (code, out) == (2, "")
    assert err == f"svc: error: {OWNER_ERROR.format(owner)}\n"
    assert listing(tmp_path) == []


@pytest.mark.parametrize("owner", ["team-x", "acme/team-x", "group:team-x",
                                   "group:default/team-x", "user:jane.doe", "team_x.2"])
def test_good_owners_are_accepted(owner: str, tmp_path: Path) -> None:
    repo = new_service(NewRequest(name="billing", owner=owner, output_dir=tmp_path, git=False))
    manifest = (repo / "catalog-info.yaml").read_text(encoding="utf-8")
    assert f"  owner: {owner}\n" in manifest


def test_owner_is_required_without_a_terminal(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "billing", "-o", str(tmp_path), "--no-git")

    assert code == 2
    assert err == "svc: error: an owner is required: pass --owner, e.g. --owner team-billing\n"
    assert listing(tmp_path) == []


@pytest.mark.parametrize("data,message", [
    ("entitty=invoice", f"unknown --data key 'entitty': valid keys are {DATA_KEYS}"),
    ("runtime=python3.12",
     "'runtime' has its own option: use --runtime instead of --data runtime=..."),
    ("service_name=x",
     "'service_name' has its own option: use the NAME argument instead of --data service_name=..."),
    ("_svc_files=x", f"unknown --data key '_svc_files': valid keys are {DATA_KEYS}"),
    ("__entity_pascal=X", f"unknown --data key '__entity_pascal': valid keys are {DATA_KEYS}"),
    ("entity=Invoice", ("invalid entity 'Invoice': use a lower-case kebab-case noun of 2-30 "
                       "characters, e.g. 'invoice' or 'line-item'")),
    ("entity={{x}}", ("invalid entity '{{x}}': use a lower-case kebab-case noun of 2-30 "
                     "characters, e.g. 'invoice' or 'line-item'")),
    ("lifecycle=beta", ("invalid lifecycle 'beta': choose one of experimental, production, "
                       "deprecated")),
    ("system=pay ments", ("invalid system 'pay ments': use a lower-case catalog name of at most "
                         "63 characters, e.g. 'payments'")),
    ("domain=x'y", ("invalid domain \"x'y\": use a lower-case catalog name of at most 63 "
                   "characters, e.g. 'payments'")),
    ("memory_size=64", "invalid memory size '64': use a whole number from 128 to 10240"),
    ("timeout=1e3", "invalid timeout '1e3': use a whole number from 1 to 900"),
    ("log_retention_days=31", ("invalid log retention days '31': CloudWatch Logs accepts 1, 3, 5, "
                              "7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, "
                              "2192, 2557, 2922, 3288, 3653")),
    ("workflow_trigger=cron", "invalid workflow trigger 'cron': choose one of event, schedule, none"),
    ("reserved_concurrency=0", "invalid reserved concurrency '0': use a whole number from 1 to 900"),
    ("queue_max_concurrency=1", ("invalid queue max concurrency '1': use a whole number from 2 to "
                                 "1000")),
    ("queue_max_concurrency=21", ("invalid queue max concurrency 21: it must not exceed the "
                                  "reserved concurrency 20; lower queue_max_concurrency or raise "
                                  "reserved_concurrency")),
])
def test_bad_data_is_refused(data: str, message: str, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "billing", "--owner", "team-x", "--data", data, "-o",
                       str(tmp_path), "--no-git")

    assert code == 2
    assert err == f"svc: error: {message}\n"
    assert listing(tmp_path) == []


@pytest.mark.parametrize("description", ['say "hi"', "back\\slash", "two\nlines",
                                         "{{ cookiecutter.owner }}", "{% raw %}", "x" * 201])
def test_bad_descriptions_are_refused(description: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "billing", "--owner", "team-x", "--description", description,
                       "-o", str(tmp_path), "--no-git")

    assert code == 2
    assert err.startswith(f"svc: error: invalid description {description!r}: use one line")
    assert err.count("\n") == 1
    assert listing(tmp_path) == []


@pytest.mark.parametrize("existing", ["folder", "empty-folder", "file", "dangling-link"])
def test_an_existing_target_is_refused_and_left_untouched(
        existing: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "billing"
    if existing == "folder":
        target.mkdir()
        (target / "keep.txt").write_text("mine", encoding="utf-8")
    elif existing == "empty-folder":
        target.mkdir()
    elif existing == "file":
        target.write_text("mine", encoding="utf-8")
    else:
        target.symlink_to(tmp_path / "nowhere")
    before = listing(tmp_path)

    code, _, err = run(capsys, "billing", "--owner", "team-x", "-o", str(tmp_path), "--no-git")

    assert code == 2
    assert err == f"svc: error: {target} already exists: choose another name or --output-dir\n"
    assert listing(tmp_path) == before
    if existing == "folder":
        assert (target / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_a_missing_output_folder_is_refused_not_created(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no" / "such"

    code, _, err = run(capsys, "billing", "--owner", "team-x", "-o", str(missing), "--no-git")

    assert code == 2
    assert err == (f"svc: error: output folder {missing} does not exist: create it or choose "
                   "another --output-dir\n")
    assert listing(tmp_path) == []


def test_missing_git_is_reported_before_writing(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(create.shutil, "which", lambda name: None)

    with pytest.raises(SvcError, match="git is not installed: install it, or pass --no-git"):
        new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path))
    assert listing(tmp_path) == []


# ---------------------------------------------------------------- all or nothing


@pytest.mark.parametrize("step", ["render", "prune", "write_answers", "commit_initial"])
def test_a_failing_step_leaves_no_partial_repo(step: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"{step} broke")

    monkeypatch.setattr(create, step, broken)

    # A git failure is the user's to fix (their git config): it becomes a one-line SvcError.
    expected = SvcError if step == "commit_initial" else RuntimeError
    with pytest.raises(expected, match=f"{step} broke"):
        new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path))
    assert listing(tmp_path) == []


def test_a_target_created_meanwhile_is_not_overwritten(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real_write_answers = create.write_answers

    def racing_write_answers(*args: object, **kwargs: object) -> None:
        real_write_answers(*args, **kwargs)  # type: ignore[arg-type]
        (tmp_path / "billing").mkdir()

    monkeypatch.setattr(create, "write_answers", racing_write_answers)

    with pytest.raises(SvcError, match="already exists"):
        new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path, git=False))
    assert listing(tmp_path) == ["billing"]


def test_nothing_is_written_outside_the_output_folder(tmp_path: Path, isolated_home: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    out = tmp_path / "out"
    out.mkdir()

    new_service(NewRequest(name="billing", owner="team-x", output_dir=out))

    # No cookiecutter replay file in HOME, nothing in the working folder, no staging left.
    assert listing(isolated_home) == []
    assert listing(work) == []
    assert [p.name for p in out.iterdir()] == ["billing"]
    assert Path.cwd() == work


# ---------------------------------------------------------------- git


def test_git_makes_one_clean_commit(tmp_path: Path, isolated_home: Path) -> None:
    import git

    repo_path = new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path))

    repo = git.Repo(repo_path)
    commits = list(repo.iter_commits())
    assert len(commits) == 1
    assert repo.active_branch.name == "main"
    assert repo.is_dirty(untracked_files=True) is False
    # A machine without a git identity still gets a commit, made by svc.
    assert (commits[0].author.name, commits[0].author.email) == ("svc", "svc@localhost")
    assert commits[0].message.startswith(f"Create billing with svc {__version__}")
    committed = {item.path for item in commits[0].tree.traverse() if item.type == "blob"}
    assert ".svc/answers.json" in committed and ".github/workflows/ci.yml" in committed
    repo.close()


def test_git_uses_the_users_identity_when_there_is_one(tmp_path: Path, isolated_home: Path) -> None:
    import git

    (isolated_home / ".gitconfig").write_text("[user]\n\tname = Jane Doe\n\temail = jane@example.com\n",
                                              encoding="utf-8")

    repo_path = new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path))

    with git.Repo(repo_path) as repo:
        assert repo.head.commit.author.email == "jane@example.com"


def test_no_git_means_no_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "billing", "--owner", "team-x", "-o", str(tmp_path), "--no-git")

    assert code == 0
    assert out.splitlines()[0] == f"created {tmp_path / 'billing'}"
    assert not (tmp_path / "billing" / ".git").exists()


# ---------------------------------------------------------------- answers


def test_entity_renames_everything(tmp_path: Path) -> None:
    repo = new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path, git=False,
                                  data={"entity": "invoice"}))

    template = (repo / "template.yaml").read_text(encoding="utf-8")
    manifest = (repo / "catalog-info.yaml").read_text(encoding="utf-8")
    service = (repo / "layers/domain/billing_domain/service.py").read_text(encoding="utf-8")
    events = (repo / "layers/domain/billing_domain/events.py").read_text(encoding="utf-8")
    assert "Path: /billing/invoices/{id}" in template
    assert "InvoiceWorkflow:" in template
    assert (repo / "workflows/process-invoice/process-invoice.asl.json").is_file()
    assert "detailType: InvoiceCreated" in manifest
    assert "class InvoiceService:" in service and 'CREATED = "InvoiceCreated"' in events
    assert "/items" not in template and "ItemWorkflow" not in template
    assert "ItemCreated" not in manifest


@pytest.mark.parametrize("entity,plural", [("category", "categories"), ("box", "boxes"),
                                           ("batch", "batches"), ("key", "keys"),
                                           ("line-item", "line-items")])
def test_plurals(entity: str, plural: str, tmp_path: Path) -> None:
    repo = new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path, git=False,
                                  data={"entity": entity}))
    answers = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))["answers"]
    assert answers["entity_plural"] == plural
    assert f"Path: /billing/{plural}\n" in (repo / "template.yaml").read_text(encoding="utf-8")


def test_answers_record_every_answer_and_the_version(tmp_path: Path) -> None:
    repo = new_service(NewRequest(
        name="billing", owner="group:team-x", description="Bills customers' orders",
        runtime="nodejs22.x", architecture="x86_64", ci="gitlab", workflow=False,
        output_dir=tmp_path, git=False,
        data={"entity": "invoice", "system": "payments", "lifecycle": "production"}))

    record = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))

    assert list(record) == ["svc_version", "template_fingerprint", "template", "answers"]
    assert record["svc_version"] == __version__
    assert record["template_fingerprint"] == template_fingerprint(load_template().root)
    assert record["template"] == {"source": "bundled", "ref": None, "commit": None}
    assert record["answers"] == {
        "service_name": "billing",
        "owner": "group:team-x",
        "description": "Bills customers' orders",
        "runtime": "nodejs22.x",
        "architecture": "x86_64",
        "ci": "gitlab",
        "workflow": False,
        "entity": "invoice",
        "entity_plural": "invoices",
        "system": "payments",
        "domain": "billing",
        "lifecycle": "production",
        "memory_size": "256",
        "timeout": "10",
        "log_retention_days": "30",
        "workflow_trigger": "event",
        "reserved_concurrency": "20",
        "queue_max_concurrency": "5",
        "svc_requirement": f"svc-serverless=={__version__}",
    }
    assert 'description: "Bills customers\\u0027 orders"' in (repo / "catalog-info.yaml").read_text()


def test_defaults(tmp_path: Path) -> None:
    repo = new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path, git=False))

    answers = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))["answers"]
    assert {k: answers[k] for k in ("runtime", "architecture", "ci", "workflow", "entity")} == {
        "runtime": "python3.13", "architecture": "arm64", "ci": "github", "workflow": True,
        "entity": "item"}


def test_fingerprint_covers_paths_and_contents(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("1", encoding="utf-8")
    first = template_fingerprint(tmp_path)
    (tmp_path / "a").write_text("2", encoding="utf-8")
    second = template_fingerprint(tmp_path)
    (tmp_path / "a").rename(tmp_path / "b")
    third = template_fingerprint(tmp_path)

    assert len({first, second, third}) == 3
    assert first.startswith("sha256:") and len(first) == len("sha256:") + 64


def test_interactive_asks_only_for_what_is_missing(tmp_path: Path) -> None:
    questions: list[str] = []
    answers = iter(["Team X", "team-x", "Pays the bills", "nodejs22.x", "", "none"])

    def ask(prompt: str) -> str:
        questions.append(prompt)
        return next(answers)

    repo = new_service(NewRequest(name="billing", output_dir=tmp_path, git=False,
                                  interactive=True), ask=ask)

    assert [q.split(" [")[0] for q in questions][3:] == ["Lambda runtime", "Lambda architecture",
                                                         "CI system"]
    assert [q.split(" ")[0] for q in questions][:3] == ["Owning", "Owning", "Description"]
    recorded = json.loads((repo / ".svc/answers.json").read_text(encoding="utf-8"))["answers"]
    assert (recorded["owner"], recorded["description"], recorded["runtime"],
            recorded["architecture"], recorded["ci"]) == (
        "team-x", "Pays the bills", "nodejs22.x", "arm64", "none")


def test_interactive_end_of_input_is_a_clear_error(tmp_path: Path) -> None:
    def ask(prompt: str) -> str:
        raise EOFError

    with pytest.raises(SvcError, match="no answer to 'Owning team': pass it as an option"):
        new_service(NewRequest(name="billing", output_dir=tmp_path, interactive=True), ask=ask)
    assert listing(tmp_path) == []


def test_interactive_end_of_input_at_any_question_is_a_clear_error(tmp_path: Path) -> None:
    def ask(prompt: str) -> str:
        raise EOFError

    with pytest.raises(SvcError, match="no answer to 'Description'"):
        new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path,
                               interactive=True), ask=ask)
    with pytest.raises(SvcError, match="no answer to 'Lambda runtime'"):
        new_service(NewRequest(name="billing", owner="team-x", description="d",
                               output_dir=tmp_path, interactive=True), ask=ask)
    assert listing(tmp_path) == []


def test_cli_choices_are_the_templates_choices() -> None:
    template = load_template()
    actions = {action.dest: action for action in
               build_parser()._subparsers._group_actions[0].choices["new"]._actions}  # type: ignore[union-attr]
    for key in ("runtime", "architecture", "ci"):
        assert tuple(actions[key].choices) == template.choices(key).values


def test_template_has_no_hooks_and_no_code_execution() -> None:
    root = load_template().root
    assert not (root / "hooks").exists()
    variables = load_template().variables
    assert "_extensions" not in variables
    assert not any(p.name == "hooks" for p in root.rglob("*") if p.is_dir())


def test_relative_output_dir_is_returned_as_given(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = new_service(NewRequest(name="billing", owner="team-x", output_dir=Path("."),
                                    git=False))
    assert target == Path("billing")
    assert (tmp_path / "billing" / "template.yaml").is_file()
    assert os.listdir(tmp_path) == ["billing"]


def test_cookiecutter_and_gitpython_are_imported_lazily() -> None:
    import subprocess
    import sys

    code = ("import sys, svc_serverless.scaffold.create, svc_serverless.cli; "
            "print(sorted(m for m in ('cookiecutter', 'git', 'jinja2') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["aws-billing", "ssm-store", "awsome"])
def test_names_aws_reserves_for_ssm_parameters_are_refused(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, name, "--owner", "team-x", "-o", str(tmp_path), "--no-git")
    assert (code, out) == (2, "")
    assert err == (f"svc: error: invalid service name {name!r}: AWS reserves SSM parameter names "
                   "starting with 'aws' or 'ssm', and the name is the service's SSM prefix; "
                   "e.g. 'billing' or 'order-history'\n")
    assert listing(tmp_path) == []


def test_a_broken_git_configuration_is_a_one_line_error_and_leaves_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user\nname = broken\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, out, err = run(capsys, "billing", "--owner", "team-x", "-o", str(out_dir))
    assert (code, out) == (2, "")
    assert err.startswith("svc: error: git init/commit failed (")
    assert err.endswith("): fix your git configuration, or pass --no-git\n")
    assert len(err.splitlines()) == 1
    assert listing(out_dir) == []


def test_concurrency_answers_reach_the_template(tmp_path: Path) -> None:
    repo = new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path, git=False,
                                  data={"reserved_concurrency": "50",
                                        "queue_max_concurrency": "50"}))

    text = (repo / "template.yaml").read_text(encoding="utf-8")
    assert "    ReservedConcurrentExecutions: 50\n" in text
    assert "              MaximumConcurrency: 50\n" in text
