"""The HTML report (`scan --format html`, `rightscheck report`): self-contained, escaped, complete, and
working in a real browser (headless Chromium driven over the DevTools protocol on a pipe)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from rightscheck.cli.main import main
from rightscheck.reports.html import render_html

REPO = Path(__file__).resolve().parent.parent
CSS = REPO / "rightscheck" / "reports" / "templates" / "report.css"
HOSTILE = '<script>window.pwned=1</script></script><img src=x onerror="window.pwned=2">"\' onmouseover="window.pwned=3'


class _Page(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    """The JSON report and the HTML report of examples/ (scanned once, index kept out of the tree)."""
    tmp = tmp_path_factory.mktemp("examples")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        index = str(tmp / "index.sqlite")
        runner = CliRunner()
        json_run = runner.invoke(main, ["scan", "examples/", "--format", "json", "--index", index])
        html_run = runner.invoke(main, ["scan", "examples/", "--format", "html", "--index", index,
                                        "--output", str(tmp / "report.html")])
    assert json_run.exit_code == 1, json_run.output
    assert html_run.exit_code == 1 and html_run.output.startswith("8 findings"), html_run.output
    (tmp / "findings.json").write_text(json_run.stdout, encoding="utf-8")
    return json.loads(json_run.stdout), tmp / "report.html"


def _hostile_report() -> dict:
    """A report whose every scanned or pack-supplied string is an attack on the page."""
    return {
        "version": 1,
        "findings": [{
            "rule": "x/missing-attribution", "pack": f"x{HOSTILE}", "kind": "missing-attribution",
            "severity": "error", "path": f"site/{HOSTILE}.html", "line": 3, "column": 1, "end_line": 3,
            "end_column": 9, "message": f"content ({HOSTILE}) has no credit", "evidence": HOSTILE,
            "signal": HOSTILE,
            "source": {"path": f"wire/{HOSTILE}.txt", "line": 1, "end_line": 2, "words": 30, "share": 0.5,
                       "scanned_excerpt": f"a {{+{HOSTILE}+}} b", "source_excerpt": f"a [-{HOSTILE}-] b",
                       "scanned_passage": f"a {{+{HOSTILE}+}} b </script><script>window.pwned=4</script>",
                       "source_passage": f"a [-{HOSTILE}-] b"},
        }],
        "summary": {"files": 1, "skipped": 1, "findings": 1},
        "skipped": [{"path": HOSTILE, "reason": HOSTILE}],
        "packs": {f"x{HOSTILE}": {
            "name": HOSTILE, "terms": HOSTILE, "summary": HOSTILE, "url": "javascript:window.pwned=5",
            "signals": {HOSTILE: {"description": HOSTILE, "weight": 1}}, "threshold": 1,
            "credit": [{"id": HOSTILE, "description": HOSTILE, "forms": [{"signal": HOSTILE}, {"label": HOSTILE}]}],
            "quotation": {"max_passage_words": 20},
        }},
    }


def _assert_inert(page: str) -> None:
    """Only the report's own script, no event-handler attributes, no script URLs, no extra elements."""
    parsed = _Page(page)
    names = [tag for tag, _ in parsed.tags]
    assert names.count("script") == 1 and "img" not in names
    assert page.count("<script") == 1 and page.count("</script>") == 1
    for tag, attrs in parsed.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert not any("javascript:" in (v or "").lower() for a, v in attrs.items() if a in ("href", "src")), attrs
    assert "window.pwned" not in "".join(parsed.scripts)


def test_hostile_text_is_escaped_everywhere():
    page = render_html(_hostile_report())
    _assert_inert(page)
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;/script&gt;" in page
    assert "&quot;&#x27; onmouseover=&quot;window.pwned=3" in page
    # the reuse marks still become highlights, with the hostile word inside them escaped
    assert '<mark class="ins" title="only in the scanned text">&lt;script&gt;' in page
    assert '<mark class="del" title="only in the source">&lt;script&gt;' in page
    assert "Terms: <span" in page  # a non-http(s) terms URL is shown as text, never linked


def test_hostile_scanned_page_survives_the_whole_pipeline(cli, write, tmp_path):
    """A scanned HTML page with markup in its visible text, copied from a source that has a real <script> in
    it, under a file name that breaks attributes: evidence, excerpts and paths all carry the attack."""
    write("wire/afp-port.txt", """
        VARNA, Jan 18 (AFP) - Dockers at the port of Varna walked out on Monday over pay <script>window.pwned=1</script>
        halting container traffic for the third time this year, their union said on Tuesday.
    """)
    write('site/x"><img src=x onerror=alert(1)>.html', """
        <html><body><script>window.pwned = 9</script>
        <p>Dockers at the port of Varna walked out on Monday over pay &lt;script&gt;window.pwned=1&lt;/script&gt;
        stopping container traffic for the third time this year, their union said on Tuesday.</p>
        </body></html>
    """)
    args = ("scan", "site", "--sources", "wire", "--index", str(tmp_path / "index.sqlite"))
    result = cli(*args, "--format", "html", "--output", "report.html")
    assert result.exit_code == 1, result.output
    page = (tmp_path / "report.html").read_text("utf-8")
    assert "afp/quotation-limit" in page and "afp/missing-attribution" in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert 'x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.html' in page
    assert '<mark class="ins" title="only in the scanned text">stopping</mark>' in page
    _assert_inert(page)
    assert cli(*args, "--format", "json", "--output", "report.json").exit_code == 1
    assert "<script>window.pwned=1</script>" in (tmp_path / "report.json").read_text("utf-8")
    assert cli("report", "report.json", "-o", "again.html").exit_code == 0
    assert (tmp_path / "again.html").read_text("utf-8") == page


def test_report_is_self_contained(examples):
    _, report = examples
    page = report.read_text("utf-8")
    parsed = _Page(page)
    for tag, attrs in parsed.tags:
        assert not (tag == "link" and "stylesheet" in (attrs.get("rel") or "")), "external stylesheet"
        url = attrs.get("src") or attrs.get("href") or ""
        assert not (tag in ("script", "img", "iframe", "link") and re.match(r"(?i)(https?:)?//", url)), (tag, attrs)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page)
    scripts = [attrs for tag, attrs in parsed.tags if tag == "script"]
    assert scripts == [{}]  # one inline script, no src
    csp = next(attrs["content"] for tag, attrs in parsed.tags if attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp
    digest = base64.b64encode(hashlib.sha256(parsed.scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp  # the page's own script is the only one allowed to run


def test_every_finding_and_passage_is_in_the_report(examples):
    data, report = examples
    page = report.read_text("utf-8")
    rows = re.findall(r'<tbody class="finding" id="finding-(\d+)"[^>]*data-path="([^"]*)"', page)
    assert len(rows) == len(data["findings"]) == 8
    bodies = page.split('<tbody class="finding"')[1:]
    for finding, body in zip(data["findings"], bodies):
        assert f'data-pack="{finding["pack"]}"' in body and f"<code>{finding['rule']}</code>" in body
        assert f'{finding["path"]}</span>:{finding["line"]}:{finding["column"]}' in body
        assert ('class="sbs"' in body) == ("source" in finding)
    copied = bodies[0]  # 54 words from the AFP archive, "shifted" changed to "moved"
    assert "54 words reused (14% of the source)" in copied and "allows 20 words in one passage" in copied
    scanned, source = re.findall(r'<figure class="pane (?:scanned|source)">(.*?)</figure>', copied, re.S)
    assert '<mark class="ins" title="only in the scanned text">moved</mark>' in scanned
    assert '<mark class="del" title="only in the source">shifted</mark>' in source
    assert "said Grace Wanjiru" in scanned  # the whole passage, not the cut excerpt
    assert 'href="https://www.afp.com/en/terms-use"' in copied
    assert "Skipped files (1)" in page and "examples/sources" in page
    ferry = bodies[1]
    assert "Credit that would satisfy it" in ferry and "Identified by the signal <code>" in ferry
    share = bodies[7]  # two short passages that together take too much of one source: both are shown
    assert "33 words reused in 2 passages (13% of the source)" in share and share.count('class="sbs"') == 2
    assert "Share of the source: 13%, limit 10% (over the limit)" in share
    assert "swiss-watch-suppliers.html:25–25</span> (17 words)" in share


def test_json_report_carries_what_the_page_needs(examples):
    data, _ = examples
    assert set(data["packs"]) == {f["pack"] for f in data["findings"]}
    afp = data["packs"]["afp"]
    assert afp["url"].startswith("https://") and afp["summary"] and afp["terms"] == "all-rights-reserved"
    assert afp["licensed"] is True and data["packs"]["reuters"]["licensed"] is False
    assert afp["quotation"]["max_passage_words"] == 20 and afp["credit"][0]["forms"]
    assert all(form.get("signal") in afp["signals"] for form in afp["credit"][0]["forms"] if "signal" in form)
    signals = [(f["rule"], f.get("signal")) for f in data["findings"]]
    assert signals[0] == ("afp/missing-attribution", "reused-text")
    assert ("afp/missing-attribution", "front matter source") in signals
    assert all(s for _, s in signals)
    source = data["findings"][0]["source"]
    assert source["scanned_passage"].endswith("said Grace Wanjiru") and "[-shifted-]" in source["source_passage"]
    total = data["findings"][7]["source"]
    assert (total["total_words"], total["total_share"]) == (33, 0.1269)
    assert [(p["scanned_line"], p["line"], p["words"]) for p in total["passages"]] == [(22, 5, 16), (25, 11, 17)]


def test_report_command_renders_a_saved_json_report(examples, tmp_path, monkeypatch):
    _, report = examples
    monkeypatch.chdir(report.parent)
    result = CliRunner().invoke(main, ["report", "findings.json", "-o", str(tmp_path / "again.html")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again.html").read_text("utf-8") == report.read_text("utf-8")
    piped = CliRunner().invoke(main, ["report", "-"], input=(report.parent / "findings.json").read_text("utf-8"))
    assert piped.exit_code == 0 and piped.stdout.rstrip("\n") == report.read_text("utf-8").rstrip("\n")


def test_report_of_an_older_json_report_without_packs(examples):
    """A JSON report written before `packs`, `signal` and whole passages still renders, from the excerpts."""
    data, _ = examples
    old = json.loads(json.dumps(data))
    del old["packs"]
    for finding in old["findings"]:
        finding.pop("signal", None)
        for key in ("scanned_passage", "source_passage", "total_words", "total_share", "passages"):
            finding.get("source", {}).pop(key, None)
    page = render_html(old)
    assert page.count('<tbody class="finding"') == 8 and page.count('class="sbs"') == 2
    assert '<mark class="ins" title="only in the scanned text">moved</mark>' in page


@pytest.mark.parametrize("content, message", [
    (None, "findings.json: JSON report not found"),
    ("folder", "findings.json: is a folder, not a JSON report"),
    ('{"version": 1,\n "findings": [}', "findings.json:2: not valid JSON: Expecting value (column 15)"),
    ('{"version": 1, "findings": [{"rule": 3}]}', "findings.json: findings[0].rule: expected str"),
    ("[]", "findings.json: (top level): expected a JSON object"),
    (b"\xff\xfe{", "findings.json: not UTF-8 text"),
])
def test_report_command_bad_input_is_one_line_and_exit_2(cli, tmp_path, content, message):
    path = tmp_path / "findings.json"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = cli("report", "findings.json", "-o", "out.html")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"rightscheck: error: {message}") and result.stderr.count("\n") == 1
    assert not (tmp_path / "out.html").exists()


def test_empty_report_renders():
    page = render_html({"version": 1, "findings": [], "summary": {"files": 3}, "skipped": []})
    assert "No findings" in page and "0 findings in 3 files scanned." in page


# -- colours ------------------------------------------------------------------------------------------

# (text colour, background) pairs the stylesheet uses; WCAG AA asks 4.5:1 for normal text.
PAIRS = [("text", "bg"), ("muted", "bg"), ("text", "surface"), ("muted", "surface"), ("link", "bg"),
         ("link", "surface"), ("head-text", "head-bg"), ("error-text", "error-bg"), ("warning-text", "warning-bg"),
         ("info-text", "info-bg"), ("ins-text", "ins-bg"), ("del-text", "del-bg"), ("chip-on-text", "chip-on-bg"),
         ("chip-off-text", "chip-off-bg"), ("error-text", "bg"), ("warning-text", "bg"), ("info-text", "bg")]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_palette_passes_wcag_aa_contrast():
    palette = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6});", CSS.read_text("utf-8")))
    for fg, bg in PAIRS:
        light, dark = sorted((_luminance(palette[fg]), _luminance(palette[bg])), reverse=True)
        ratio = (light + 0.05) / (dark + 0.05)
        assert ratio >= 4.5, f"--{fg} on --{bg}: {ratio:.2f}:1"


# -- in a real browser ----------------------------------------------------------------------------------

def _chromium() -> str:
    exe = os.environ.get("RIGHTSCHECK_CHROMIUM") or next(
        (found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)
    if exe:
        return exe
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail("CI is set but no chromium is on PATH: .ci/run installs Debian's chromium for this test")
    pytest.skip("no chromium on PATH: install it (apt-get install chromium) to run the browser test of the report")


class _Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4), no Python package."""

    FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
             "--no-default-browser-check", "--remote-debugging-pipe"]

    def __init__(self, exe: str, profile: Path):
        to_browser, self._to = os.pipe()
        self._from, from_browser = os.pipe()

        def attach():  # in the child: the pipe ends on the fds Chromium reads and writes
            a, b = os.dup(to_browser), os.dup(from_browser)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen([exe, *self.FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     preexec_fn=attach, close_fds=False, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self._buffer, self._next, self.events, self.session = b"", 0, [], None
        try:
            target = self.call("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable")
        except BaseException:
            self.close()
            raise

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if not select.select([self._from], [], [], max(deadline - time.monotonic(), 0))[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from, 1 << 16)
            if not chunk:
                raise EOFError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, **params) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._to, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 10
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def open(self, url: str, width: int) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1,
                  mobile=width < 600)
        seen = len(self.events)
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 10
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events[seen:]):
            self.events.append(self._receive(deadline))

    def js(self, expression: str):
        reply = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise AssertionError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def click(self, selector: str) -> None:
        """A real (trusted) mouse click in the middle of the element."""
        x, y = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
                       "e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); "
                       "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def problems(self) -> list:
        """Console errors and warnings, uncaught exceptions, browser log errors (CSP, failed loads)."""
        out = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                out.append(params)
            elif method == "Runtime.exceptionThrown" or (
                    method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning")):
                out.append(params)
        return out

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._to)
            os.close(self._from)


VISIBLE = "[...document.querySelectorAll('tbody.finding')].filter(r => r.getClientRects().length).length"


def test_report_in_a_real_browser(examples, tmp_path):
    data, report = examples
    browser = _Browser(_chromium(), tmp_path / "profile")
    try:
        # wide: all rows, passages side by side, a filter click hides a pack's rows, sorting by file
        browser.open(report.as_uri(), 1280)
        assert browser.js("document.querySelectorAll('#findings-table tbody.finding').length") == 8
        assert browser.js(VISIBLE) == 8 and browser.js("document.getElementById('shown').textContent") == \
            "Showing 8 of 8 findings"
        panes = browser.js("[...document.querySelector('.sbs').children].map(p => { const r = "
                           "p.getBoundingClientRect(); return [r.left, r.right, r.top]; })")
        assert panes[1][0] >= panes[0][1] and panes[0][2] == panes[1][2]  # side by side
        reuters = sum(1 for f in data["findings"] if f["pack"] == "reuters")
        browser.click('button.chip[data-filter="pack"][data-value="reuters"]')
        assert browser.js(VISIBLE) == 8 - reuters
        assert browser.js("document.querySelector('tbody.finding[data-pack=\"reuters\"]').hidden") is True
        browser.click('button.chip[data-filter="severity"][data-value="error"]')
        assert browser.js(VISIBLE) == 0 and browser.js("document.getElementById('no-match').hidden") is False
        browser.click("#show-all")
        assert browser.js(VISIBLE) == 8
        browser.click("#sort-file")
        browser.click("#sort-file")  # second click: Z to A
        order = browser.js("[...document.querySelectorAll('tbody.finding')].map(r => r.dataset.path)")
        assert order == sorted((f["path"] for f in data["findings"]), reverse=True)
        # narrow (a phone): nothing wider than the screen, passages stacked
        browser.open(report.as_uri(), 390)
        assert browser.js("document.documentElement.scrollWidth") <= 390
        panes = browser.js("[...document.querySelector('.sbs').children].map(p => { const r = "
                           "p.getBoundingClientRect(); return [r.top, r.bottom]; })")
        assert panes[1][0] >= panes[0][1]
        assert browser.problems() == []
        assert [u for u in browser.requests() if not u.startswith(("file:", "data:"))] == []
        # hostile text stays text: nothing injected runs or becomes an element
        hostile = tmp_path / "hostile.html"
        hostile.write_text(render_html(_hostile_report()), encoding="utf-8")
        browser.open(hostile.as_uri(), 1280)
        assert browser.js("typeof window.pwned") == "undefined"
        assert browser.js("document.querySelectorAll('script').length") == 1
        assert browser.js("document.querySelectorAll('img').length") == 0
        assert browser.js("[...document.querySelectorAll('*')].some(e => [...e.attributes].some("
                          "a => a.name.startsWith('on')))") is False
        assert browser.js(VISIBLE) == 1  # and the page's own script still works
        assert browser.problems() == []
    finally:
        browser.close()


def test_report_command_rejects_badly_shaped_pack_credit(cli, write):
    for bad in ('{"credit": 5}', '{"credit": [{"forms": 7}]}', '{"credit": [3]}'):
        write("r.json", '{"version": 1, "findings": [], "packs": {"afp": ' + bad + '}}')
        result = cli("report", "r.json")
        assert result.exit_code == 2 and "internal error" not in result.output and "packs.afp.credit" in result.output
