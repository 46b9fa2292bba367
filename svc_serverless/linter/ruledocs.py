"""`svc rules` and `svc rules CODE`: the rule list and each rule's page, from the registry."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from svc_serverless.errors import SvcError
from svc_serverless.linter.rule import AnyRule


def summary(rule: AnyRule) -> str:
    """The first line of a rule's documentation."""
    return rule.doc.strip().splitlines()[0] if rule.doc.strip() else ""


def rule_list_text(rules: Sequence[AnyRule] | None = None) -> str:
    """The rule list: svc's rules, or `rules` (an organisation's, built-in ones included)."""
    from svc_serverless.rules import ALL_RULES

    shown = ALL_RULES if rules is None else rules
    width = max(len(r.name) for r in shown)
    lines = [f"{'CODE':<7} {'NAME':<{width}} {'DEFAULT':<8} {'FIX':<6} SUMMARY"]
    lines += [f"{r.code:<7} {r.name:<{width}} {r.severity:<8} {fix_label(r):<6} {summary(r)}"
              for r in shown]
    lines.append("")
    lines.append("`svc rules CODE` prints a rule's page; --select/--ignore take codes or prefixes (SN, KMS0).")
    return "\n".join(lines) + "\n"


_FIX_WORDS = {"yes": "safe", "unsafe": "with --unsafe-fixes",
              "yes+": "safe, more with --unsafe-fixes"}


def fix_label(rule: AnyRule) -> str:
    """`svc lint --fix` support: "yes" (safe), "unsafe" (needs --unsafe-fixes), "yes+" (both)."""
    if getattr(rule, "fix", None) is None:
        return "-"
    return {"safe": "yes", "unsafe": "unsafe", "partly-unsafe": "yes+"}[rule.fix_safety]  # type: ignore[union-attr]


def code_suggestion(value: str, rules: Sequence[AnyRule]) -> str:
    """`; did you mean SN001?` for a mistyped code or family, or "".

    A code's number is compared as a number first (SN01 and SN0001 mean SN001), then the
    spelling (KSM001 means KMS001).
    """
    import re

    from svc_serverless.errors import did_you_mean

    wanted = value.strip().upper()
    codes = [rule.code for rule in rules]
    match = re.fullmatch(r"([A-Z]+)0*(\d+)", wanted)
    if match:
        family, number = match.groups()
        same = [c for c in codes if re.fullmatch(rf"{family}0*{number}", c)]
        if same:
            return f"; did you mean {same[0]}?"
    families = sorted({re.sub(r"\d+$", "", code) for code in codes})
    # Codes are short: one swapped letter (LYA, KSM) already costs a third of the similarity.
    return did_you_mean(wanted, codes + families, cutoff=0.6)


def rule_page(code_or_name: str, rules: Sequence[AnyRule] | None = None) -> str:
    from svc_serverless.rules import ALL_RULES

    shown = ALL_RULES if rules is None else rules
    wanted = code_or_name.strip()
    rule = next((r for r in shown if r.code.lower() == wanted.lower() or r.name == wanted), None)
    if rule is None:
        known = ", ".join(r.code for r in shown)
        hint = code_suggestion(wanted, shown)
        raise SvcError(f"no rule {code_or_name!r}: run `svc rules` to list them ({known}){hint}")
    fix = fix_label(rule)
    header = f"{rule.code} {rule.name} (default severity: {rule.severity}; tags: {', '.join(rule.tags)}"
    header += f"; --fix: {_FIX_WORDS[fix]})" if fix != "-" else ")"
    return f"{header}\n\n{page_text(rule)}\n"


def page_text(rule: AnyRule) -> str:
    """The rule's page: its documentation, then its options when it has any."""
    if rule.options is None:
        return rule.doc.strip()
    from svc_serverless.linter.custom.options import options_page

    return f"{rule.doc.strip()}\n\n{options_page(rule.options)}"


def print_rule_list(rules: Sequence[AnyRule] | None = None) -> None:
    sys.stdout.write(rule_list_text(rules))


def print_rule(code_or_name: str, rules: Sequence[AnyRule] | None = None) -> None:
    sys.stdout.write(rule_page(code_or_name, rules))


def anchor(code: str) -> str:
    """The docs/rules.md anchor of a rule (SARIF helpUri and Markdown links use it)."""
    return code.lower()


def rules_markdown() -> str:
    """docs/rules.md: every rule's page, generated from the registry (a test keeps it current)."""
    from svc_serverless.rules import ALL_RULES

    parts = ["# svc rules", "",
             ("Generated from the rule docstrings by `python -m linter.ruledocs --write`; "
              "`svc rules CODE` prints the same page."), "",
             rules_table(page=""), ""]
    for rule in ALL_RULES:
        body = page_text(rule).split("\n", 1)
        details = body[1].strip().replace("\n## ", "\n#### ") if len(body) > 1 else ""
        details = details.replace("## ", "#### ", 1) if details.startswith("## ") else details
        parts += [f'<a id="{anchor(rule.code)}"></a>', f"## {rule.code} {rule.name}", "",
                  f"{summary(rule)}", "",
                  f"Default severity: **{rule.severity}**. Tags: {', '.join(rule.tags)}.", "",
                  details, ""]
    return "\n".join(parts).rstrip() + "\n"


def rules_table(page: str = "docs/rules.md") -> str:
    """A table of every rule, each code linking to its section of `page` ("" for the page itself)."""
    from svc_serverless.rules import ALL_RULES

    lines = ["| code | name | default | what it checks |", "|---|---|---|---|"]
    lines += [f"| [{r.code}]({page}#{anchor(r.code)}) | `{r.name}` | {r.severity} | "
              f"{_cell(summary(r))} |" for r in ALL_RULES]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


README_START = "<!-- rules:start -->"
README_END = "<!-- rules:end -->"


def readme_with_table(readme: str) -> str:
    head, _, rest = readme.partition(README_START)
    _, _, tail = rest.partition(README_END)
    return f"{head}{README_START}\n{rules_table()}\n{README_END}{tail}"


if __name__ == "__main__":
    from pathlib import Path

    project = Path(__file__).resolve().parents[2]
    if sys.argv[1:] == ["--write"]:
        (project / "docs").mkdir(exist_ok=True)
        (project / "docs" / "rules.md").write_text(rules_markdown(), encoding="utf-8")
        readme = project / "README.md"
        readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(rules_markdown())
