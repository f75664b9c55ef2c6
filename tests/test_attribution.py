"""Attribution decisions: detection by weighted signals and front matter, all-of / any-of credit parts, anchors."""

from __future__ import annotations

import pytest

from rightscheck.checks.attribution import check
from rightscheck.core.errors import RightscheckError
from rightscheck.documents.document import parse
from rightscheck.packs.pack import load_pack, load_packs, select_packs

CC_PACK = """
id: demo-cc
name: Demo Commons
licence:
  terms: cc-by
  summary: Free to republish with credit.
provenance:
  licences: [CC BY 4.0, cc-by-4.0]
signals:
  - id: licence-name
    pattern: '\\bCC[ -]BY 4\\.0\\b'
    weight: 1.0
  - id: outlet
    phrase: Demo Commons
    weight: 0.5
attribution:
  - id: author
    description: the author's name
    any_of:
      - pattern: '(?m)^By \\p{Lu}'
  - id: licence-link
    description: a link to the licence
    any_of:
      - link: 'creativecommons\\.org/licenses/by/4\\.0'
"""


def _doc(name: str, text: str):
    kind = {"md": "markdown", "html": "html"}.get(name.rsplit(".", 1)[-1], "text")
    return parse(name, text.encode(), kind)


def _afp():
    return select_packs(load_packs(), only=["afp"])[0]


def _rules(findings):
    return [(f.rule, f.line) for f in findings]


DISPATCH = """Baghdad, Jan 18 (AFP) Jan 18, 2026 - Engineers in the Iraqi capital began
repairs on Sunday to a bridge damaged by floods, the transport ministry said.

"Work will take six weeks," ministry spokesman Karim Haddad told reporters.

kh/mw

All rights reserved. Copyright Agence France-Presse. Sections of the information
displayed on this page (dispatches, photographs, logos) are protected by
intellectual property rights owned by Agence France-Presse. As a consequence, you
may not copy, reproduce, modify, transmit, publish, display or in any way
commercially exploit any of the content of this section without the prior written
consent of Agence France-Presse.
"""


def test_credited_licensed_dispatch_is_clean():
    assert check(_doc("a.txt", DISPATCH), _afp(), licensed=True) == []


def test_credited_dispatch_without_licence_is_unlicensed():
    findings = check(_doc("a.txt", DISPATCH), _afp(), licensed=False)
    assert _rules(findings) == [("afp/unlicensed-content", 1)]
    assert findings[0].evidence.startswith("Baghdad, Jan 18 (AFP)")
    assert (findings[0].column, findings[0].end_line, findings[0].end_column) == (1, 1, 22)


def test_stripped_dispatch_is_found_by_notice_fragment():
    stripped = DISPATCH.replace("Baghdad, Jan 18 (AFP) Jan 18, 2026 - ", "").replace(
        "All rights reserved. Copyright Agence France-Presse. ", "")
    findings = check(_doc("a.txt", stripped), _afp(), licensed=True)
    assert _rules(findings) == [("afp/missing-attribution", 9)]
    assert "intellectual property rights owned by Agence France-Presse" in findings[0].evidence
    assert "add an AFP credit" in findings[0].message


def test_stripped_dispatch_is_found_by_slug_and_mention():
    text = ("Engineers began repairs on Sunday, the ministry told AFP.\n\n"
            "Work will take six weeks.\n\nkh/mw\n")
    findings = check(_doc("a.txt", text), _afp(), licensed=True)
    assert _rules(findings) == [("afp/missing-attribution", 5)]  # slug (0.7) outweighs the mention (0.3)


def test_stripped_dispatch_is_found_by_front_matter():
    text = "---\ntitle: Bridge repairs\nsource: AFP\n---\nEngineers began repairs on Sunday.\n"
    findings = check(_doc("a.md", text), _afp(), licensed=True)
    assert _rules(findings) == [("afp/missing-attribution", 3)]
    assert findings[0].evidence == "source: AFP"


def test_single_weak_mention_is_not_content():
    text = "AFP reported that the bridge would reopen, according to our own sources.\n"
    assert check(_doc("a.txt", text), _afp(), licensed=False) == []


def test_dateline_credit_only_counts_near_the_top():
    filler = "".join(f"Paragraph {n} of our own reporting.\n" for n in range(20))
    late = filler + "Mosul (AFP) - A late dateline.\n"
    findings = check(_doc("a.txt", late), _afp(), licensed=False)
    # the strict dateline does not match below line 12, the loose "(AFP)" signal still credits and detects
    assert _rules(findings) == [("afp/unlicensed-content", 21)]


def test_all_of_parts_give_incomplete_attribution(write):
    pack = load_pack(write("cc.yaml", CC_PACK))
    complete = "By Ana Ruiz\n\nText under CC BY 4.0: https://creativecommons.org/licenses/by/4.0/\n"
    assert check(_doc("a.txt", complete), pack, licensed=False) == []
    partial = "By Ana Ruiz\n\nText under CC BY 4.0, from Demo Commons.\n"
    findings = check(_doc("a.txt", partial), pack, licensed=False)
    assert _rules(findings) == [("demo-cc/incomplete-attribution", 3)]
    assert findings[0].severity == "warning"
    assert "a link to the licence" in findings[0].message
    bare = "Text under CC BY 4.0.\n"
    assert _rules(check(_doc("a.txt", bare), pack, licensed=False)) == [("demo-cc/missing-attribution", 1)]


def test_links_in_html_satisfy_link_forms(write):
    pack = load_pack(write("cc.yaml", CC_PACK))
    page = ('<p>By Ana Ruiz</p><p>Published under <a href="https://creativecommons.org/licenses/by/4.0/">'
            'CC BY 4.0</a>.</p>')
    assert check(_doc("a.html", page), pack, licensed=False) == []


def test_declared_licence_in_front_matter(write):
    pack = load_pack(write("cc.yaml", CC_PACK))
    text = "---\nlicense: cc-by-4.0\n---\nA story with no credit.\n"
    assert _rules(check(_doc("a.md", text), pack, licensed=False)) == [("demo-cc/missing-attribution", 2)]


def _signals(pack_id: str, text: str) -> set[str]:
    from rightscheck.checks.attribution import detect

    pack = select_packs(load_packs(), only=[pack_id])[0]
    doc = _doc("a.txt", text)
    found = {s.matcher: s.matcher.search(doc) for s in pack.signals}
    return {e.signal for e in detect(doc, pack, found)}


def test_builtin_dateline_variants():
    assert "dateline" in _signals("afp", "PARIS, France (AFP) - Text.\n")
    assert "dateline" in _signals("afp", "**BAGHDAD**, Jan 18 (AFP) Jan 18, 2026 - Text.\n")
    assert "dateline" in _signals("reuters", "NEW YORK/LONDON, Jan 9 (Reuters) - Text.\n")
    assert "dateline" in _signals("ap", "LOS ANGELES (AP) — Text.\n")
    assert "dateline" in _signals("ap", "**SEATTLE** (AP) — Text.\n")


def test_builtin_reporting_line_variants():
    for line in ("(Reporting by Ana Lima; editing by Tom Roe)",
                 "(Reporting by Ana Lima, Writing by Bo Chen, Editing by Tom Roe)"):
        assert "reporting-line" in _signals("reuters", f"Text.\n{line}\n"), line


def test_keywords_gate_signal_patterns(write):
    gated = CC_PACK.replace("provenance:", "keywords: [demo commons, cc by]\nprovenance:")
    pack = load_pack(write("cc.yaml", gated))
    assert pack.keywords == ("demo commons", "cc by")
    # "CC-BY 4.0" matches the licence-name pattern but contains no keyword: the pattern is not run
    assert check(_doc("a.txt", "Text under CC-BY 4.0.\n"), pack, licensed=False) == []
    assert _rules(check(_doc("a.txt", "Text under CC BY 4.0.\n"), pack, licensed=False)) == [
        ("demo-cc/missing-attribution", 1)]


def test_markdown_emphasis_and_links_do_not_hide_a_credit():
    for credit in ("**Source:** AFP", "Source: [AFP](https://www.afp.com)"):
        text = f"Engineers began repairs on Sunday.\n\nkh/mw\n\n{credit}\n"
        assert check(_doc("a.md", "---\nsource: AFP\n---\n" + text), _afp(), licensed=True) == [], credit


PHOTO_PACK = """
id: demo-photo
name: Demo Photo Agency
licence: {terms: all-rights-reserved, summary: Photos need a credit beside them.}
keywords: []
signals:
  - id: filename
    image: '(?i)\\bDPA_\\d+\\.jpe?g'
    weight: 1.0
attribution:
  - id: caption-credit
    description: 'a "Photo: Demo Photo" credit next to the image'
    within: {near: 1}
    any_of:
      - pattern: 'Photo:?\\s*Demo Photo'
"""


def test_every_image_needs_its_own_credit_nearby(write):
    pack = load_pack(write("photo.yaml", PHOTO_PACK))
    page = ('<p>Lead paragraph.</p>\n<img src="DPA_1.jpg">\n<p>Photo: Demo Photo</p>\n'
            '<p>Body one.</p>\n<p>Body two.</p>\n<p>Body three.</p>\n<img src="DPA_2.jpg" alt="Harbour">\n'
            '<p>Body four.</p>\n<p>Body five.</p>\n<p>Body six. Photo: Demo Photo</p>\n')
    findings = check(_doc("a.html", page), pack, licensed=True)
    assert _rules(findings) == [("demo-photo/missing-attribution", 7)]
    assert findings[0].evidence == "DPA_2.jpg Harbour"
    unlicensed = check(_doc("a.html", page), pack, licensed=False)
    assert _rules(unlicensed) == [("demo-photo/unlicensed-content", 2), ("demo-photo/missing-attribution", 7)]
    markdown = "![Harbour](DPA_3.jpg)\nPhoto: Demo Photo\n\nText.\n\n![Quay](DPA_4.jpeg)\n"
    assert _rules(check(_doc("a.md", markdown), pack, licensed=True)) == [("demo-photo/missing-attribution", 6)]


def test_near_is_refused_on_signals(write):
    bad = PHOTO_PACK.replace("    weight: 1.0", "    weight: 1.0\n    within: {near: 2}")
    with pytest.raises(RightscheckError, match=r"photo.yaml:\d+: signals\[0\].within: 'near'"):
        load_pack(write("photo.yaml", bad))
