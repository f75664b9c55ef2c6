"""The fast keyword search (UTF-8 bytes, ASCII case folding, one DFA) must answer exactly as the rule on
``str`` with full Unicode case folding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rightscheck.text.keywords as keywords
from rightscheck.text.keywords import KeywordSearch, fold_keywords
from rightscheck.packs.pack import load_packs


def reference(text: str, keywords) -> frozenset[str]:
    """The rule as written: case-folded text, white space runs as one space, and a keyword beginning with
    an ASCII letter or digit not right after an ASCII letter."""
    folded = f" {fold_keywords(text)} "
    found = set()
    for keyword in keywords:
        at = folded.find(keyword)
        while at != -1:
            before = folded[at - 1] if at else ""
            if not (keyword[0].isascii() and keyword[0].isalnum() and before.isascii() and before.isalpha()):
                found.add(keyword)
                break
            at = folded.find(keyword, at + 1)
    return frozenset(found)


BUILTIN = sorted({k for pack in load_packs() for keywords, _, _ in pack.keyword_groups for k in keywords})
WORDS = sorted({word for k in BUILTIN for word in k.split(" ") if word})  # "associated", "\n\n", "press"
PIECES = [*BUILTIN, *(k.upper() for k in BUILTIN), *WORDS, *WORDS, "\r\n", "\n\n", "\t", "\xa0", "\u2009", "  ", "ß", "ẞ", "K",
          "ﬁ", "İ", "ſ", "É", "é", "defended", "©2026", "Straße", "STRASSE", "共同通信", "—", "a", "Z", "9"]
SEARCH = KeywordSearch(BUILTIN)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=30))
def test_builtin_keywords_found_as_the_rule_says(pieces):
    text = "".join(pieces)
    assert SEARCH.find(text) == reference(text, BUILTIN)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=8).map(fold_keywords).filter(lambda k: k.strip()), min_size=1,
                max_size=6), st.text(max_size=200))
def test_any_keywords_found_as_the_rule_says(keywords, text):
    text = text + " " + " ".join(k.upper() for k in keywords)
    assert KeywordSearch(keywords).find(text) == reference(text, keywords)


MULTI_WORD = [k for k in BUILTIN if " " in k.strip(" ")]
RUN = st.text(alphabet=" \t\n\r\xa0\u2009\u202f\u2007\x0b\x0c", min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MULTI_WORD), st.data(), st.text(max_size=20), st.text(max_size=20), st.booleans())
def test_keyword_gaps_may_be_any_run_of_white_space(keyword, data, before, after, upper):
    words = keyword.split(" ")
    written = words[0] + "".join(data.draw(RUN) + word for word in words[1:])
    text = before + (written.upper() if upper else written) + after
    assert SEARCH.find(text) == reference(text, BUILTIN)


def test_characters_only_full_case_folding_matches():
    search = KeywordSearch(["strasse", "kyodo", "fine print", "afp", "efe"])
    assert search.find("Am Straße 1") == {"strasse"}  # ß folds to ss
    assert search.find("\u212aYODO NEWS") == {"kyodo"}  # the Kelvin sign folds to k
    assert search.find("the \ufb01ne\r\n print") == {"fine print"}  # the ligature folds to fi
    assert search.find("FINE \r\n\r\n\tPRINT") == {"fine print"}  # a gap is any run of white space
    assert search.find("©2026AFP; defended") == {"afp"}  # a digit may precede a keyword, a letter not


def test_no_keywords_finds_nothing():
    assert KeywordSearch([]).find("AFP") == frozenset()


LITERALS = sorted({s.encode() for k in BUILTIN for s in k.split(" ") if s} | {b"(c)", b"\xc2\xa9", b"--", b"ss", b"k"})


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6), st.sampled_from([" " * 40, "\n \u2009" * 9])),
                max_size=40), st.integers(1, 40), st.integers(0, 6))
def test_a_text_searched_window_by_window_answers_as_its_whole_fold(pieces, window, most):
    """A big text's fold is never whole: its windows (here a few characters, so that keywords, literals and
    runs of white space straddle them) find the keywords, and record the literals, that the whole fold holds."""
    text = "".join(pieces)
    whole = SEARCH.fold_and_find(text, most)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(keywords, "WINDOW", window)
        windowed = SEARCH.fold_and_find(text, most, lambda: LITERALS)
    assert windowed[1:] == whole[1:]
    folded, expected = windowed[0], whole[0]
    assert folded.aligned == expected.aligned
    for literal in LITERALS:
        assert folded.holds(((literal,),)) == expected.holds(((literal,),)), literal
        if expected.aligned:
            assert folded.offsets(literal) == expected.offsets(literal), literal
