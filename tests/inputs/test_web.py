"""Live pages fetched from a real HTTP server this test starts on 127.0.0.1 (there is no other network):
record fields, encodings, sitemaps, robots.txt, redirects, the failures a crawler meets, order and
politeness."""

from __future__ import annotations

import gzip
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rightscheck.inputs import web
from rightscheck.inputs.base import Record, Skipped
from rightscheck.inputs.base import is_url
from rightscheck.inputs.web import WebOptions, fetch_pages, read_url_list

AGENT = "rightscheck/0.1.0 (+https://github.com/rightscheck/rightscheck)"
# Our group allows all but /private; every other crawler is kept out: the product token must match.
ROBOTS = b"User-agent: rightscheck\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n"
PAGE = b"<!doctype html><p>Reporting by the wire desk.</p>"


def options(**changes) -> WebOptions:
    """Fast options for tests: no interval unless a test is about it, short deadlines."""
    return WebOptions(**{"user_agent": AGENT, "limit": 100_000, "per_host_interval": 0.0, "deadline": 5.0,
                         **changes})


class Site:
    """A ThreadingHTTPServer whose routes a test sets: path -> handler(request). It logs each request's
    path, arrival time and user agent, and how many run at once."""

    def __init__(self, host: str = "127.0.0.1"):
        self.routes = {"/robots.txt": lambda r: r.reply(ROBOTS, "text/plain")}
        self.log: list[tuple[str, float, str]] = []
        self.in_flight = self.most_in_flight = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, body: bytes, ctype: str | None = "text/html", status: int = 200, **headers):
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                with site.lock:
                    site.log.append((self.path, time.monotonic(), self.headers.get("User-Agent", "")))
                    site.in_flight += 1
                    site.most_in_flight = max(site.most_in_flight, site.in_flight)
                try:
                    site.routes.get(self.path, lambda r: r.reply(b"not here", "text/plain", 404))(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading, as it should
                finally:
                    with site.lock:
                        site.in_flight -= 1

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def requests(self, path: str) -> int:
        return sum(1 for logged, _, _ in self.log if logged == path)

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def site():
    served = Site()
    yield served
    served.close()


def fetch(urls, **changes) -> list[Record | Skipped]:
    return list(fetch_pages(urls, options(**changes)))


def urlset(*locs: str) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>").encode()


def sitemapindex(*locs: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>').encode()


# --- documents ----------------------------------------------------------------------------------------


def test_an_html_page_is_a_record_with_its_url_status_and_fetch_time(site):
    site.routes["/story"] = lambda r: r.reply(PAGE, "text/html")
    [record] = fetch([site.url("/story")])
    assert isinstance(record, Record)
    assert (record.path, record.kind, record.data, record.charset) == (site.url("/story"), "html", PAGE, None)
    assert set(record.record) == {"uri", "status", "fetched"}
    assert (record.record["uri"], record.record["status"]) == (site.url("/story"), 200)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record.record["fetched"])
    assert {agent for _, _, agent in site.log} == {AGENT}


def test_the_content_type_gives_kind_and_charset_and_the_bytes_are_left_undecoded(site):
    latin = "Crédit: l'agence".encode("iso-8859-1")
    site.routes["/latin.txt"] = lambda r: r.reply(latin, 'text/plain; charset="ISO-8859-1"')
    site.routes["/notes"] = lambda r: r.reply(b"# Notes\n", "text/markdown; charset=utf-8")
    site.routes["/x"] = lambda r: r.reply(PAGE, "application/xhtml+xml")
    text, markdown, xhtml = fetch([site.url("/latin.txt"), site.url("/notes"), site.url("/x")])
    assert (text.kind, text.data, text.charset) == ("text", latin, "ISO-8859-1")
    assert (markdown.kind, markdown.charset) == ("markdown", "utf-8")
    assert xhtml.kind == "html"


def test_a_page_without_content_type_is_sniffed(site):
    site.routes["/bare"] = lambda r: r.reply(PAGE, None)
    [record] = fetch([site.url("/bare")])
    assert (record.kind, record.data) == ("html", PAGE)


def test_a_gzip_content_encoding_is_removed(site):
    site.routes["/gz"] = lambda r: r.reply(gzip.compress(PAGE), "text/html", Content_Encoding="gzip")
    [record] = fetch([site.url("/gz")])
    assert record.data == PAGE


def test_a_gzip_bomb_is_cut_at_the_limit_not_inflated(site):
    bomb = gzip.compress(b"a" * 50_000_000)  # 50 MB inflated from about 50 KB
    site.routes["/bomb"] = lambda r: r.reply(bomb, "text/html", Content_Encoding="gzip")
    [skip] = fetch([site.url("/bomb")])
    assert (skip.reason, skip.problem) == ("larger than max_file_size (100000 bytes)", True)


def test_a_non_text_page_is_skipped_by_design(site):
    site.routes["/photo"] = lambda r: r.reply(b"\x89PNG\r\n\x1a\n", "image/png")
    [skip] = fetch([site.url("/photo")])
    assert (skip.reason, skip.problem, skip.record["status"]) == ("not text (image/png)", False, 200)


@pytest.mark.parametrize("status", [404, 500])
def test_an_http_error_is_a_problem_skip(site, status):
    site.routes["/gone"] = lambda r: r.reply(b"no", "text/html", status)
    [skip] = fetch([site.url("/gone")])
    assert (skip.reason, skip.problem, skip.record["status"]) == (f"HTTP {status}", True, status)


# --- limits and failures ------------------------------------------------------------------------------


def test_a_body_without_end_is_cut_at_the_limit(site):
    def endless(request):  # "5 GB": it would go on for as long as anyone reads
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.end_headers()
        chunk = b"x" * 65536
        while not site.stop.is_set():
            request.wfile.write(chunk)

    site.routes["/huge"] = endless
    [skip] = fetch([site.url("/huge")])
    assert (skip.path, skip.reason, skip.problem) == (site.url("/huge"), "larger than max_file_size (100000 bytes)",
                                                      True)


def test_a_declared_length_over_the_limit_is_skipped_unread(site):
    site.routes["/long"] = lambda r: r.reply(b"x" * 100_001, "text/plain")
    [skip] = fetch([site.url("/long")])
    assert skip.reason == "larger than max_file_size (100001 > 100000 bytes)"


def test_a_page_exactly_at_the_limit_is_read(site):
    site.routes["/full"] = lambda r: r.reply(b"x" * 1000, "text/plain")
    [record] = fetch([site.url("/full")], limit=1000)
    assert len(record.data) == 1000


def test_a_server_that_never_answers_is_given_up_at_the_deadline():
    with socket.socket() as mute:  # the kernel accepts connections; nobody ever reads or answers
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        url = f"http://127.0.0.1:{mute.getsockname()[1]}/page"
        started = time.monotonic()
        skips = fetch([url], deadline=0.5, respect_robots=False) + fetch([url], deadline=0.5)  # robots.txt hangs
        took = time.monotonic() - started
    assert [(s.reason, s.problem) for s in skips] == [("not fetched within the deadline (0.5 s)", True)] * 2
    assert took < 5  # two half-second deadlines, with room for a slow machine; never the 10 s read timeout


def test_a_server_that_drips_bytes_is_given_up_at_the_deadline(site):
    def drip(request):
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.end_headers()
        while not site.stop.wait(0.1):
            request.wfile.write(b"x")
            request.wfile.flush()

    site.routes["/drip"] = drip
    [skip] = fetch([site.url("/drip")], deadline=0.6)
    assert skip.reason == "not fetched within the deadline (0.6 s)"


def test_a_refused_connection_and_an_unknown_host_are_one_line_skips():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    no_port, no_host = fetch([refused, "http://no-such-host.invalid/page"])
    assert (no_port.reason, no_port.problem) == ("cannot connect: Connection refused", True)
    assert no_host.reason.startswith("cannot connect: ") and "\n" not in no_host.reason


def test_only_http_and_https_urls_are_fetched():
    skips = fetch(["file:///etc/passwd", "ftp://ftp.example.org/story.txt", "data:text/plain,hello"])
    assert [(s.path, s.reason, s.problem) for s in skips] == [
        ("file:///etc/passwd", "only http and https URLs are fetched", True),
        ("ftp://ftp.example.org/story.txt", "only http and https URLs are fetched", True),
        ("data:text/plain,hello", "only http and https URLs are fetched", True)]


# --- redirects ----------------------------------------------------------------------------------------


def test_a_redirect_chain_is_followed_to_the_final_url(site):
    site.routes["/old"] = lambda r: r.reply(b"", None, 301, Location="/moved")
    site.routes["/moved"] = lambda r: r.reply(b"", None, 302, Location=site.url("/story"))
    site.routes["/story"] = lambda r: r.reply(PAGE, "text/html")
    [record] = fetch([site.url("/old")])
    assert record.path == site.url("/old")
    assert (record.record["uri"], record.record["requested"]) == (site.url("/story"), site.url("/old"))


def test_a_redirect_loop_is_skipped_after_max_redirects(site):
    site.routes["/loop"] = lambda r: r.reply(b"", None, 302, Location="/loop")
    [skip] = fetch([site.url("/loop")])
    assert (skip.reason, skip.problem) == ("too many redirects (5)", True)
    assert site.requests("/loop") == 6  # the request and five redirects followed


def test_a_redirect_to_another_scheme_is_refused(site):
    site.routes["/away"] = lambda r: r.reply(b"", None, 302, Location="file:///etc/passwd")
    [skip] = fetch([site.url("/away")])
    assert skip.reason == "redirected to a non-HTTP URL (file:///etc/passwd)"


def test_a_redirect_into_a_disallowed_path_is_checked_against_robots(site):
    site.routes["/teaser"] = lambda r: r.reply(b"", None, 302, Location="/private/story")
    [skip] = fetch([site.url("/teaser")])
    assert (skip.reason, skip.problem, skip.record["uri"]) == ("disallowed by robots.txt", False,
                                                                site.url("/private/story"))
    assert site.requests("/private/story") == 0


# --- robots.txt ---------------------------------------------------------------------------------------


def test_robots_txt_is_read_once_and_its_disallow_honoured(site):
    site.routes["/a"] = site.routes["/b"] = lambda r: r.reply(PAGE, "text/html")
    allowed, disallowed, other = fetch([site.url("/a"), site.url("/private/x"), site.url("/b")])
    assert isinstance(allowed, Record) and isinstance(other, Record)
    assert (disallowed.reason, disallowed.problem) == ("disallowed by robots.txt", False)
    assert site.requests("/robots.txt") == 1 and site.requests("/private/x") == 0


def test_robots_txt_can_be_ignored(site):
    site.routes["/private/x"] = lambda r: r.reply(PAGE, "text/html")
    [record] = fetch([site.url("/private/x")], respect_robots=False)
    assert isinstance(record, Record) and site.requests("/robots.txt") == 0


def test_no_robots_txt_allows_all_and_a_failing_one_disallows_the_host(site):
    site.routes["/robots.txt"] = lambda r: r.reply(b"", None, 404)
    site.routes["/private/x"] = lambda r: r.reply(PAGE, "text/html")
    assert isinstance(fetch([site.url("/private/x")])[0], Record)
    site.routes["/robots.txt"] = lambda r: r.reply(b"busy", "text/plain", 503)
    [skip] = fetch([site.url("/private/x")])
    assert (skip.reason, skip.problem) == ("robots.txt unreachable (HTTP 503): host treated as disallowed", True)


def test_a_crawl_delay_larger_than_the_interval_spaces_requests(site):
    site.routes["/robots.txt"] = lambda r: r.reply(b"User-agent: *\nCrawl-delay: 1\n", "text/plain")
    site.routes["/a"] = site.routes["/b"] = lambda r: r.reply(PAGE, "text/html")
    fetch([site.url("/a"), site.url("/b")], concurrency=4)
    starts = [at for _, at, _ in site.log]  # robots.txt, /a, /b
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:])]
    assert min(gaps) > 0.7, gaps  # a 1 s delay, with a wide margin for a busy machine


# --- sitemaps -----------------------------------------------------------------------------------------


def test_a_sitemap_is_replaced_by_its_pages_in_its_order(site):
    site.routes["/sitemap.xml"] = lambda r: r.reply(urlset(site.url("/b"), site.url("/a"), site.url("/private/c")),
                                                    "application/xml")
    site.routes["/a"] = site.routes["/b"] = lambda r: r.reply(PAGE, "text/html")
    results = fetch([site.url("/sitemap.xml")])
    assert [(type(r).__name__, r.path) for r in results] == [
        ("Record", site.url("/b")), ("Record", site.url("/a")), ("Skipped", site.url("/private/c"))]
    assert results[0].record["sitemap"] == site.url("/sitemap.xml")


def test_a_sitemap_index_expands_to_its_sitemaps_plain_and_gzipped(site):
    site.routes["/sitemap_index.xml"] = lambda r: r.reply(
        sitemapindex(site.url("/news.xml"), site.url("/archive.xml.gz")), "text/xml")
    site.routes["/news.xml"] = lambda r: r.reply(urlset(site.url("/n1"), site.url("/n2")), "application/xml")
    site.routes["/archive.xml.gz"] = lambda r: r.reply(gzip.compress(urlset(site.url("/old1"))),
                                                       "application/x-gzip")
    for path in ("/n1", "/n2", "/old1"):
        site.routes[path] = lambda r: r.reply(PAGE, "text/html")
    results = fetch([site.url("/sitemap_index.xml")], concurrency=4)
    assert [r.path for r in results] == [site.url("/n1"), site.url("/n2"), site.url("/old1")]
    assert all(isinstance(r, Record) for r in results)


def test_a_sitemap_over_the_url_cap_is_cut_with_a_skip(site, monkeypatch):
    monkeypatch.setattr(web, "MAX_SITEMAP_URLS", 2)
    site.routes["/sitemap.xml"] = lambda r: r.reply(urlset(*(site.url(f"/p{i}") for i in range(5))), "text/xml")
    for i in range(5):
        site.routes[f"/p{i}"] = lambda r: r.reply(PAGE, "text/html")
    cut, first, second = fetch([site.url("/sitemap.xml")])
    assert cut.path == site.url("/sitemap.xml") and cut.reason.startswith("sitemap cut: only the first 2 URLs")
    assert [first.path, second.path] == [site.url("/p0"), site.url("/p1")]
    assert site.requests("/p2") == 0


def test_a_broken_sitemap_keeps_the_urls_before_the_error_and_says_where(site):
    body = urlset(site.url("/a")).replace(b"</urlset>", b"<url><loc>x</url>")
    site.routes["/sitemap.xml"] = lambda r: r.reply(body, "application/xml")
    site.routes["/a"] = lambda r: r.reply(PAGE, "text/html")
    broken, page = fetch([site.url("/sitemap.xml")])
    assert re.fullmatch(r"bad sitemap: XML error at line 2, column \d+", broken.reason) and broken.problem
    assert page.path == site.url("/a")


def test_a_sitemap_with_entity_declarations_is_refused(site):
    bomb = b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">]><urlset>&a;</urlset>'
    site.routes["/sitemap.xml"] = lambda r: r.reply(bomb, "application/xml")
    [skip] = fetch([site.url("/sitemap.xml")])
    assert skip.reason.startswith("XML refused: EntitiesForbidden") and skip.problem


def test_an_empty_sitemap_says_so(site):
    site.routes["/sitemap.xml"] = lambda r: r.reply(urlset(), "application/xml")
    [skip] = fetch([site.url("/sitemap.xml")])
    assert (skip.reason, skip.problem) == ("sitemap lists no URLs", False)


def test_an_xml_body_that_is_no_sitemap_is_not_text(site):
    site.routes["/feed"] = lambda r: r.reply(b'<?xml version="1.0"?><rss><channel/></rss>', "application/rss+xml")
    [skip] = fetch([site.url("/feed")])
    assert (skip.reason, skip.problem) == ("not text (application/rss+xml)", False)


# --- order, duplicates, politeness ----------------------------------------------------------------------


def test_each_url_is_fetched_once_even_when_a_sitemap_lists_it_again(site):
    site.routes["/a"] = site.routes["/b"] = lambda r: r.reply(PAGE, "text/html")
    site.routes["/sitemap.xml"] = lambda r: r.reply(urlset(site.url("/a"), site.url("/b")), "text/xml")
    results = fetch([site.url("/a"), site.url("/a"), f" {site.url('/sitemap.xml')} ", site.url("/a")])
    assert [r.path for r in results] == [site.url("/a"), site.url("/b")]
    assert site.requests("/a") == 1


def test_results_come_in_input_order_while_fetches_overlap(site):
    def slow(delay: float):
        def answer(request):
            time.sleep(delay)
            request.reply(PAGE, "text/html")
        return answer

    paths = [f"/p{i}" for i in range(8)]
    for i, path in enumerate(paths):
        site.routes[path] = slow(0.3 - 0.04 * i)  # the first is the slowest to answer
    results = fetch([site.url(p) for p in paths], concurrency=4)
    assert [r.path for r in results] == [site.url(p) for p in paths]
    assert all(isinstance(r, Record) for r in results)
    assert site.most_in_flight > 1


def test_requests_to_one_host_start_at_least_the_interval_apart(site):
    for i in range(4):
        site.routes[f"/p{i}"] = lambda r: r.reply(PAGE, "text/html")
    fetch([site.url(f"/p{i}") for i in range(4)], concurrency=4, per_host_interval=0.4)
    starts = [at for _, at, _ in site.log]  # robots.txt and the four pages
    assert len(starts) == 5
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:])]
    assert min(gaps) > 0.25, gaps  # 0.4 s asked: wide margin for when the server saw each request


def test_closing_the_generator_early_does_not_wait_for_slow_fetches(site):
    site.routes["/a"] = lambda r: r.reply(PAGE, "text/html")
    site.routes["/slow"] = lambda r: site.stop.wait(10)
    pages = fetch_pages([site.url("/a"), site.url("/slow")], options(deadline=20))
    started = time.monotonic()
    assert isinstance(next(pages), Record)
    pages.close()
    assert time.monotonic() - started < 5


# --- arguments ----------------------------------------------------------------------------------------


def test_is_url_takes_any_scheme_in_any_case_and_leaves_paths_alone():
    assert is_url("https://example.org/a") and is_url("HTTP://example.org") and is_url("Https://x")
    assert is_url("ftp://example.org") and is_url("file:///etc/passwd")  # refused by the fetcher, with a reason
    assert not is_url("stories/http://x.html") and not is_url("http:/x") and not is_url("C:\\stories")


def test_a_url_list_skips_blank_lines_and_comments(tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_bytes(b"\xef\xbb\xbf# front page\nhttps://example.org/\n\n  https://example.org/a  \r\n#x\n")
    assert read_url_list(str(listing)) == ["https://example.org/", "https://example.org/a"]


def test_a_url_list_that_is_not_utf8_is_an_os_error(tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_bytes(b"https://example.org/\xff\n")
    with pytest.raises(OSError, match="not UTF-8 text"):
        read_url_list(str(listing))
    with pytest.raises(OSError):
        read_url_list(str(tmp_path / "missing.txt"))
