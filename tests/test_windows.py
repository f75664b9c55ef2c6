"""Windowed pattern search: a big text is searched only around each pattern's literals, and must give
exactly the matches a whole-text search gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rightscheck.packs.patterns as patterns
import rightscheck.packs.windows as windows_module
import rightscheck.text.keywords as keywords
from rightscheck.documents.document import parse
from rightscheck.text.literals import Reach, reach
from rightscheck.packs.pack import load_packs
from rightscheck.packs.patterns import Matcher
from rightscheck.packs.prefilter import Prefilter

FIXTURES = Path(__file__).parent / "fixtures" / "packs"
PACKS = load_packs()
PREFILTER = Prefilter(PACKS)
TEXT_MATCHERS = list({id(m): m for p in PACKS for m in [*(s.matcher for s in p.signals),
                                                        *(f for part in p.parts for f in part.forms)]
                      if m.target == "text"}.values())
# credit and notice lines of every built-in pack, from the pack fixtures
LINES = sorted({line.strip() for path in FIXTURES.rglob("*.txt") for line in path.read_text().splitlines()
                if 8 < len(line.strip()) < 300})
FILLER = ("The council said on Monday that the budget would be reviewed. ", "Prices rose 2.1 percent in May. ",
          "“We will not stop,” she said. ", "Le préfet a annoncé une réunion. ", "Der Bürgermeister sprach. ")
SEPARATORS = ("\n", "\n\n", " ", "\r\n", "\u00a0", "\t", "\n  \n", " " * 7, " " * 17, " " * 40, "\n" * 9, " \n" * 35,
              "—")


@pytest.mark.parametrize("pattern, expected", [
    (r"abc", Reach(3, 0, ())),
    (r"a{2,5}b", Reach(6, 0, ())),
    (r"\s*x", Reach(1, 1, (r"\s",))),
    (r"(?:\s*x){3}", Reach(3, 3, (r"\s",))),
    (r"x(?=abcdef)y", Reach(7, 0, ())),  # a look-ahead inspects what it matches
    (r"(?<=abcdef)y", Reach(1, 0, ())),  # a look-behind only what lies before
    (r"[^()]{2,300}?\)", Reach(301, 0, ())),
    (r"(?fi)abc", Reach(9, 0, ())),  # full case folding: "ﬃ" matches "ffi"
])
def test_the_reach_of_a_pattern_bounds_what_an_attempt_looks_at(pattern, expected):
    assert reach(pattern) == expected


@pytest.mark.parametrize("pattern", [r"(?:ab)+", r"a\Gb", r"a\Kb", r"(?r)abc", r"(?<=a(?=bc))d", r"(?x) a", r"(?:x)*y"])
def test_patterns_without_a_bounded_reach_have_none(pattern):
    assert reach(pattern) is None


def _text(draw_line, rng: random.Random, size: int) -> str:
    parts = []
    while sum(map(len, parts)) < size:
        parts.append(draw_line() if rng.random() < 0.3 else rng.choice(FILLER))
        parts.append(rng.choice(SEPARATORS))
    return "".join(parts)


def _all_matches(doc, windowed: bool, monkeypatch) -> dict[str, list]:
    monkeypatch.setattr(patterns, "WINDOWED_FROM", 0 if windowed else 10**12)
    found = {}
    for matcher in TEXT_MATCHERS:
        fresh = Matcher(matcher.source, matcher.ignore_case, matcher.target, matcher.within, origin=matcher.origin,
                        skip_captions=matcher.skip_captions, acronym=matcher.acronym)  # no time limit
        found[matcher.origin] = fresh.finditer(doc)
    return found


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32), kind=st.sampled_from(["text", "html"]), run=st.sampled_from([4, 16, 64]),
       window=st.sampled_from([keywords.WINDOW, 700]))
def test_windows_find_exactly_what_a_whole_text_search_finds_for_every_builtin_pattern(seed, kind, run, window):
    """Credit lines of every pack between filler and separators (runs of spaces and line breaks around the
    run bounds, which are made small here so that some windows need the larger one and some none), the
    literals' offsets found in the text's fold, or recorded as the keyword pass went (a small ``window``
    makes the text a big one)."""
    rng = random.Random(seed)
    text = _text(lambda: rng.choice(LINES), rng, 6000)
    if kind == "html":
        text = "<html><body><article>" + "".join(f"<p>{p}</p>\n" for p in text.split("\n\n")) + "</article></body></html>"
    doc = parse(f"a.{'html' if kind == 'html' else 'txt'}", text.encode(), kind)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(keywords, "WINDOW", window)
        PREFILTER.apply(doc)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(windows_module, "RUN_BOUNDS", (run, run * 8))
        whole = _all_matches(doc, False, monkeypatch)
        windowed = _all_matches(doc, True, monkeypatch)
    assert windowed == whole


def test_windows_are_used_for_most_builtin_patterns_and_map_offsets_past_non_ascii_text():
    rng = random.Random(7)
    text = "Zürich – “quoted” ¶ " * 2000 + _text(lambda: rng.choice(LINES), rng, 20000) + " naïve" * 3000
    doc = parse("a.txt", text.encode())
    PREFILTER.apply(doc)
    assert doc.folded.aligned and not doc.text.isascii()
    used = [m for m in TEXT_MATCHERS if m.literals and m.reach
            and windows_module.windows(doc, m.literals, m.reach, 0, len(doc.text)) is not None]
    assert len(used) > len(TEXT_MATCHERS) / 2
    with pytest.MonkeyPatch.context() as monkeypatch:
        whole = _all_matches(doc, False, monkeypatch)
        assert _all_matches(doc, True, monkeypatch) == whole
    assert sum(map(len, whole.values())) > 50


def test_a_text_whose_fold_moves_offsets_is_searched_whole():
    doc = parse("a.txt", ("Straße " * 20000 + "(Reuters) -").encode())  # "ß" folds to "ss": the exact fold
    PREFILTER.apply(doc)
    matcher = next(m for m in TEXT_MATCHERS if m.source == r"\(Reuters\)")
    assert not doc.folded.aligned
    assert windows_module.windows(doc, matcher.literals, matcher.reach, 0, len(doc.text)) is None
    assert [m.text for m in matcher.finditer(doc)] == ["(Reuters)"]


def test_a_long_run_of_spaces_widens_the_windows_or_searches_whole():
    """An HTML page's markup is blanked to spaces: a run longer than the largest bound leaves no window."""
    pattern = r"(?:Copyright|©|\(c\))\s*(?:\d{4}\s*)?(?:Thomson\s+)?Reuters\b"
    matcher = Matcher(pattern, ignore_case=True)
    for gap, expected in ((10, "some"), (1000, "some"), (9000, None)):
        doc = parse("a.txt", ("x " * 40000 + "Copyright" + " " * gap + "2026 Reuters" + " y" * 40000).encode())
        PREFILTER.apply(doc)
        found = windows_module.windows(doc, matcher.literals, matcher.reach, 0, len(doc.text))
        assert (found and "some") == expected
        assert [m.text for m in matcher.finditer(doc)] == ["Copyright" + " " * gap + "2026 Reuters"]


def test_the_time_limit_of_a_search_grows_with_the_characters_searched():
    matcher = Matcher("x", timeout=2.0)
    assert matcher.limit(10) == matcher.limit(patterns.LIMIT_PER) == 2.0  # a small text: the limit as configured
    assert matcher.limit(50 * patterns.LIMIT_PER) == 100.0
    assert Matcher("x").limit(10**9) is None


def test_a_big_texts_keyword_pass_records_what_patterns_ask_of_its_literals():
    """A big text keeps no fold (beside the text, it was a third of a 50 MB file's peak): which literals occur
    and where is recorded as the keyword pass goes, window by window."""
    part = "Zürich – “quoted” said\u00a0on Monday. " * 1000 + "(Reuters) "
    text = part * 250
    folded, _, found = keywords.KeywordSearch(["reuters"]).fold_and_find(
        text, 2000, lambda: [b"(reuters)", b"on", b"absent"])
    assert found == {"reuters"} and len(text) > keywords.WINDOW
    assert list(folded.offsets(b"(reuters)")) == [k * len(part) + part.index("(Reuters)") for k in range(250)]
    assert folded.offsets(b"on") is None and len(folded.offsets(b"absent")) == 0  # too common; nowhere
    assert folded.holds(((b"on",), (b"(reuters)", b"absent"))) and not folded.holds(((b"absent",),))
    assert folded.holds(((b"never recorded",),)) and folded.offsets(b"never recorded") is None  # nothing says
