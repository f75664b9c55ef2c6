"""Required literals: a pattern is skipped on a text lacking them, so they must never be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rightscheck.documents.document import parse
from rightscheck.text.folded import holds
from rightscheck.text.keywords import KeywordSearch, breaks_literals, exact_fold, folds_plainly
from rightscheck.text.literals import reach, required_literals
from rightscheck.packs.pack import load_packs
from rightscheck.packs.patterns import compile_pattern

FIXTURES = Path(__file__).parent / "fixtures" / "packs"
SEARCH = KeywordSearch(k for pack in load_packs() for keywords, _, _ in pack.keyword_groups for k in keywords)


@pytest.mark.parametrize("pattern, expected", [
    (r"(?:Copyright|©|\(c\))\s*(?:\d{4}\s*)?(?:Thomson\s+)?Reuters\b", (("reuters",), ("(c)", "copyright", "©"))),
    (r"(?m)^\h*+(?:--|—)\h*+dpa\h*$|\b(?:Source|Credit)\h*+:\h*+dpa\b", (("dpa",),)),  # both branches have it
    (r"(?:dpa|DPA)\h*+(?:--|—)|(?:Source|Credit)\h*+:\h*+dpa", (("dpa",),)),  # "--" is too short to be worth a search
    (r"(?:Copyright|©|\(c\))\h*APA|APA\h*Austria\h*Presse\h*Agentur",  # not "apa" alone: a "capacity" has it
     (("apa",), ("(c)", "austria", "copyright", "©"))),  # one of each branch's, apart from "apa"
    (r"abc+def", (("abc",), ("def",))),  # the first copy of a repeated character, then a new run
    (r"foo{1,2}barn", (("barn",), ("foo",))),
    (r"foo{1}bar", (("foobar",),)),
    (r"(?:abc)?xyz", (("xyz",),)),  # an optional group requires nothing
    (r"x(?=abcdef)y", (("xy",),)),  # a look-around consumes nothing
    (r"(?<!Australian\s)Associated\s+Press", (("associated",), ("press",))),
    (r"\bGENÈVE\b", (("gen",),)),  # "È" folds with case: it ends runs (and "ve" is too short to keep)
    (r"(?i:Hello) world", (("hello",), ("world",))),  # white space ends runs
    (r"(?:abc|bcd)xyz", (("xyz",), ("abc", "bcd"))),
    (r"(?i)Anadolu\s+Ajansı\b", (("anadolu",), ("ajans",))),  # "ı": `regex` matches it to "I"
    (r"(?i)xyzɤabc", (("xyz",), ("abc",))),  # "ɤ" has an upper case in newer Unicode (U+A7CB) than Python 3.11's
])
def test_literals_of_patterns(pattern, expected):
    assert required_literals(pattern, folds_plainly) == expected


@pytest.mark.parametrize("pattern", [
    r"(?x) abc",  # verbose: spaces and comments are not literal
    r"(?V1)[[a-z]--[aeiou]]x", r"abc|", r"a{e<=1}bc", r"(?P<n>foo)bar\1", r"(?(1)a|b)", r"(?R)", r"x(?0)?y",
    r"(abc", r"[abc", r"abc)", r"\012", r"\p{L}", r".*",
    r"ab(?#c)?", r"AFP(?i)?x", r"©(?u)*",  # `regex` repeats the atom before a comment or flag group
    r"[[:]abc|xyz:]]q",  # "[[:" that is not a POSIX class
    r"Getty(?#\)Images(x)\s*photo",  # `regex` ends a comment at the first unescaped ")"
])
def test_no_promise_where_the_reader_is_unsure(pattern):
    assert required_literals(pattern, folds_plainly) is None


def test_texts_with_characters_that_void_literals_are_always_searched():
    from rightscheck.packs.prefilter import Prefilter

    literals = required_literals(r"(?i)gettyimages", folds_plainly)
    encoded = tuple(tuple(x.encode() for x in group) for group in literals)
    for text in ("FOTOĞRAF: GETTYİMAGES", "x\ua7cby"):  # "İ" folds to "i̇"; U+A7CB is unknown to Python 3.11
        doc = parse("a.txt", text.encode())
        assert doc.may_hold(encoded)  # without a prefilter
        Prefilter(load_packs()).apply(doc)
        assert doc.breaks_literals and doc.may_hold(encoded)  # and with one


def _matchers():
    for pack in load_packs():
        for signal in pack.signals:
            yield signal.matcher
        for part in pack.parts:
            yield from part.forms


def test_every_builtin_text_signal_has_literals():
    text = [s.matcher for p in load_packs() for s in p.signals if s.matcher.target == "text"]
    assert text and all(m.literals for m in text)


def test_literals_hold_wherever_a_builtin_pattern_matches_a_fixture():
    docs = [parse(str(path), path.read_bytes(), {".md": "markdown", ".html": "html"}.get(path.suffix, "text"))
            for path in sorted(FIXTURES.rglob("*")) if path.suffix in (".txt", ".md", ".html")]
    checked = 0
    for matcher in {id(m): m for m in _matchers() if m.target == "text"}.values():
        for doc in docs:
            if matcher.literals and matcher.pattern.search(doc.text):
                checked += 1
                assert holds(exact_fold(doc.text), matcher.literals), (matcher.origin, doc.path)
    assert checked > 100


# Random patterns from a small grammar both engines read alike, each drawn with a text it matches (built
# alongside it, atom by atom: hypothesis's from_regex filters its draws and could loop for a long time
# on some patterns). No zero-width atoms: they can make a pattern unsatisfiable.
_ATOMS = {"a": "a", "b": "b", "K": "K", "k": "k", "s": "s", "S": "S", "i": "i", "I": "I", "ı": "ı", "İ": "İ",
          "ß": "ß", "©": "©", "é": "é", "É": "É", "ɤ": "ɤ", "新": "新", " ": " ", r"\(": "(", r"\.": ".", "-": "-",
          "[ab]": "ab", r"\s": " \t\n", r"\d": "0123456789", ".": "aZ.©新 ", "x": "x"}
_QUANTIFIERS = {"": (1, 1), "?": (0, 1), "*": (0, 3), "+": (1, 3), "{2}": (2, 2), "{1,3}": (1, 3), "{1}": (1, 1),
                "{0,2}": (0, 2), "+?": (1, 3), "*?": (0, 3)}


@st.composite
def _patterns(draw, depth=2):
    """A random pattern and a text it matches in full."""
    pattern, text = [], []
    for _ in range(draw(st.integers(1, 5))):
        quantifier = draw(st.sampled_from(["", "", "", *_QUANTIFIERS]))
        low, high = _QUANTIFIERS[quantifier]
        times = draw(st.integers(low, high))
        if depth and draw(st.integers(0, 4)) == 0:
            branches = [draw(_patterns(depth - 1)) for _ in range(draw(st.integers(1, 3)))]
            group = draw(st.sampled_from(["(?:{})", "({})", "(?i:{})"]))
            pattern.append(group.format("|".join(p for p, _ in branches)) + quantifier)
            # each repetition takes any branch (a group's own pattern is matched afresh each time)
            text.extend(draw(_patterns_of(branches)) for _ in range(times))
        else:
            atom = draw(st.sampled_from(sorted(_ATOMS)))
            pattern.append(atom + quantifier)
            text.extend(draw(st.sampled_from(_ATOMS[atom])) for _ in range(times))
    return "".join(pattern), "".join(text)


def _patterns_of(branches):
    return st.sampled_from([text for _, text in branches])


@settings(max_examples=400, deadline=None)
@given(_patterns(), st.booleans(), st.text(max_size=5), st.text(max_size=5))
def test_literals_hold_in_every_text_a_random_pattern_matches(drawn, ignore_case, before, after):
    pattern, matching = drawn
    literals = required_literals(pattern, folds_plainly)
    if not literals:
        return
    compiled = compile_pattern(pattern, ignore_case)
    encoded = tuple(tuple(s.encode() for s in group) for group in literals)
    try:  # the drawn text is one the pattern matches
        assert compiled.fullmatch(matching, timeout=0.5), (pattern, matching)
    except TimeoutError:  # a random pattern may backtrack badly
        return
    text = before + matching + after
    variants = [text, text.upper(), text.swapcase(), text.replace("i", "\u0130").replace("s", "\u017f"),
                text.replace("I", "ı").replace("ɤ", "\ua7cb")]
    for variant in variants:
        try:
            found = compiled.search(variant, timeout=0.5)
        except TimeoutError:  # a random pattern may backtrack badly; that says nothing about literals
            continue
        if found:  # with the scan's fold (fast or exact, as the text needs) and with the exact one
            folded, breaks, _ = SEARCH.fold_and_find(variant)
            assert breaks or folded.holds(encoded), (pattern, variant)
            assert breaks_literals(variant) or holds(exact_fold(variant), encoded), (pattern, variant)


@settings(max_examples=300, deadline=None)
@given(_patterns(), st.booleans(), st.text(max_size=5), st.text(max_size=12), st.sampled_from([2, 3, 5]))
def test_an_attempt_at_a_random_pattern_looks_no_further_than_its_reach(drawn, ignore_case, before, after, run):
    """Matching at an offset gives the same answer with the text cut at the reach (rightscheck.packs.windows),
    wherever no unbounded repeat's item occurs ``run`` times in a row."""
    from rightscheck.packs.windows import SLACK, _runs

    pattern, matching = drawn
    bounds = reach(pattern, ignore_case)
    text = before + matching + after
    if bounds is None or (bounds.items and _runs(bounds.items, run).search(text)):
        return
    compiled = compile_pattern(pattern, ignore_case)
    cut = len(before) + bounds.bound(run) + SLACK
    try:
        whole, windowed = (compiled.match(text, len(before), end, timeout=0.5) for end in (len(text), cut))
        assert (whole and whole.span()) == (windowed and windowed.span()), (pattern, text)
    except TimeoutError:  # a random pattern may backtrack badly
        return
