"""Helpers the reporters share: locations, root-relative paths, grouping, summary, rule pages."""

from __future__ import annotations

import pytest

from svc_serverless.linter.report.common import (
    ArtifactPaths,
    RepoGroup,
    doc_section,
    group_by_repo,
    location,
    rule_doc_url,
    summary_line,
)
from svc_serverless.linter.result import LintResult, RepoResult
from tests.report import samples


@pytest.mark.parametrize(
    ("line", "column", "expected"),
    [(12, 7, "template.yaml:12:7"), (8, 0, "template.yaml:8"), (0, 0, "template.yaml")],
)
def test_location_leaves_out_unknown_positions(line: int, column: int, expected: str) -> None:
    finding = samples.finding("orders", "template.yaml", line, column, "SN001", "error", "m")
    assert location(finding) == expected


def test_location_can_name_the_file_by_another_path() -> None:
    assert location(samples.SN001, "services/orders/template.yaml") == (
        "services/orders/template.yaml:12:7"
    )


def _paths(root: str, repo_path: str) -> ArtifactPaths:
    repos = (RepoResult("orders", repo_path),)
    return ArtifactPaths(LintResult(repos=repos, findings=(), root=root))


@pytest.mark.parametrize(
    ("root", "repo_path", "expected"),
    [
        (".", ".", "template.yaml"),  # `svc lint` inside the repo
         (".", "services/orders", "services/orders/template.yaml"),
        (".", "./services//orders/", "services/orders/template.yaml"),
        ("/ci/work", "/ci/work/services/orders", "services/orders/template.yaml"),
        ("/ci/work", "/ci/work", "template.yaml"),
        # a clone in the cache is outside the root: named by the repo, never `../..` or absolute
        ("/ci/work", "/home/ci/.cache/svc/clones/3f2a", "orders/template.yaml"),
        ("services", "other/orders", "orders/template.yaml"),
        # a clone is shown by its URL, which is no path at all
        (".", "https://***@github.com/acme/orders.git", "orders/template.yaml"),
        (".", "file:///srv/git/orders.git@main", "orders/template.yaml"),
        (".", "git@github.com:acme/orders.git", "orders/template.yaml"),
    ],
)
def test_artifact_paths_are_relative_to_the_root(root: str, repo_path: str, expected: str) -> None:
    assert _paths(root, repo_path)(samples.SN001) == expected


def test_artifact_path_of_a_repo_known_only_by_name_uses_the_name() -> None:
    finding = samples.finding("billing", "template.yaml", 1, 1, "SN001", "error", "m")
    assert _paths(".", "services/orders")(finding) == "billing/template.yaml"


def test_artifact_path_of_a_finding_without_file_is_the_repo_folder() -> None:
    finding = samples.finding("orders", "", 0, 0, "SN001", "error", "m")
    assert _paths(".", "services/orders")(finding) == "services/orders"


def test_group_by_repo_keeps_input_order_and_adds_repos_named_only_by_findings() -> None:
    org = samples.finding("billing", "template.yaml", 1, 1, "SN001", "error", "org rule")
    base = samples.mixed()
    result = LintResult(repos=base.repos, findings=tuple(sorted((*base.findings, org))))
    assert group_by_repo(result) == [
        RepoGroup("orders", "services/orders", None,
                  (samples.LAY002, samples.SN001, samples.KMS001_SUPPRESSED)),
        RepoGroup("payments", "services/payments", None,
                  (samples.LAY001, samples.KMS001_BASELINE)),
        RepoGroup("legacy", "services/legacy", samples.UNREADABLE, ()),
        RepoGroup("users", "services/users", None, ()),
        RepoGroup("billing", "", None, (org,)),
    ]
    assert group_by_repo(result)[1].shown == (samples.LAY001,)


def test_summary_line_of_an_empty_run() -> None:
    assert summary_line(samples.empty()) == "0 errors, 0 warnings, 0 info in 0 repos"


def test_summary_line_names_only_the_extras_that_happened() -> None:
    assert summary_line(samples.mixed()) == (
        "1 error, 1 warning, 1 info in 4 repos (2 suppressed, 1 repo could not be read)"
    )


def test_summary_line_counts_crashes_and_plurals() -> None:
    repos = (RepoResult("a", "a", crashes=2), RepoResult("b", "b", error="x"),
             RepoResult("c", "c", error="y"))
    result = LintResult(repos=repos, findings=(samples.SN001, samples.SN001), org_crashes=1)
    assert summary_line(result) == (
        "2 errors, 0 warnings, 0 info in 3 repos (3 crashes, 2 repos could not be read)"
    )


def test_rule_doc_url_anchors_in_lower_case() -> None:
    assert rule_doc_url("SN001") == "https://github.com/svc-dev/svc/blob/main/docs/rules.md#sn001"


def test_doc_section_stops_at_the_next_heading_but_not_inside_code() -> None:
    doc = "S.\n\n## Example\n```text\n## not a heading\n```\n\n## Use instead\nx\n"
    assert doc_section(doc, "Example") == "```text\n## not a heading\n```"
    assert doc_section(doc, "Use instead") == "x"
    assert doc_section(doc, "Why is this bad?") == ""
