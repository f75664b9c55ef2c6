"""What each rule checks, why, and how to fix it: for `rightscheck explain` and the SARIF rule metadata.

Rules are ``PACK/KIND``; the kind says what is checked, the pack says for which source and on which
terms, so the text is assembled from both and never names a source itself."""

from __future__ import annotations

from dataclasses import dataclass

from rightscheck.core.errors import RightscheckError
from rightscheck.packs.pack import KINDS, Pack

_CHECKS = {
    "missing-attribution": "The file carries {name} content (found by the pack's signals, its front matter or "
                           "text reused from an indexed source) but shows none of the credit its terms require.",
    "incomplete-attribution": "The file carries {name} content and shows part of the required credit, "
                              "but not every part.",
    "unlicensed-content": "The file carries {name} content, whose terms ({terms}) require a licence to "
                          "republish, and the configuration declares no licence for it.",
    "quotation-limit": "Text reused from one {name} source (found with --sources) is longer than the "
                       "quotation terms allow without a licence.",
    "modified-content": "Text reused from a {name} source differs from the source (words changed, added or "
                        "dropped), and the terms allow no derivatives.",
}
_FIX = {
    "missing-attribution": "Show the credit: {expected}. If the text is not {name} content, add a suppression "
                           "comment with the reason.",
    "incomplete-attribution": "Complete the credit: every one of {expected}.",
    "unlicensed-content": "If you hold a licence, declare it: `licences: [{pack}]` in .rightscheck.yaml, or "
                          "`rightscheck: {{licences: [{pack}]}}` in the file's front matter; otherwise remove the "
                          "content or replace it with your own reporting.",
    "quotation-limit": "Shorten the reused passage to a quotation within the limits ({limits}), put it in "
                       "quotation marks with a credit, or declare a licence: `licences: [{pack}]`.",
    "modified-content": "Republish the passage exactly as in the source, or do not republish it.",
}


@dataclass(frozen=True)
class RuleHelp:
    rule: str
    title: str
    checks: str
    why: str
    fix: str
    url: str | None

    def text(self) -> str:
        """The explanation as plain paragraphs."""
        parts = [f"{self.rule}: {self.title}", "", f"What it checks: {self.checks}", "", f"Why: {self.why}", "",
                 f"How to fix: {self.fix}"]
        return "\n".join(parts + ([f"\nTerms: {self.url}"] if self.url else []))


# Rules of rightscheck itself, not of a pack.
TOOL_RULES = {
    "rightscheck/unexplained-suppression": RuleHelp(
        "rightscheck/unexplained-suppression", "suppression without a reason",
        "A `rightscheck: ignore RULE` comment gives no reason after ' -- ', so it suppresses nothing.",
        "A suppression hides a finding about someone's rights; without the reason (a licence, an agreement, "
        "a fair-dealing judgement) nobody can later tell whether it still holds.",
        "Add the reason: `rightscheck: ignore afp/missing-attribution -- licensed via syndication deal 2026-114`.",
        None),
    "rightscheck/unknown-rule-in-suppression": RuleHelp(
        "rightscheck/unknown-rule-in-suppression", "suppression names an unknown rule",
        "A `rightscheck: ignore RULE` comment names a rule (or a pattern such as `afp/*`) that no available "
        "pack has.",
        "A misspelt rule suppresses nothing, and the comment misleads whoever reads it.",
        "Correct the rule id (`rightscheck rules list` shows them), or remove it from the comment.",
        None),
    "rightscheck/unused-suppression": RuleHelp(
        "rightscheck/unused-suppression", "suppression that suppresses nothing",
        "A `rightscheck: ignore RULE` comment covers no finding of that rule on its line or the next one "
        "(a rule the scan did not run, of a pack left out or found only with --sources, is not judged).",
        "The content it was written for has gone or is now credited; a stale suppression would silently hide "
        "whatever is put there next. `--fail-on-unused-suppressions` makes it an error.",
        "Remove the comment, or the rules it no longer needs.",
        None),
}


def rule_help(pack: Pack, kind: str) -> RuleHelp:
    """Help for rule ``pack.id/kind``."""
    values = {
        "name": pack.name, "pack": pack.id, "terms": pack.terms,
        "expected": "; ".join(part.description for part in pack.parts) or "no credit",
        "limits": _limits(pack),
    }
    title = f"{pack.name}: {kind.replace('-', ' ')}"
    return RuleHelp(f"{pack.id}/{kind}", title, _CHECKS[kind].format_map(values), pack.summary,
                    _FIX[kind].format_map(values), pack.url)


def find_rule(packs: list[Pack], rule: str) -> RuleHelp:
    """Help for ``rule`` ("afp/missing-attribution"); a RightscheckError names the known ids otherwise."""
    if rule in TOOL_RULES:
        return TOOL_RULES[rule]
    pack_id, _, kind = rule.partition("/")
    pack = next((p for p in packs if p.id == pack_id), None)
    if pack is None:
        raise RightscheckError(f"unknown pack '{pack_id}' (see `rightscheck rules list`)", key="RULE")
    if kind not in KINDS:
        raise RightscheckError(f"unknown rule '{rule}'; {pack_id} has {', '.join(f'{pack_id}/{k}' for k in KINDS)}",
                               key="RULE")
    return rule_help(pack, kind)


def _limits(pack: Pack) -> str:
    terms = pack.quotation
    limits = [f"{name.replace('_', ' ')} {value}" for name, value in
              (("max_passage_words", terms.max_passage_words), ("max_quoted_words", terms.max_quoted_words),
               ("max_total_words", terms.max_total_words), ("max_source_share", terms.max_source_share))
              if value is not None]
    return ", ".join(limits) or "none set"
