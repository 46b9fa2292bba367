r"""Text from scanned repos made safe for whoever reads the report.

Everything a repo, facts file or `--repos` list holds is hostile (docs/architecture.md §6). On
its way into a report it meets three kinds of reader, each with its own neutraliser here:

- a terminal or CI log viewer, where control characters recolour, rewrite or hide lines, and
  bidi overrides reorder them (`escape_controls`: spelled out, never dropped);
- the CI runner itself, which obeys workflow commands in the job's output: for GitHub Actions
  a line that starts with `::` (after whitespace), for GitHub's older form and for Azure
  Pipelines `##[` and `##vso[` anywhere in a line (`neutralise_commands`);
- anyone who can read the report, who must not learn a credential from a `--repos` URL or from
  a git error that echoes one (`redact_url`).

What each format does with them:

| format       | controls       | workflow commands                               | credentials |
|--------------|----------------|-------------------------------------------------|-------------|
| text, github | spelled `\x1b` | `:\:`, `##\[`: visible and harmless             | `***`       |
| markdown     | spelled `\x1b` | `:\:`, `##\[`: Markdown shows `::` and `##[`    | `***`       |
| junit, html  | spelled `\x1b` | `:&#58;`, `##&#91;`: parse back to `::`, `##[`  | `***`       |
| json, sarif  | JSON `\u001b`  | `\u005b`: parses back to `[`                    | `***`       |

JSON and SARIF are data: a consumer parses back exactly the repo's text (JSON escapes are
lossless) and escapes it for wherever it shows it. The other formats are read as they are.
Redaction is done once for every format (`redact_result`, called by `report.render`), so a new
reporter cannot forget it; escaping depends on the format, so each reporter does its own.
Kept free of imports beyond `re` and dataclasses: the CLI's error path imports it too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult, RepoResult
    from svc_serverless.linter.rule import Finding

# C0 and C1 controls other than tab and line breaks (each format treats those itself); lone
# surrogates (undecodable bytes in a file name: they cannot even be written as UTF-8); and the
# invisible format characters that change what a reader sees without being seen themselves:
# soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width characters, line and
# paragraph separators, bidi embeddings, overrides and isolates (Trojan Source), word joiners,
# BOM, interlinear annotations and the tag characters used to smuggle hidden ASCII.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def _spelled(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def escape_controls(text: str) -> str:
    """Control and invisible format characters spelled as `\\x1b`, `\\u202e`, `\\U000e0041`.

    Tabs and line breaks are left to the format (each keeps or joins lines its own way).
    Spelled out rather than removed: a reader sees that the repo holds something odd.
    """
    return _CONTROL.sub(lambda match: _spelled(match.group()), text)


def escape_line_breaks(text: str) -> str:
    """`\\r` and `\\n` spelled out too, for a value that must stay on one line as it is."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


# --------------------------------------------------------------------------------------------
# Workflow commands

# How each kind of output writes the one character that would complete a command: the second
# colon of a line-start `::` and the bracket of `##[` / `##vso[`. The runners match those
# sequences literally, so any change to that character stops them (the runner never decodes
# an entity or a JSON escape before matching), and each choice reads back as the original:
# a backslash is how a human, and Markdown, escapes punctuation; `&#58;` and `\u003a` are
# decoded by every XML/HTML and JSON parser into exactly the repo's text. A zero-width
# character would also stop the runners, but it is invisible and escape_controls exists to
# make such characters visible.
VISIBLE: Mapping[str, str] = {":": "\\:", "[": "\\["}
MARKUP: Mapping[str, str] = {":": "&#58;", "[": "&#91;"}
JSON: Mapping[str, str] = {":": "\\u003a", "[": "\\u005b"}

# GitHub trims leading whitespace before looking for `::`. The runners read lines split at CR,
# LF or CRLF; SGR colour codes are allowed in front in case a log viewer strips them first.
# `^` in MULTILINE mode starts lines at LF only, and is four times faster than the CR-aware
# form, which is used only when a CR is there (reports write none: each escapes or joins CRs).
_LEAD = r"((?:[^\S\r\n]|\x1b\[[0-9;]*m)*:):"
_LINE_START = re.compile(rf"^(){_LEAD}", re.MULTILINE)
_LINE_START_CR = re.compile(rf"(^|[\r\n]){_LEAD}")
# GitHub's legacy `##[command]` and Azure's `##vso[area.action]`/`##[group]`: anywhere in a
# line, and Azure matches `##vso[` case-insensitively.
_ANYWHERE = re.compile(r"(##(?:vso)?)\[", re.IGNORECASE)


def neutralise_commands(
    text: str, escapes: Mapping[str, str] = VISIBLE, *, line_starts: bool = True
) -> str:
    """`text` with no `::` starting a line and no `##[`/`##vso[` anywhere.

    `escapes` (VISIBLE, MARKUP or JSON) says how the output format writes the changed
    character. `line_starts=False` leaves line-start `::` alone, for an output whose own lines
    are commands and whose repo text cannot start a line (GitHub annotations).
    """
    if line_starts and "::" in text:
        colon = escapes[":"]
        line_start = _LINE_START_CR if "\r" in text else _LINE_START
        text = line_start.sub(lambda m: m.group(1) + m.group(2) + colon, text)
    if "##" in text:
        bracket = escapes["["]
        text = _ANYWHERE.sub(lambda m: m.group(1) + bracket, text)
    return text


# --------------------------------------------------------------------------------------------
# Whole outputs


def _json_escaped(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:  # JSON spells astral characters as a UTF-16 surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def safe_json(serialised: str) -> str:
    """Serialised JSON that a terminal or CI log can show: every character escape_controls
    spells, and workflow commands, written as JSON escapes that parse back to the same data.

    `json.dumps(ensure_ascii=False)` escapes C0 controls and line breaks, so no string can
    start a line; the rest is escaped here. Valid anywhere in a document: these characters and
    `##` can only occur inside its strings.
    """
    text = serialised
    if not text.isascii() or "\x7f" in text:  # the one control json.dumps leaves in ASCII
        text = _CONTROL.sub(lambda match: _json_escaped(match.group()), text)
    return neutralise_commands(text, JSON, line_starts=False)


def safe_markup(serialised: str) -> str:
    """A serialised XML or HTML document that a terminal or CI log can show.

    A carriage return in a text node (XML keeps it raw) would move a terminal's cursor back
    over the line, and starts a new line for the runners: it is written `&#13;`, which parses
    back to the same character. Workflow commands become character references too.
    """
    return neutralise_commands(serialised.replace("\r", "&#13;"), MARKUP)


def log_line(text: str) -> str:
    """Untrusted text as one safe line of a log (the CLI's `svc: error: ...`)."""
    return neutralise_commands(escape_line_breaks(escape_controls(redact_url(text))))


# --------------------------------------------------------------------------------------------
# Credentials

# `scheme://user:password@host` and `scheme://token@host`: everything between `//` and the
# last `@` before the host ends (`/`, `?`, `#`, whitespace) is userinfo. The user name goes
# too: with `https://ghp_...@github.com` the token *is* the user name.
_USERINFO = re.compile(r"://[^/?#\s]*@")
# Query parameters whose name says they carry a secret (token, access_token, private_token,
# password, secret, api_key, X-Amz-Signature, X-Amz-Credential, sig, auth, ...). The value
# never ends in punctuation, so the colon of "cannot clone URL: ..." stays, and redacting a
# redacted text changes nothing.
_QUERY = re.compile(
    r"([?&][\w.-]*(?:token|secret|pass|pwd|key|sig|credential|auth)[\w.-]*=)"
    r"[^&#\s'\"<>]*[^&#\s'\"<>:,;.)\]]",
    re.IGNORECASE,
)
# GitHub and GitLab token shapes, wherever they appear (a git error may print one in a path).
# Each pattern starts with a literal, which keeps the scan of a clean text fast.
_TOKEN = re.compile(r"g(?:h[pousr]_[A-Za-z0-9]{20,}|ithub_pat_\w{20,}|lpat-[\w-]{20,})")
REDACTED = "***"


def redact_url(text: str) -> str:
    """`text` with the credentials of every URL in it replaced by `***`.

    `https://x-access-token:ghp_1@github.com/a/b.git?token=2` becomes
    `https://***@github.com/a/b.git?token=***`. Works on any text, so a git error message that
    quotes the URL is redacted as well as the URL itself. Called on every string of a report:
    each pattern runs only when the text holds the character it needs.
    """
    if "@" in text:
        text = _USERINFO.sub(f"://{REDACTED}@", text)
    if "=" in text:
        text = _QUERY.sub(lambda match: match.group(1) + REDACTED, text)
    if "g" in text:
        text = _TOKEN.sub(REDACTED, text)
    return text


def redact_result(result: LintResult) -> LintResult:
    """`result` with the strings of its repos and findings redacted; itself when none needed it.

    (Facts are left alone: they come from manifests and templates, never from a `--repos` URL,
    and a clone's folder name is made without its credentials.)

    Findings are shared between `result.findings` and each repo's own, so each is redacted once.
    """
    done: dict[int, Finding] = {}

    def redacted(finding: Finding) -> Finding:
        if id(finding) not in done:
            done[id(finding)] = _redact_finding(finding)
        return done[id(finding)]

    findings = tuple(redacted(f) for f in result.findings)
    repos = tuple(_redact_repo(repo, tuple(redacted(f) for f in repo.findings))
                  for repo in result.repos)
    if _same(findings, result.findings) and _same(repos, result.repos):
        return result
    return replace(result, repos=repos, findings=findings)


def _same(new: tuple[object, ...], old: tuple[object, ...]) -> bool:
    return all(a is b for a, b in zip(new, old))


def _redact_repo(repo: RepoResult, findings: tuple[Finding, ...]) -> RepoResult:
    name, path = redact_url(repo.name), redact_url(repo.path)
    error = None if repo.error is None else redact_url(repo.error)
    if (name, path, error) == (repo.name, repo.path, repo.error) and _same(findings, repo.findings):
        return repo
    return replace(repo, name=name, path=path, error=error, findings=findings)


def _redact_finding(finding: Finding) -> Finding:
    repo, file = redact_url(finding.repo), redact_url(finding.file)
    message, path = redact_url(finding.message), redact_url(finding.path)
    suppression = finding.suppression
    if suppression is not None and redact_url(suppression.reason) != suppression.reason:
        suppression = replace(suppression, reason=redact_url(suppression.reason))
    if (repo, file, message, path, suppression) == (
        finding.repo, finding.file, finding.message, finding.path, finding.suppression
    ):
        return finding
    return replace(finding, repo=repo, file=file, message=message, path=path,
                   suppression=suppression)
