"""Article-extraction libraries measured against rightscheck's own article finder (issue 13).

rightscheck judges only a page's article, and every finding must point at a line and column of the
original file. A library could replace rightscheck.documents.article if it finds the article at least as well
*and* its output can be mapped back to the source. This script gives the evidence, on the real saved
pages and their hand labels (bench/realpages-labels.yaml), for each extractor that is importable:

* rightscheck: ``htmltext.visible_text`` + ``article.article_spans`` (what ``documents.parse`` runs);
* trafilatura (XML output with images and tables, no comments: captions and alt text are kept);
* readability-lxml (``Document.summary``), justext (the stoplist covering most of the page's words,
  else language-independent mode), and selectolax's whole-page text as a no-finder baseline.

Per extractor it reports:

1. time per page (total and median, one run, one process, pages in the same order for all);
2. offsets: rightscheck's output is ranges of the visible text, so it maps by construction; for the
   others each output paragraph is searched (whitespace collapsed) in the page's visible text and the
   share of output characters found exactly once, more than once, in order, or not at all is reported;
3. credit recall: the strings quoted in the ``note`` of pages with a non-empty ``expect`` (file names
   and strings that are nowhere in the page's visible text or image alt/title are left out), share
   found in the output (whitespace collapsed, case-folded, not inside a longer word);
4. chrome leakage: the same for the strings quoted in ``chrome`` (lower is better);
5. agreement with rightscheck: mean and median word-count ratio, bag-of-words F1, empty outputs.

    /tmp/ext-venv/bin/python bench/extractors.py /tmp/realpages            # venv with the libraries
    /tmp/ext-venv/bin/python bench/extractors.py /tmp/realpages --show-quotes

The libraries are not dependencies of rightscheck: install them in a side venv together with
rightscheck (``pip install -e .``). No page content is written anywhere.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from scan_bench import machine_line  # bench/ is this script's folder, first on sys.path

from rightscheck.documents.article import article_spans
from rightscheck.documents.document import decode
from rightscheck.documents.htmltext import Page, visible_text

HERE = Path(__file__).resolve().parent
LABELS = HERE / "realpages-labels.yaml"

# a quote opens after a non-word character and closes before one, so "O'DONNELL" stays inside it
_QUOTE = re.compile(r"(?<!\w)'(.+?)'(?!\w)")
_FILE_NAME = re.compile(r"\.(?:jpe?g|png|gif|webp|svg)\b|^\W*\.\.\.?[\w-]*[_-]", re.I)
_ELLIPSIS = re.compile(r"\.\.\.|…")
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.I | re.S)
_WORD = re.compile(r"\w+")
MIN_STOPWORDS = 0.1  # share of a page's words a stoplist must cover to be taken as the page's language


_DASHES = re.compile(r"[-\u2010-\u2015]+")
_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'"})


def norm(text: str) -> str:
    """Whitespace collapsed, case-folded, "(c)" for the copyright sign, straight apostrophes, one "-" for
    any run of dashes (labels write "--" for an em dash)."""
    return _DASHES.sub("-", " ".join(text.replace("©", "(c)").translate(_APOSTROPHES).split()).casefold())


@dataclass
class Output:
    """What an extractor gives for a page: its article text as paragraphs (one per line), and text it
    emits outside the running text (image alt/title, captions it keeps apart)."""

    paragraphs: list[str]
    extra: list[str] = field(default_factory=list)
    exact: bool = False  # slices of the visible text by construction (offsets known)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


# ---------------------------------------------------------------------------------------------- extractors

def run_rightscheck(source: str, page: Page) -> Output:
    """The article ranges of the visible text, as documents.parse computes them; images in the article
    give their alt/title (what rightscheck's image rules read besides captions, which are text)."""
    spans = article_spans(page.blocks, len(page.text))
    paragraphs = [line for start, end in spans for line in page.text[start:end].split("\n") if line.strip()]
    extra = []
    for image in page.images:
        if any(start <= image.offset < end for start, end in spans):
            extra.append(image.described)
    return Output(paragraphs, extra, exact=True)


def make_trafilatura() -> Callable[[str, Page], Output] | None:
    try:
        import trafilatura
        from lxml import etree
    except ImportError:
        return None

    def run(source: str, page: Page) -> Output:
        xml = trafilatura.extract(source, output_format="xml", include_images=True, include_tables=True,
                                  include_comments=False, include_formatting=False, include_links=False,
                                  with_metadata=False)
        if not xml:
            return Output([])
        root = etree.fromstring(xml.encode("utf-8"))
        paragraphs, extra = [], []
        for lb in root.iter("lb"):  # a line break inside a paragraph
            lb.tail = "\n" + (lb.tail or "")
        # each outermost text block (a quote's paragraphs are its own text)
        for element in root.iter():
            if element.tag == "graphic":
                extra.append(" ".join(filter(None, (element.get("alt"), element.get("title")))))
                continue
            if element.tag in ("p", "head", "item", "cell", "quote", "code"):
                if any(ancestor.tag in ("p", "head", "item", "cell", "quote", "code")
                       for ancestor in element.iterancestors()):
                    continue
                text = "".join(element.itertext())
                paragraphs.extend(line for line in text.split("\n") if line.strip())
        return Output(paragraphs, extra)

    return run


def make_readability() -> Callable[[str, Page], Output] | None:
    try:
        import lxml.html
        from readability import Document
    except ImportError:
        return None
    blocks = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "pre", "blockquote", "figcaption",
              "dt", "dd", "tr", "section", "article", "ul", "ol", "table", "figure", "header", "footer", "br"}

    def run(source: str, page: Page) -> Output:
        summary = Document(source).summary(html_partial=True)
        tree = lxml.html.fromstring(summary) if summary.strip() else None
        if tree is None:
            return Output([])
        pieces: list[str] = []
        extra = [" ".join(filter(None, (img.get("alt"), img.get("title")))) for img in tree.iter("img")]

        def walk(element) -> None:  # text with a line break around each block element, as a browser shows it
            if not isinstance(element.tag, str):  # comment
                pieces.append(element.tail or "")
                return
            block = element.tag in blocks
            if block:
                pieces.append("\n")
            pieces.append(element.text or "")
            for child in element:
                walk(child)
            if block:
                pieces.append("\n")
            pieces.append(element.tail or "")

        walk(tree)
        return Output([line for line in "".join(pieces).split("\n") if line.strip()], extra)

    return run


def make_justext() -> Callable[[str, Page], Output] | None:
    try:
        import justext
    except ImportError:
        return None
    stoplists = {name: justext.get_stoplist(name) for name in justext.get_stoplists()}
    languages: dict[str, list[str]] = collections.defaultdict(list)  # stopword -> the stoplists holding it
    for name, stoplist in stoplists.items():
        for word in stoplist:
            languages[word].append(name)

    def run(source: str, page: Page) -> Output:
        # jusText needs the page's language and pages' lang attributes lie (French under lang="en", lorem
        # ipsum): take the stoplist covering most of the page's words, as its own tooling does
        words = _WORD.findall(_MARKUP.sub(" ", source).lower())
        covered: collections.Counter = collections.Counter()
        for word, n in collections.Counter(words).items():
            for name in languages.get(word, ()):
                covered[name] += n
        best, hits = covered.most_common(1)[0] if covered else ("", 0)
        if best and hits >= MIN_STOPWORDS * len(words):
            paragraphs = justext.justext(source, stoplists[best])
        else:  # no stoplist fits (Chinese, Japanese, Thai): jusText's language-independent mode
            paragraphs = justext.justext(source, frozenset(), stopwords_low=0, stopwords_high=0)
        return Output([p.text for p in paragraphs if not p.is_boilerplate and p.text.strip()])

    return run


def make_selectolax() -> Callable[[str, Page], Output] | None:
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        return None

    def run(source: str, page: Page) -> Output:  # whole-page text, no article finding: a baseline
        tree = LexborHTMLParser(source)
        for node in tree.css("script, style, noscript, template"):
            node.decompose()
        body = tree.body
        if body is None:
            return Output([])
        text = body.text(separator="\n")
        extra = [" ".join(filter(None, (img.attributes.get("alt"), img.attributes.get("title"))))
                 for img in body.css("img")]
        return Output([line for line in text.split("\n") if line.strip()], extra)

    return run


# ---------------------------------------------------------------------------------------------- measures

class Haystack:
    """The page's visible text, whitespace collapsed, for finding an extractor's paragraphs in it."""

    def __init__(self, text: str) -> None:
        self.text = " ".join(text.split())

    def locate(self, paragraph: str, after: int) -> tuple[str, int]:
        """("unique" | "ambiguous" | "none", position) of one paragraph; "ambiguous" ones are also
        placed in order (first occurrence at or after ``after``), as a mapper walking the page would."""
        needle = " ".join(paragraph.split())
        first = self.text.find(needle)
        if first < 0:
            return "none", after
        if self.text.find(needle, first + 1) < 0:
            return "unique", first + len(needle)
        following = self.text.find(needle, after)
        return ("ambiguous-in-order" if following >= 0 else "ambiguous"), \
            (following + len(needle) if following >= 0 else after)


def mapping(output: Output, haystack: Haystack) -> collections.Counter:
    """Output characters by how they map back to the visible text."""
    counts: collections.Counter = collections.Counter()
    after = 0
    for paragraph in output.paragraphs:
        kind, after = haystack.locate(paragraph, after)
        counts[kind] += len(" ".join(paragraph.split()))
    return counts


def contains(haystack: str, needle: str) -> bool:
    """``needle`` (normalised) in ``haystack`` (normalised), not inside a longer word; an elided quote
    ("Photographer: ... /Bloomberg") needs all its pieces."""
    pieces = [p.strip() for p in _ELLIPSIS.split(needle) if len(p.strip()) >= 2]
    for piece in pieces:
        left = r"(?<!\w)" if piece[0].isalnum() else ""
        right = r"(?!\w)" if piece[-1].isalnum() else ""
        if not re.search(left + re.escape(piece) + right, haystack):
            return False
    return bool(pieces)


def quotes(text: str) -> list[str]:
    """The strings quoted in a label field, file names left out."""
    return [q.strip() for q in _QUOTE.findall(text or "") if not _FILE_NAME.search(q)]


# ---------------------------------------------------------------------------------------------- main

@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    mapped: collections.Counter = field(default_factory=collections.Counter)
    credits_found: int = 0
    credits: int = 0
    chrome_found: int = 0
    chrome: int = 0
    ratios: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    empty: int = 0
    errors: int = 0
    words: dict[str, int] = field(default_factory=dict)  # page -> words of output
    exact: bool = False


def bag_f1(a: str, b: str) -> float:
    x, y = collections.Counter(a.casefold().split()), collections.Counter(b.casefold().split())
    common = sum((x & y).values())
    if not common:
        return 0.0
    precision, recall = common / sum(x.values()), common / sum(y.values())
    return 2 * precision * recall / (precision + recall)


def machine() -> str:
    """The machine line of scan_bench (CPU, cores, memory, system, Python) and the load when this run began."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{machine_line(sys.executable)}, load average {load:.2f} at start"


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version
    found = []
    for package in ("rightscheck", "trafilatura", "readability-lxml", "jusText", "selectolax", "lxml"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            pass
    return ", ".join(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path, help="folder of saved pages (newspaper/*.html, readability/*.html)")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--show-quotes", action="store_true", help="list the quoted strings used, per page")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (a quick try)")
    args = parser.parse_args()

    labels = {entry["page"]: entry for entry in yaml.safe_load(args.labels.read_text())}
    pages = sorted(p for p in args.pages.rglob("*.html"))
    if args.limit:
        pages = pages[:args.limit]
    extractors: dict[str, Callable[[str, Page], Output]] = {"rightscheck": run_rightscheck}
    for name, make in (("trafilatura", make_trafilatura), ("readability-lxml", make_readability),
                       ("justext", make_justext), ("selectolax (whole page)", make_selectolax)):
        run = make()
        if run is None:
            print(f"({name} is not importable: left out)", file=sys.stderr)
        else:
            extractors[name] = run
    tallies = {name: Tally() for name in extractors}
    skipped = collections.Counter()

    for path in pages:
        rel = path.relative_to(args.pages).as_posix()
        source, _ = decode(path.read_bytes())
        outputs: dict[str, Output] = {}
        page = None
        for name, run in extractors.items():
            started = time.perf_counter()
            try:
                if name == "rightscheck":
                    page = visible_text(source)
                    output = run(source, page)
                else:
                    output = run(source, page)
            except Exception as error:  # noqa: BLE001 -- a library failing on a page is an empty output
                print(f"{name} failed on {rel}: {type(error).__name__}: {error}"[:200], file=sys.stderr)
                tallies[name].errors += 1
                output = Output([])
            tallies[name].times.append(time.perf_counter() - started)
            outputs[name] = output
        assert page is not None
        haystack = Haystack(page.text)
        reachable = norm(page.text + "\n" + "\n".join(image.described for image in page.images))
        label = labels.get(rel, {})
        credit_quotes = quotes(label.get("note", "")) if label.get("expect") else []
        chrome_quotes = quotes(label.get("chrome", ""))
        used_credits = [q for q in credit_quotes if contains(reachable, norm(q))]
        used_chrome = [q for q in chrome_quotes if contains(reachable, norm(q))]
        skipped["credit quotes not in the page's text or alt/title"] += len(credit_quotes) - len(used_credits)
        skipped["chrome quotes not in the page's text or alt/title"] += len(chrome_quotes) - len(used_chrome)
        if args.show_quotes and (used_credits or used_chrome or credit_quotes or chrome_quotes):
            print(f"{rel}: credits {used_credits} (unreachable {sorted(set(credit_quotes) - set(used_credits))}); "
                  f"chrome {used_chrome} (unreachable {sorted(set(chrome_quotes) - set(used_chrome))})")
        reference = outputs["rightscheck"].text
        for name, output in outputs.items():
            tally = tallies[name]
            tally.mapped.update(mapping(output, haystack))
            seen = norm(output.text + "\n" + "\n".join(output.extra))
            tally.credits += len(used_credits)
            tally.credits_found += sum(contains(seen, norm(q)) for q in used_credits)
            tally.chrome += len(used_chrome)
            tally.chrome_found += sum(contains(seen, norm(q)) for q in used_chrome)
            words = len(output.text.split())
            tally.words[rel] = words
            tally.exact |= output.exact
            if not output.text.strip():
                tally.empty += 1
            if reference.split():
                tally.ratios.append(words / len(reference.split()))
                tally.f1.append(bag_f1(output.text, reference))

    report(args, pages, tallies, skipped)


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def report(args: argparse.Namespace, pages: list[Path], tallies: dict[str, Tally],
           skipped: collections.Counter) -> None:
    print(f"Machine: {machine()}")
    print(f"Versions: {versions()}")
    print(f"Pages: {len(pages)} under {args.pages}\n")

    print("### Time per page (same run, pages in the same order)\n")
    print("| extractor | total s | median ms | p90 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, t in tallies.items():
        times = sorted(t.times)
        p90 = times[int(0.9 * (len(times) - 1))] if times else 0
        print(f"| {name} | {sum(times):.1f} | {1000 * statistics.median(times):.1f} | {1000 * p90:.1f} | "
              f"{1000 * max(times):.0f} | {t.errors} |")

    print("\n### Offsets: output characters found in the page's visible text (whitespace collapsed)\n")
    print("| extractor | offsets by construction | output chars | unique | ambiguous, placed in order | "
          "ambiguous, not in order | not found |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, t in tallies.items():
        total = sum(t.mapped.values())
        print(f"| {name} | {'yes' if t.exact else 'no'} | {total:,} | "
              f"{pct(t.mapped['unique'], total)} | {pct(t.mapped['ambiguous-in-order'], total)} | "
              f"{pct(t.mapped['ambiguous'], total)} | {pct(t.mapped['none'], total)} |")

    print("\n### Article credits found (recall) and chrome strings leaked\n")
    first = next(iter(tallies.values()))
    print(f"Credit strings: {first.credits} quoted in the notes of pages with findings expected; chrome strings: "
          f"{first.chrome}. Left out: " + "; ".join(f"{n} {k}" for k, n in skipped.items()) + ".\n")
    print("| extractor | credits found (higher is better) | chrome strings in output (lower is better) |")
    print("|---|---:|---:|")
    for name, t in tallies.items():
        print(f"| {name} | {t.credits_found}/{t.credits} = {pct(t.credits_found, t.credits)} | "
              f"{t.chrome_found}/{t.chrome} = {pct(t.chrome_found, t.chrome)} |")

    print("\n### Agreement with rightscheck's article (pages where rightscheck finds words)\n")
    print("| extractor | mean word ratio | median word ratio | pages within 2/3-3/2 | mean bag-of-words F1 | "
          "pages with empty output |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, t in tallies.items():
        within = sum(2 / 3 <= r <= 3 / 2 for r in t.ratios)
        print(f"| {name} | {statistics.fmean(t.ratios):.2f} | {statistics.median(t.ratios):.2f} | "
              f"{pct(within, len(t.ratios))} | {statistics.fmean(t.f1):.2f} | {t.empty} |")

    libraries = [n for n in ("trafilatura", "readability-lxml") if n in tallies]
    if libraries:
        ours = tallies["rightscheck"].words
        names = " and ".join(libraries)
        fewer = sorted(p for p in ours if all(ours[p] < tallies[n].words[p] / 2 for n in libraries))
        more = sorted(p for p in ours if all(ours[p] > 2 * tallies[n].words[p] for n in libraries))

        def listed(chosen: list[str]) -> str:
            return ", ".join(f"{p} ({ours[p]} vs {', '.join(str(tallies[n].words[p]) for n in libraries)})"
                             for p in chosen)

        print(f"\nPages where rightscheck's article has under half the words of both {names} "
              f"({len(fewer)}): {listed(fewer)}")
        print(f"\nPages where it has over twice the words of both ({len(more)}): {listed(more)}")


if __name__ == "__main__":
    main()
