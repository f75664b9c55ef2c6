"""Rule packs: loading YAML, validating against the schema, compiling matchers once per scan.

Packs are data; this module knows no source by name. Every problem in a pack is
a RightscheckError naming the file, line and key path.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Iterator

import regex

from rightscheck.core import packcache
from rightscheck.config import DEFAULT_TIMEOUT
from rightscheck.core.errors import RightscheckError
from rightscheck.text.keywords import fold_keywords
from rightscheck.packs.patterns import MAX_REPEATS, Acronym, Matcher, compile_pattern, nested_repeats, phrase_to_pattern
from rightscheck.core.schemas import validate
from rightscheck.core.yamlfile import LineMap, format_key_path, load_yaml

MATCHERS = {"pattern": "text", "phrase": "text", "link": "links", "image": "images",
            "caption": "captions"}  # key -> what it searches
KINDS = ("missing-attribution", "incomplete-attribution", "unlicensed-content", "quotation-limit", "modified-content")
REUSE_KINDS = ("quotation-limit", "modified-content")  # found only by comparing with indexed sources (--sources)
PLACEHOLDERS = frozenset({"pack", "name", "evidence", "signal", "expected", "missing", "terms", "words", "limit",
                          "source"})

DEFAULT_FINDINGS = {
    "missing-attribution": ("error", "{name} content ({evidence}) is republished without credit; add {expected}."),
    "incomplete-attribution": ("warning", "{name} credit is incomplete ({evidence}); also show {missing}."),
    "unlicensed-content": (
        "error",
        "{name} content ({evidence}) needs a licence ({terms}); declare yours with "
        "`licences: [{pack}]` in the config, or remove the content.",
    ),
    "quotation-limit": (
        "error",
        "{words} words reused from {source}; {name} allows {limit} without a licence. Shorten the quotation "
        "or declare a licence with `licences: [{pack}]`.",
    ),
    "modified-content": (
        "error",
        "text reused from {source} was altered ({evidence}); {name} terms ({terms}) allow no derivatives: "
        "republish it unchanged.",
    ),
}


@dataclass(frozen=True)
class Signal:
    id: str
    description: str
    weight: float
    matcher: Matcher
    keywords: tuple[str, ...] | None = None  # None: the pack's keywords decide
    notice: bool = False  # part of a notice block: its paragraph is not matched as reused text


@dataclass(frozen=True)
class Part:
    """One required credit part; present when any of its forms matches."""

    id: str
    description: str
    forms: tuple[Matcher, ...]
    labels: tuple[str, ...]  # how the pack wrote each form, for `rules show`


@dataclass(frozen=True)
class Template:
    severity: str
    message: str


@dataclass(frozen=True)
class Quotation:
    """How much of this pack's source text may be reused; ``None`` means no such limit."""

    min_passage_words: int = 12
    max_passage_words: int | None = None
    max_quoted_words: int | None = None
    max_total_words: int | None = None
    max_source_share: float | None = None
    allow_with_licence: bool = True
    no_derivatives: bool = False

    def merged(self, overrides: dict[str, Any]) -> "Quotation":
        """These terms with config overrides applied."""
        return replace(self, **overrides)


@dataclass(frozen=True)
class Pack:
    id: str
    name: str
    path: str
    terms: str
    summary: str
    url: str | None
    requires_licence: bool
    threshold: float
    signals: tuple[Signal, ...]
    parts: tuple[Part, ...]
    findings: dict[str, Template]
    sources: frozenset[str] = field(default_factory=frozenset)
    licences: frozenset[str] = field(default_factory=frozenset)
    quotation: Quotation = field(default_factory=Quotation)
    keywords: tuple[str, ...] = ()
    home_hosts: tuple[str, ...] = ()  # where the source publishes itself: its own pages are not republications
    digest: str = ""  # of the pack file, so an index knows when attribution may have changed
    id_line: int | None = None

    @cached_property
    def signal_matchers(self) -> frozenset[Matcher]:
        return frozenset(signal.matcher for signal in self.signals)

    @cached_property
    def credit_near(self) -> bool:
        """Some credit form must sit near its evidence (``within: {near: N}``), so each occurrence is checked."""
        return any(form.within and form.within[0] == "near" for part in self.parts for form in part.forms)

    @cached_property
    def keyword_groups(self) -> list[tuple[tuple[str, ...], str, list[Signal]]]:
        """Signals grouped by the keywords that gate them and where those are looked for, so a document is
        asked once per distinct list: (keywords, target, signals). A text signal is gated by its own
        keywords, else the pack's; a link or image signal only by its own, looked for in the link targets
        or image attributes (the pack's keywords are words of the visible text)."""
        groups: dict[tuple[tuple[str, ...], str], list[Signal]] = {}
        for signal in self.signals:
            target = signal.matcher.target
            own = signal.keywords if signal.keywords is not None else (self.keywords if target == "text" else ())
            groups.setdefault((own, target), []).append(signal)
        return [(keywords, target, signals) for (keywords, target), signals in groups.items()]


def disabled_patterns(packs: Iterable[Pack]) -> dict[str, str]:
    """Patterns that failed in this process (ran over their time limit): their origin -> the error."""
    return {m.origin: m.error for m in matchers(packs) if m.error}


def slow_patterns(packs: Iterable[Pack]) -> dict[str, str]:
    """Patterns that came close to their time limit in this process: their origin -> the warning."""
    return {m.origin: m.slow for m in matchers(packs) if m.slow}


def matchers(packs: Iterable[Pack]) -> Iterator[Matcher]:
    """Every matcher of ``packs``: their signals' and their credit forms'."""
    for pack in packs:
        yield from (s.matcher for s in pack.signals)
        yield from (form for part in pack.parts for form in part.forms)


def pattern_errors(packs: Iterable[Pack]) -> list[str]:
    """Errors of patterns disabled during a scan, one per pattern."""
    return sorted(disabled_patterns(packs).values())


def normalise_name(value: Any) -> str:
    """Case- and spacing-insensitive key for comparing declared source or licence names."""
    return " ".join(regex.split(r"[\s_]+", str(value).casefold())).strip()


def builtin_rules_dir() -> Path:
    """The packs shipped in the wheel (rightscheck/rules), or the checkout's top-level rules/ when run from source."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "rules"
    return installed if installed.is_dir() else package.parent / "rules"


def pack_files(location: Path) -> list[Path]:
    """YAML files of a pack directory (sorted), or the file itself."""
    if location.is_file():
        return [location]
    if not location.is_dir():
        raise RightscheckError("rules path does not exist", str(location))
    return sorted(p for p in location.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_pack(path: Path, display: str | None = None, timeout: float | None = DEFAULT_TIMEOUT,
              trust_cache: bool = True) -> Pack:
    """Read, validate and compile one pack file; ``timeout`` bounds each search of each pattern. With
    ``trust_cache`` false (``rules validate``) the pack cache is not read: every check runs again."""
    name = display or str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RightscheckError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", name) from None
    except OSError as exc:
        raise RightscheckError(f"cannot read: {exc.strerror}", name) from None
    cached = packcache.get(text) if trust_cache else None
    if cached:
        data, lines = cached
        pack = _compile(data, name, lines, timeout, checked=True)
    else:
        data, lines = load_yaml(text, name)
        if data is None:
            raise RightscheckError("empty rule pack", name, 1)
        validate(data, "rulepack", name, lines)
        pack = _compile(data, name, lines, timeout)
        packcache.put(text, data, lines)
    return replace(pack, digest=hashlib.blake2b(text.encode(), digest_size=16).hexdigest())


def load_packs(extra: Iterable[Path] = (), builtin: bool = True, timeout: float | None = DEFAULT_TIMEOUT) -> list[Pack]:
    """Built-in packs plus packs from ``extra`` dirs/files, sorted by id; duplicate ids are an error."""
    files = (pack_files(builtin_rules_dir()) if builtin else []) + [f for loc in extra for f in pack_files(Path(loc))]
    packs: dict[str, Pack] = {}
    for path in files:
        pack = load_pack(path, timeout=timeout)
        if pack.id in packs:
            raise RightscheckError(f"duplicate pack id '{pack.id}' (also in {packs[pack.id].path})", pack.path,
                                   pack.id_line, "id")
        packs[pack.id] = pack
    return [packs[i] for i in sorted(packs)]


def select_packs(packs: list[Pack], only: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[Pack]:
    """Keep the packs named by ``only`` (all if empty) minus ``exclude``; unknown ids are an error."""
    known = {p.id for p in packs}
    only, exclude = list(only), list(exclude)
    for option, ids in (("--only", only), ("--exclude", exclude)):
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise RightscheckError(f"unknown pack '{unknown[0]}' in {option} (known: {', '.join(sorted(known))})")
    return [p for p in packs if (not only or p.id in only) and p.id not in exclude]


def _compile(data: dict, name: str, lines: LineMap, timeout: float | None, checked: bool = False) -> Pack:
    def fail(message: str, key_path: tuple) -> RightscheckError:
        return RightscheckError(message, name, lines.line_for(key_path), format_key_path(key_path))

    acronym = None
    if "acronym" in data:
        acronym = Acronym(data["acronym"]["name"], tuple(data["acronym"].get("expansions", ())))

    def matcher(spec: dict, key_path: tuple, default_within=None) -> Matcher:
        given = [k for k in MATCHERS if k in spec]
        if len(given) != 1:
            raise fail(f"needs exactly one of {', '.join(MATCHERS)}" + (f" (has {', '.join(given)})" if given else ""),
                       key_path)
        kind = given[0]
        source = phrase_to_pattern(spec[kind]) if kind == "phrase" else spec[kind]
        ignore_case = spec.get("ignore_case", kind == "phrase")
        state = {}
        if not checked:  # a pack read from the cache was checked and compiled when it was cached
            if nested_repeats(source) > MAX_REPEATS:  # 36 ms over the built-in packs: at validation only
                raise fail(f"pattern nests counted repeats beyond {MAX_REPEATS:,} copies "
                           "(e.g. (?:a{1000}){1000}): too large to compile", key_path + (kind,))
            try:
                state["pattern"] = compile_pattern(source, ignore_case)
            except regex.error as exc:
                raise fail(f"pattern does not compile: {exc}", key_path + (kind,)) from None
        origin = f"{name}:{lines.line_for(key_path + (kind,))}: {format_key_path(key_path + (kind,))}"
        text = MATCHERS[kind] == "text"
        return Matcher(source, ignore_case, MATCHERS[kind], _within(spec.get("within", default_within)),
                       f"{kind}: {spec[kind]}", origin, timeout,
                       skip_captions=text and data.get("ignore_captions", False),
                       acronym=acronym if text else None, _state=state)

    signals: dict[str, Signal] = {}
    for index, spec in enumerate(data["signals"]):
        key_path = ("signals", index)
        if spec["id"] in signals:
            raise fail(f"duplicate signal id '{spec['id']}'", key_path + ("id",))
        if isinstance(spec.get("within"), dict) and "near" in spec["within"]:
            raise fail("'near' places a credit relative to evidence; a signal cannot use it", key_path + ("within",))
        own = tuple(fold_keywords(k) for k in spec["keywords"]) if "keywords" in spec else None
        signals[spec["id"]] = Signal(spec["id"], spec.get("description", spec["id"]), float(spec["weight"]),
                                     matcher(spec, key_path), own, spec.get("notice", False))

    parts = []
    for p_index, spec in enumerate(data["attribution"]):
        forms, labels = [], []
        for f_index, form in enumerate(spec["any_of"]):
            key_path = ("attribution", p_index, "any_of", f_index)
            if "signal" in form:
                if len(form) > 1:
                    raise fail("a signal reference takes no other keys", key_path)
                if form["signal"] not in signals:
                    raise fail(f"unknown signal '{form['signal']}' (known: {', '.join(signals)})",
                               key_path + ("signal",))
                forms.append(signals[form["signal"]].matcher)
                labels.append(f"signal: {form['signal']}")
            else:
                forms.append(matcher(form, key_path, spec.get("within")))
                labels.append(forms[-1].label)
        parts.append(Part(spec["id"], spec["description"], tuple(forms), tuple(labels)))

    findings = {}
    for kind in KINDS:
        spec = data.get("findings", {}).get(kind, {})
        severity, message = DEFAULT_FINDINGS[kind]
        message = spec.get("message", message)
        try:
            fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(message)
                      if name is not None]
        except ValueError as exc:
            raise fail(f"invalid message template: {exc}", ("findings", kind, "message")) from None
        unknown = [name for name, _, _ in fields if name not in PLACEHOLDERS]
        # "{evidence:>9999999999}" would pad every message to gigabytes: placeholders are plain names
        dressed = next((f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
                        for name, spec, conversion in fields if spec or conversion), None)
        if dressed and not unknown:
            raise fail(f"placeholder {dressed} takes no format spec or conversion (write {{name}})",
                       ("findings", kind, "message"))
        if unknown:
            raise fail(f"unknown placeholder {{{unknown[0]}}} (known: {', '.join(sorted(PLACEHOLDERS))})",
                       ("findings", kind, "message"))
        findings[kind] = Template(spec.get("severity", severity), message)

    licence = data["licence"]
    provenance = data.get("provenance", {})
    return Pack(
        id=data["id"], name=data["name"], path=name, terms=licence["terms"], summary=licence["summary"].strip(),
        url=licence.get("url"),
        requires_licence=licence.get("requires_licence", licence["terms"] == "all-rights-reserved"),
        threshold=float(data.get("threshold", 1.0)), signals=tuple(signals.values()), parts=tuple(parts),
        findings=findings,
        sources=frozenset(normalise_name(s) for s in provenance.get("sources", [])),
        licences=frozenset(normalise_name(s) for s in provenance.get("licences", [])),
        quotation=Quotation(**data.get("quotation", {})),
        keywords=tuple(dict.fromkeys(fold_keywords(k) for k in data.get("keywords", []))),
        home_hosts=tuple(host.lower() for host in data.get("home_hosts", [])),
        id_line=lines.line_for(("id",)),
    )


def _within(spec: Any) -> tuple[str, int] | None:
    if spec is None or spec == "anywhere":
        return None
    (where, count), = spec.items()
    return where, int(count)
