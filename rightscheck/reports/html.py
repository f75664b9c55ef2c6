"""The HTML report: one self-contained page for editors and rights managers.

Rendered from the JSON report's data alone (:func:`rightscheck.reports.jsonreport.report_data` for a scan, or a
JSON file written earlier, read by :func:`load_json_report`), with the standard library only. The page
carries its own CSS and JavaScript (``templates/``), fetches nothing, and shows every piece of scanned
text escaped; a Content-Security-Policy that admits only the page's own script (by hash) is a second
wall should anything ever slip through. The script only filters and sorts rows; it never builds markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import string
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

from rightscheck import __version__
from rightscheck.core.errors import RightscheckError
from rightscheck.core.jsonfile import load_json
from rightscheck.core.findings import SEVERITY_RANK, place
from rightscheck.core.result import ScanResult
from rightscheck.reports.jsonreport import JSON_VERSION, report_data, summary_text
from rightscheck.reports.options import Options
from rightscheck.core.visible import inert, visible

SEVERITIES = ("error", "warning", "info")
ATTRIBUTION_KINDS = ("missing-attribution", "incomplete-attribution")
# How reuse excerpts mark the words that differ: {+only in the scanned text+}, [-only in the source-].
_MARKS = re.compile(r"\{\+(.+?)\+\}|\[-(.+?)-\]", re.DOTALL)


def esc(value: Any) -> str:
    """``value`` as text safe in HTML content and in quoted attribute values, its controls, bidi overrides and
    lone surrogates shown :func:`visible` (tab and newline are only white space to a browser)."""
    return html.escape(visible(str(value), keep="\t\n"), quote=True)


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files("rightscheck.reports").joinpath("templates", name).read_text(encoding="utf-8")


# -- reading a JSON report -----------------------------------------------------------------------------

def load_json_report(path: str) -> dict:
    """A JSON report written by ``rightscheck scan --format json`` (``-`` reads standard input), checked
    enough that rendering it cannot fail; any problem is a RightscheckError naming the file (and line)."""
    data = load_json(path, "JSON report")
    return check_report(data, path)


def check_report(data: Any, name: str = "<report>") -> dict:
    """``data`` if it has the shape of a rightscheck JSON report (summary recomputed where missing)."""

    def fail(key: str, message: str) -> RightscheckError:
        return RightscheckError(f"{message} (is this a `rightscheck scan --format json` report?)", name, key=key)

    def need(holder: dict, key: str, kinds: type | tuple, where: str, optional: bool = False) -> Any:
        value = holder.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, kinds):
            expected = kinds.__name__ if isinstance(kinds, type) else " or ".join(k.__name__ for k in kinds)
            raise fail(f"{where}{key}", f"expected {expected}")
        return value

    if not isinstance(data, dict):
        raise fail("(top level)", "expected a JSON object")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail("version", "expected a report version number")
    if version > JSON_VERSION:
        raise fail("version", f"report version {version} is newer than this rightscheck reads ({JSON_VERSION})")
    findings = need(data, "findings", list, "")
    for i, finding in enumerate(findings):
        where = f"findings[{i}]."
        if not isinstance(finding, dict):
            raise fail(f"findings[{i}]", "expected an object")
        for key in ("rule", "pack", "kind", "path", "message", "evidence"):
            need(finding, key, str, where)
        for key in ("line", "column"):
            need(finding, key, int, where)
        if finding.get("severity") not in SEVERITIES:
            raise fail(f"{where}severity", f"expected one of {', '.join(SEVERITIES)}")
        need(finding, "record", dict, where, optional=True)
        source = need(finding, "source", dict, where, optional=True)
        if source is not None:
            need(source, "path", str, f"{where}source.")
            for key in ("line", "end_line", "words"):
                need(source, key, int, f"{where}source.", optional=True)
            need(source, "share", (int, float), f"{where}source.", optional=True)
            for key in ("scanned_excerpt", "source_excerpt", "scanned_passage", "source_passage"):
                need(source, key, str, f"{where}source.", optional=True)
            for j, passage in enumerate(need(source, "passages", list, f"{where}source.", optional=True) or []):
                if not isinstance(passage, dict):
                    raise fail(f"{where}source.passages[{j}]", "expected an object")
    skipped = need(data, "skipped", list, "", optional=True) or []
    for i, item in enumerate(skipped):
        if not isinstance(item, dict) or not all(isinstance(item.get(key), str) for key in ("path", "reason")):
            raise fail(f"skipped[{i}]", "expected an object with a path and a reason")
    packs = need(data, "packs", dict, "", optional=True) or {}
    for pack_id, info in packs.items():
        if not isinstance(info, dict):
            raise fail(f"packs.{pack_id}", "expected an object")
        for i, part in enumerate(need(info, "credit", list, f"packs.{pack_id}.", optional=True) or []):
            if not isinstance(part, dict):
                raise fail(f"packs.{pack_id}.credit[{i}]", "expected an object")
            need(part, "forms", list, f"packs.{pack_id}.credit[{i}].", optional=True)
    summary = data.get("summary") if isinstance(data.get("summary"), dict) else {}
    counts = Counter(f["severity"] for f in findings)
    fixed = {"files": 0, "suppressed": 0, "baselined": 0}
    fixed.update({k: v for k, v in summary.items() if k in fixed and isinstance(v, int) and not isinstance(v, bool)})
    summary = {**fixed, "skipped": len(skipped), "findings": len(findings),
               "by_severity": {s: counts.get(s, 0) for s in SEVERITIES}}
    return {**data, "findings": findings, "skipped": skipped, "packs": packs, "summary": summary}


# -- the page ----------------------------------------------------------------------------------------

def render(result: ScanResult, options: Options = Options()) -> str:
    """The page for a scan just made."""
    return render_html(report_data(result, options.packs, options.config))


def render_html(data: dict) -> str:
    """The report page for ``data`` (the JSON report's object). A page printed to a CI log holds no workflow
    command (:func:`inert`; only its generated parts: the assets are ours, and the script's hash is fixed)."""
    data = check_report(data)
    js = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    headline = summary_text(data["summary"])
    return string.Template(_asset("report.html")).substitute(
        csp=esc(csp), version=esc(__version__), title=esc(f"rightscheck report: {headline}"),
        headline=esc(headline), css=_asset("report.css"), js=js,
        summary=inert(_summary(data)), findings=inert(_findings(data)),
    )


def _summary(data: dict) -> str:
    summary, findings, packs = data["summary"], data["findings"], data["packs"]
    cards = [_card(summary["files"], "file scanned", "files scanned"),
             _card(summary["skipped"], "file skipped", "files skipped")]
    cards += [_card(summary["by_severity"][s], s, s if s == "info" else f"{s}s", s) for s in SEVERITIES]
    cards += [_card(summary[key], key, key) for key in ("suppressed", "baselined") if summary[key]]
    by_pack = Counter(f["pack"] for f in findings)
    by_kind = Counter(f["kind"] for f in findings)
    tables = [
        _counts_table("Findings by pack", [(f"{_pack_name(packs, p)} ({p})" if p in packs else p, n)
                                           for p, n in sorted(by_pack.items())]),
        _counts_table("Findings by kind", sorted(by_kind.items())),
    ]
    out = [f'<div class="cards">{"".join(cards)}</div>', f'<div class="breakdown">{"".join(tables)}</div>']
    skipped = data["skipped"]
    if skipped:
        items = "".join(f'<li><span class="path mono">{esc(_place(s))}</span>: {esc(s["reason"])}</li>'
                        for s in skipped)
        opened = " open" if len(skipped) <= 20 else ""
        out.append(f'<details class="skipped" id="skipped"{opened}><summary>Skipped files ({len(skipped)})</summary>'
                   f"<ul>{items}</ul></details>")
    return "\n".join(out)


def _card(count: int, one: str, many: str, cls: str = "") -> str:
    return (f'<div class="card {cls}"><span class="num">{count}</span>{esc(one if count == 1 else many)}</div>')


def _counts_table(caption: str, rows: list[tuple[str, int]]) -> str:
    body = "".join(f'<tr><th scope="row">{esc(name)}</th><td class="n">{n}</td></tr>' for name, n in rows)
    body = body or '<tr><td colspan="2" class="muted">none</td></tr>'
    return f'<table class="counts"><caption>{esc(caption)}</caption><tbody>{body}</tbody></table>'


def _findings(data: dict) -> str:
    findings, packs = data["findings"], data["packs"]
    if not findings:
        return ('<p class="no-match">No findings: every scanned file shows the credit and licence its sources '
                "require.</p>")
    out = [_toolbar(findings, packs),
           '<table class="findings" id="findings-table">'
           '<colgroup><col class="c-file"><col class="c-sev"><col class="c-rule"><col></colgroup>'
           '<thead><tr><th scope="col" class="c-file" aria-sort="none">File</th><th scope="col">Severity</th>'
           '<th scope="col">Rule</th><th scope="col">Message</th></tr></thead>']
    for i, finding in enumerate(findings):
        out.append(_finding(i, finding, packs.get(finding["pack"])))
    out.append("</table>")
    out.append('<p class="no-match" id="no-match" hidden>No finding matches the filters.</p>')
    return "\n".join(out)


def _toolbar(findings: list[dict], packs: dict) -> str:
    groups = [
        ("pack", "Pack", Counter(f["pack"] for f in findings), lambda p: _pack_name(packs, p)),
        ("kind", "Kind", Counter(f["kind"] for f in findings), lambda k: k.replace("-", " ")),
        ("severity", "Severity", Counter(f["severity"] for f in findings), str),
    ]
    sets = []
    for key, legend, counts, label in groups:
        values = sorted(counts, key=lambda v: -SEVERITY_RANK[v]) if key == "severity" else sorted(counts)
        chips = "".join(
            f'<button type="button" class="chip" aria-pressed="true" data-filter="{key}" data-value="{esc(v)}">'
            f'{esc(label(v))} <span class="count">({counts[v]})</span></button>' for v in values)
        sets.append(f'<fieldset><legend>{legend}</legend><div class="chips">{chips}</div></fieldset>')
    sort = ('<fieldset><legend>Order</legend><div class="chips">'
            '<button type="button" class="plain-button" id="sort-file">Sort by file</button> '
            '<button type="button" class="plain-button" id="show-all">Show all</button></div></fieldset>')
    return (f'<div class="toolbar" id="toolbar" role="group" aria-label="Filter and sort the findings" hidden>'
            f'{"".join(sets)}{sort}<p class="status" id="shown" aria-live="polite"></p></div>')


def _place(item: dict) -> str:
    """A finding's or skip's document: its file, or its container with the record in brackets."""
    record = item.get("record")
    return place(item["path"], record if isinstance(record, dict) else None)


def _finding(i: int, f: dict, pack: dict | None) -> str:
    where = f'<span class="path">{esc(_place(f))}</span>:{esc(f["line"])}:{esc(f["column"])}'
    row = (f'<tr class="row"><td class="where">{where}</td>'
           f'<td><span class="badge {esc(f["severity"])}">{esc(f["severity"])}</span></td>'
           f'<td><code>{esc(f["rule"])}</code></td><td>{esc(f["message"])}</td></tr>')
    boxes = []
    if f.get("source"):
        boxes.append(_reuse(f, pack))
    boxes.append(_evidence(f, pack))
    if pack and f["kind"] in ATTRIBUTION_KINDS:
        boxes.append(_credit(f, pack))
    if pack:
        boxes.append(_licence(f, pack))
    detail = f'<tr class="detail"><td colspan="4"><div class="detail-grid">{"".join(boxes)}</div></td></tr>'
    return (f'<tbody class="finding" id="finding-{i + 1}" data-order="{i}" data-pack="{esc(f["pack"])}" '
            f'data-kind="{esc(f["kind"])}" data-severity="{esc(f["severity"])}" data-path="{esc(f["path"])}">'
            f"{row}{detail}</tbody>")


def _evidence(f: dict, pack: dict | None) -> str:
    signal = f.get("signal")
    how = ""
    if signal == "reused-text":
        how = "Text reused from an indexed source text identified the content (see the passages)."
    elif isinstance(signal, str) and signal.startswith("front matter "):
        key = signal.removeprefix("front matter ")
        how = f"The file's front matter declares it (<code>{esc(key)}:</code>), which is decisive on its own."
    elif isinstance(signal, str) and pack:
        info = _dict(_dict(pack.get("signals")).get(signal))
        weight, threshold = _number(info.get("weight")), _number(pack.get("threshold"))
        strength = ""
        if weight is not None and threshold is not None:
            strength = (" (decisive on its own)" if weight >= threshold
                        else f" (weight {weight:g} of the {threshold:g} needed, with other signals)")
        description = f": {esc(info['description'])}" if isinstance(info.get("description"), str) else ""
        how = f"Identified by the signal <code>{esc(signal)}</code>{description}{strength}"
    if f.get("region") == "chrome":
        how += " It stands in the page's chrome (navigation, widgets, footer), not in the article."
    if isinstance(f.get("occurrences"), int):
        how += f" The same image stands {f['occurrences']} times on the page."
    how_html = f"<p>{how.strip()}</p>" if how else ""
    return (f'<div class="box"><h4>Evidence</h4><blockquote class="evidence">{esc(f["evidence"])}</blockquote>'
            f"{how_html}</div>")


def _credit(f: dict, pack: dict) -> str:
    signals = _dict(pack.get("signals"))
    parts = []
    for part in pack.get("credit") or []:
        if not isinstance(part, dict):
            continue
        named, other = [], []
        for form in part.get("forms") or []:
            form = _dict(form)
            if isinstance(form.get("signal"), str):
                info = _dict(signals.get(form["signal"]))
                text = info.get("description") if isinstance(info.get("description"), str) else form["signal"]
                named.append(f"<li>{esc(text)}</li>")
            elif isinstance(form.get("label"), str):
                other.append(f"<li><code>{esc(form['label'])}</code></li>")
        forms = f'<ul class="forms">{"".join(named)}</ul>' if named else ""
        if other:
            forms += (f'<details class="forms"><summary>{len(other)} more form{"s" if len(other) > 1 else ""} '
                      f'(patterns)</summary><ul>{"".join(other)}</ul></details>')
        parts.append(f"<li>{esc(part.get('description', part.get('id', '')))}{forms}</li>")
    heading = "Credit that would satisfy it" + (" (every part)" if len(parts) > 1 else "")
    body = f"<ul>{''.join(parts)}</ul>" if parts else '<p class="muted">The pack lists no credit forms.</p>'
    return f'<div class="box"><h4>{heading}</h4>{body}</div>'


def _licence(f: dict, pack: dict) -> str:
    name = _pack_name_of(pack, f["pack"])
    status = []
    if pack.get("terms"):
        status.append(esc(pack["terms"]))
    if pack.get("requires_licence"):
        status.append("licence required")
    if pack.get("licensed"):
        status.append("the config declares a licence")
    out = [f'<div class="box"><h4>Licence</h4><p><strong>{esc(name)}</strong>'
           f'{": " + ", ".join(status) if status else ""}</p>']
    if isinstance(pack.get("summary"), str):
        out.append(f"<p>{esc(pack['summary'])}</p>")
    url = pack.get("url")
    if isinstance(url, str) and re.match(r"https?://", url, re.IGNORECASE):
        out.append(f'<p>Terms: <a href="{esc(url)}" rel="noreferrer noopener" class="path">{esc(url)}</a></p>')
    elif isinstance(url, str) and url:
        out.append(f'<p>Terms: <span class="path">{esc(url)}</span></p>')
    if f["kind"] == "unlicensed-content":
        out.append(f"<p>If you hold a licence, declare it: <code>licences: [{esc(f['pack'])}]</code>.</p>")
    out.append("</div>")
    return "".join(out)


def _reuse(f: dict, pack: dict | None) -> str:
    src = f["source"]
    passages = [p for p in src.get("passages") or [] if isinstance(p, dict)] or [src]
    total = src.get("total_words", src.get("words"))
    share = _number(src.get("total_share", src.get("share")))
    name = _pack_name_of(pack or {}, f["pack"])
    terms = _dict((pack or {}).get("quotation"))
    stat = f"{total} words reused" if isinstance(total, int) else "Text reused"
    if len(passages) > 1:
        stat += f" in {len(passages)} passages"
    if share:
        stat += f" ({share:.0%} of the source)"
    limits = _limits(terms)
    if pack is None:
        allows = ""
    elif limits:
        allows = f"; {esc(name)} allows {esc(_join(limits))} without a licence."
    else:
        allows = f"; {esc(name)} sets no quotation limit."
    notes = []
    lifted = bool(pack and pack.get("licensed") and terms.get("allow_with_licence", True))
    if lifted and limits:
        notes.append("The licence declared in the config lifts these limits; the credit is still required.")
    if terms.get("no_derivatives"):
        notes.append("The terms allow no derivatives: a reused passage must match its source word for word.")
    note_html = "".join(f'<p class="muted">{esc(n)}</p>' for n in notes)
    longest = max((p.get("words") for p in passages if isinstance(p.get("words"), int)), default=None)
    meters = [
        _meter("Longest passage" if len(passages) > 1 else "This passage", longest, terms.get("max_passage_words"),
               "{:g} words", lifted),
        _meter("From this source in all", total, terms.get("max_total_words"), "{:g} words", lifted),
        _meter("Share of the source", share, terms.get("max_source_share"), "{:.0%}", lifted),
    ]
    meter_html = "".join(m for m in meters if m)
    panes = []
    for passage in passages:
        first = passage.get("scanned_line", f["line"])
        last = passage.get("scanned_end_line", f.get("end_line", first) if passage is src else first)
        scanned = _text(passage.get("scanned_passage")) or _text(passage.get("scanned_excerpt"))
        original = _text(passage.get("source_passage")) or _text(passage.get("source_excerpt"))
        source_span = f"{passage.get('line', '?')}–{passage.get('end_line', passage.get('line', '?'))}"
        words = f" ({passage['words']} words)" if isinstance(passage.get("words"), int) and len(passages) > 1 else ""
        panes.append(
            f'<div class="sbs">'
            f'<figure class="pane scanned"><figcaption>Scanned: <span class="mono">{esc(_place(f))}:'
            f'{esc(first)}–{esc(last)}</span>{esc(words)}</figcaption><p>{_marked(scanned)}</p></figure>'
            f'<figure class="pane source"><figcaption>Source: <span class="mono">{esc(passage.get("path", ""))}:'
            f"{esc(source_span)}</span></figcaption><p>{_marked(original)}</p></figure></div>")
    return (
        f'<div class="box wide reuse"><h4>Reused text</h4>'
        f'<p class="reuse-stat"><strong>{esc(stat)}</strong>{allows}</p>{note_html}'
        f'{f"<div class=meters>{meter_html}</div>" if meter_html else ""}{"".join(panes)}'
        f'<p class="legend muted">Identical words are plain; <mark class="ins">marked words</mark> are only in the '
        f'scanned text, <mark class="del">struck words</mark> only in the source.</p></div>'
    )


def _marked(text: str) -> str:
    """Excerpt text escaped, its {+...+} and [-...-] marks turned into highlighted spans."""
    out, cursor = [], 0
    for match in _MARKS.finditer(text):
        out.append(esc(text[cursor:match.start()]))
        if match.group(1) is not None:
            out.append(f'<mark class="ins" title="only in the scanned text">{esc(match.group(1))}</mark>')
        else:
            out.append(f'<mark class="del" title="only in the source">{esc(match.group(2))}</mark>')
        cursor = match.end()
    out.append(esc(text[cursor:]))
    return "".join(out)


def _meter(label: str, value: Any, limit: Any, fmt: str, lifted: bool) -> str:
    """A labelled bar: a measure of the reuse against the pack's limit for it (a tick marks the limit)."""
    value, limit = _number(value), _number(limit)
    if value is None or limit is None or limit <= 0:
        return ""
    scale = max(value, limit) * 1.15
    over = value > limit
    verdict = " (over the limit; lifted by the licence)" if over and lifted else " (over the limit)" if over else ""
    text = f"{label}: {fmt.format(value)}, limit {fmt.format(limit)}{verdict}"
    return (f'<div class="meter-row"><span>{esc(text)}</span>'
            f'<div class="meter{" over" if over and not lifted else ""}" aria-hidden="true">'
            f'<span class="fill" style="width:{100 * value / scale:.1f}%"></span>'
            f'<span class="limit" style="left:{100 * limit / scale:.1f}%"></span></div></div>')


def _limits(terms: dict) -> list[str]:
    out = []
    for key, text in (("max_passage_words", "{} words in one passage"),
                      ("max_quoted_words", "{} in quotation marks with a credit"),
                      ("max_total_words", "{} words from one source in all")):
        value = terms.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            out.append(text.format(value))
    share = _number(terms.get("max_source_share"))
    if share is not None:
        out.append(f"{share:.0%} of one source")
    return out


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _pack_name(packs: dict, pack_id: str) -> str:
    return _pack_name_of(_dict(packs.get(pack_id)), pack_id)


def _pack_name_of(pack: dict, pack_id: str) -> str:
    name = pack.get("name")
    return name if isinstance(name, str) and name else pack_id


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
