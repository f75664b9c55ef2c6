"""Live web pages as documents: ``rightscheck scan https://example.org/story`` or ``--urls FILE``.

A republished story is checked where readers see it, so pages are fetched as a polite crawler would:
robots.txt honoured, one host never hit faster than an interval, each fetch bounded in time and size, a
sitemap expanded to its pages. Every failure (a refused connection, a hung or dripping server, a 404, an
endless body, a redirect loop) is a :class:`Skipped` with a one-line reason, never a hang or a traceback.

Fetches run on httpx's async client in one background thread: ``asyncio.wait_for`` cancels a request
that is past its deadline wherever it is blocked (DNS, connect, a read that drips a byte at a time),
which a blocking socket in a worker thread cannot promise. Results are handed back in input order."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import threading
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.robotparser import RobotFileParser
from xml.etree.ElementTree import ParseError

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from rightscheck.inputs.base import MEDIA_KINDS, Record, Skipped, media_type, sniff_kind

# Media types a sitemap is served as (plain or gzipped); the body decides whether it is one.
_SITEMAP_TYPES = {"application/xml", "text/xml", "application/gzip", "application/x-gzip",
                  "application/octet-stream"}
_REDIRECTS = {301, 302, 303, 307, 308}

# The sitemap protocol's own limits: 50,000 URLs and 50 MB (uncompressed) per file. The URL cap also
# bounds one given URL's whole expansion (an index of 1,000 full sitemaps is 50 million pages: at a
# polite 2 pages a second that is most of a year, so the rest is cut with a skip that says so).
MAX_SITEMAP_URLS = 50_000
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
# Levels of sitemaps expanded: an index lists sitemaps, which list pages; a third level tolerates an
# index of indexes, which the protocol does not allow but sites publish.
MAX_SITEMAP_LEVELS = 3
# RFC 9309: a crawler must read at least 500 KiB of robots.txt and may ignore the rest.
MAX_ROBOTS_BYTES = 512 * 1024
# A Crawl-delay is honoured up to here: a site asking for an hour between pages would stall a scan for
# days; a minute is already far politer than the default interval.
MAX_CRAWL_DELAY = 60.0


@dataclass(frozen=True)
class WebOptions:
    """How pages are fetched.

    ``user_agent`` names us to servers and in robots.txt (its product token, ``rightscheck``, is what
    robots.txt rules are matched against). ``limit`` is the user's max_file_size: a body longer than
    that, after Content-Encoding is removed, is skipped and never held whole.

    Defaults: ``timeout`` 10 s for a connect or a read, ample for a live server. ``deadline`` 30 s for
    everything one page takes (robots.txt, each redirect hop, the body; not the wait for its turn at
    the host), so a server that drips a byte a second cannot hold a scan. ``concurrency`` 8 requests in
    flight: enough to hide network latency across hosts, no burden on our side. ``per_host_interval``
    0.5 s between request starts at one host (at most two a second, a common polite-crawler rate;
    robots.txt's Crawl-delay raises it). ``max_redirects`` 5, the number RFC 9309 asks crawlers to
    follow for robots.txt; real chains are shorter, longer ones are loops."""

    user_agent: str
    limit: int
    timeout: float = 10.0
    deadline: float = 30.0
    concurrency: int = 8
    per_host_interval: float = 0.5
    max_redirects: int = 5
    respect_robots: bool = True


def read_url_list(fs_path: str) -> list[str]:
    """The URLs of a ``--urls FILE``: one a line, blank lines and ``#`` comment lines ignored. Raises
    OSError when the file cannot be read, or is not UTF-8 (with the byte offset, EILSEQ)."""
    with open(fs_path, "rb") as handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OSError(errno.EILSEQ, f"not UTF-8 text (byte {exc.start})", fs_path) from None
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def fetch_pages(urls: Iterable[str], options: WebOptions) -> Iterator[Record | Skipped]:
    """Fetch each URL once (later duplicates, also those a sitemap lists again, are dropped) and yield a
    Record or a Skipped for each, in the order of ``urls``; a sitemap yields its pages' results in its
    place. Up to ``options.concurrency`` fetches run at once and at most twice that many are started
    ahead of the result being yielded (per level of sitemap being expanded), so memory stays a few
    bodies deep however long the list. Nothing runs until the first result is asked for, and closing
    the generator early cancels what is in flight.

    A Record's ``path`` is the URL as given (or as its sitemap lists it), its ``kind`` and ``charset``
    come from the Content-Type (no Content-Type: sniffed), its ``data`` is the body with
    Content-Encoding removed, and its ``record`` is ``{"uri": final URL, "status", "fetched": UTC ISO
    8601}``, with ``"requested"`` when redirects led elsewhere and ``"sitemap"`` when a sitemap listed
    it."""
    fetcher = _Fetcher(options)
    try:
        yield from _in_order(urls, fetcher, 2 * max(1, options.concurrency))
    finally:
        fetcher.close()


# --- ordering -------------------------------------------------------------------------------------


@dataclass
class _Budget:
    """URLs one given URL's sitemaps may still list: shared by every sitemap under it."""

    left: int = field(default_factory=lambda: MAX_SITEMAP_URLS)


@dataclass
class _Job:
    future: Future
    depth: int
    budget: _Budget


@dataclass
class _Sitemap:
    """A fetched sitemap: the URLs it lists (at most the cap it was read with), whether it had more than
    that, and the problem that stopped reading it early, if any."""

    url: str
    locs: list[str]
    more: bool
    problem: str | None


def _in_order(urls: Iterable[str], fetcher: _Fetcher, window: int) -> Iterator[Record | Skipped]:
    """Yield results in input order while fetches run ahead. ``queue`` is the output order still to come:
    started jobs and sources of URLs not yet started (the input, the pages of an expanded sitemap). A
    sitemap's pages go to the front, before jobs already started for URLs after it; new jobs are taken
    from the first source while fewer than ``window`` jobs stand before it."""
    seen: set[str] = set()
    queue: deque[_Job | Iterator[tuple[str, int, _Budget, str | None]]] = deque()
    queue.append((url, 0, _Budget(), None) for url in urls)

    def fill() -> None:
        while True:
            index = next((i for i, entry in enumerate(queue) if not isinstance(entry, _Job)), None)
            if index is None or index >= window:
                return
            item = next(queue[index], None)
            if item is None:
                del queue[index]
                continue
            url, depth, budget, sitemap = item
            url = url.strip()
            if url and url not in seen:
                seen.add(url)
                queue.insert(index, _Job(fetcher.start(url, budget.left, sitemap), depth, budget))

    fill()
    while queue:
        job = queue.popleft()
        assert isinstance(job, _Job)  # fill() leaves a job at the front of a non-empty queue
        result = job.future.result()
        if isinstance(result, _Sitemap):
            yield from _expand(result, job, queue)
        else:
            yield result
        fill()


def _expand(sitemap: _Sitemap, job: _Job, queue: deque) -> Iterator[Skipped]:
    """Put a sitemap's URLs at the front of the queue (as far as its given URL's budget allows) and yield
    the skips that say it was cut or could not be read whole."""
    record = {"uri": sitemap.url}
    if job.depth >= MAX_SITEMAP_LEVELS:
        yield Skipped(sitemap.url, f"sitemaps nested more than {MAX_SITEMAP_LEVELS} levels deep: not expanded",
                      record=record)
        return
    take = sitemap.locs[:job.budget.left]
    job.budget.left -= len(take)
    if sitemap.more or len(take) < len(sitemap.locs):
        yield Skipped(sitemap.url, f"sitemap cut: only the first {MAX_SITEMAP_URLS} URLs of a sitemap "
                      f"(with the sitemaps under it) are fetched", record=record)
    if sitemap.problem:
        yield Skipped(sitemap.url, sitemap.problem, record=record)
    elif not sitemap.locs:
        yield Skipped(sitemap.url, "sitemap lists no URLs", problem=False, record=record)
    queue.appendleft((loc, job.depth + 1, job.budget, sitemap.url) for loc in take)


# --- fetching -------------------------------------------------------------------------------------


class _Late(Exception):
    """A page's deadline passed."""


class _Clock:
    """The time one page's own network work has taken: robots.txt, each hop's request and body. Waits
    for a turn at a host are not counted, so a slow host's queue does not eat a page's deadline."""

    def __init__(self, deadline: float):
        self.left = deadline

    async def within(self, awaitable):
        if self.left <= 0:
            raise _Late
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            return await asyncio.wait_for(awaitable, self.left)
        except asyncio.TimeoutError:
            raise _Late from None
        finally:
            self.left -= loop.time() - start


@dataclass
class _Host:
    """Politeness state of one host name: request starts are serialised and spaced by ``interval``."""

    lock: asyncio.Lock
    interval: float
    next_start: float = 0.0


@dataclass
class _Rules:
    """A host's robots.txt verdict: its parsed rules, or why it is treated as disallowing everything."""

    parser: RobotFileParser | None
    unavailable: str | None = None


@dataclass
class _Redirect:
    """A redirect to follow: the resolved URL, and the Location as the server wrote it (for messages)."""

    location: httpx.URL
    said: str


class _Fetcher:
    """The event loop thread, the shared client, and per-host politeness state."""

    def __init__(self, options: WebOptions):
        self.options = options
        self.token = options.user_agent.split("/", 1)[0].split(" ", 1)[0] or options.user_agent
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(
            headers={"User-Agent": options.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(options.timeout), follow_redirects=False,
            limits=httpx.Limits(max_connections=max(1, options.concurrency),
                                max_keepalive_connections=max(1, options.concurrency)))
        self.slots = asyncio.Semaphore(max(1, options.concurrency))
        self.hosts: dict[str, _Host] = {}
        self.robots: dict[tuple[str, str, int], asyncio.Task] = {}
        self.thread = threading.Thread(target=self.loop.run_forever, name="rightscheck-web", daemon=True)
        self.thread.start()

    def start(self, url: str, cap: int, sitemap: str | None) -> Future:
        """Begin fetching ``url`` (a sitemap there is read for at most ``cap`` URLs)."""
        return asyncio.run_coroutine_threadsafe(self._job(url, cap, sitemap), self.loop)

    def close(self) -> None:
        """Cancel what is in flight, close the connections and stop the loop thread."""
        async def shutdown() -> None:
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.client.aclose()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(timeout=5)
        except Exception:  # noqa: BLE001 - closing must not raise over the caller's own exception
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        if not self.thread.is_alive():
            self.loop.close()

    async def _job(self, given: str, cap: int, sitemap: str | None) -> Record | Skipped | _Sitemap:
        """One given URL to its result; every error becomes a Skipped here."""
        where = {"uri": given}
        try:
            return await self._page(given, cap, sitemap, where)
        except _Late:
            return Skipped(given, f"not fetched within the deadline ({self.options.deadline:g} s)",
                           record=where)
        except httpx.ConnectTimeout:
            return Skipped(given, f"cannot connect: timed out after {self.options.timeout:g} s", record=where)
        except httpx.TimeoutException:
            return Skipped(given, f"no answer within {self.options.timeout:g} s", record=where)
        except httpx.ConnectError as exc:
            return Skipped(given, f"cannot connect: {_cause(exc)}", record=where)
        except httpx.InvalidURL as exc:
            return Skipped(given, f"not a URL: {exc}", record=where)
        except httpx.HTTPError as exc:
            return Skipped(given, f"cannot fetch: {_cause(exc)}", record=where)
        except Exception as exc:  # noqa: BLE001 - a fetch never raises out of the reader
            return Skipped(given, f"cannot fetch: {type(exc).__name__}: {exc}", record=where)

    async def _page(self, given: str, cap: int, sitemap: str | None, where: dict):
        """Follow ``given`` hop by hop: each hop's scheme and robots.txt checked, each request spaced at
        its host. ``where`` is kept pointing at the current hop for the skip an error becomes."""
        clock = _Clock(self.options.deadline)
        url, said = httpx.URL(given), given
        for hop in range(self.options.max_redirects + 1):
            where["uri"] = str(url) if hop else given
            if url.scheme not in ("http", "https"):
                reason = ("only http and https URLs are fetched" if hop == 0
                          else f"redirected to a non-HTTP URL ({said})")
                return Skipped(given, reason, record=dict(where))
            if not url.host:
                return Skipped(given, "not a URL: no host", record=dict(where))
            if self.options.respect_robots:
                refusal = await self._refusal(url, clock)
                if refusal is not None:
                    return Skipped(given, refusal[0], problem=refusal[1], record=dict(where))
            async with self._turn(url.host):
                outcome = await clock.within(self._exchange(given, url, cap, sitemap))
            if not isinstance(outcome, _Redirect):
                return outcome
            url, said = outcome.location, outcome.said
        return Skipped(given, f"too many redirects ({self.options.max_redirects})", record=dict(where))

    @contextlib.asynccontextmanager
    async def _turn(self, host: str):
        """Wait for this host's next start time, then for a free slot: starts at one host are spaced by
        its interval however many tasks want it, while other hosts go on in parallel."""
        state = self._host(host)
        async with state.lock:
            loop = asyncio.get_running_loop()
            delay = state.next_start - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.slots.acquire()
            state.next_start = loop.time() + state.interval
        try:
            yield
        finally:
            self.slots.release()

    def _host(self, host: str) -> _Host:
        if host not in self.hosts:
            self.hosts[host] = _Host(asyncio.Lock(), self.options.per_host_interval)
        return self.hosts[host]

    async def _refusal(self, url: httpx.URL, clock: _Clock) -> tuple[str, bool] | None:
        """Why robots.txt keeps us from ``url`` (reason, problem), or None when it may be fetched. One
        fetch per scheme, host and port, shared by every page there."""
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        if origin not in self.robots:
            self.robots[origin] = asyncio.get_running_loop().create_task(self._fetch_robots(url))
        rules = await clock.within(asyncio.shield(self.robots[origin]))
        if rules.unavailable:
            return rules.unavailable, True
        if rules.parser is not None and not rules.parser.can_fetch(self.token, str(url)):
            return "disallowed by robots.txt", False
        return None

    async def _fetch_robots(self, page: httpx.URL) -> _Rules:
        """The host's robots.txt, read as RFC 9309 says: a 4xx (no file) allows everything; a 5xx, a 429
        or no answer at all disallows everything, since a server that cannot serve robots.txt may be
        failing under load, and this way a dead or hung host costs one deadline, not one per page."""
        url = page.join("/robots.txt")
        clock = _Clock(self.options.deadline)
        try:
            for _ in range(self.options.max_redirects + 1):
                if url.scheme not in ("http", "https"):
                    break
                async with self._turn(url.host):
                    outcome = await clock.within(self._robots_exchange(url))
                if isinstance(outcome, _Redirect):
                    url = outcome.location
                    continue
                if isinstance(outcome, RobotFileParser):
                    delay = outcome.crawl_delay(self.token)
                    if delay:  # the next request waits the delay too, counted from robots.txt's own
                        state = self._host(page.host)
                        longer = max(state.interval, min(float(delay), MAX_CRAWL_DELAY))
                        state.next_start += longer - state.interval
                        state.interval = longer
                    return _Rules(outcome)
                return _Rules(None, outcome)
            return _Rules(None)  # redirected away or too often: RFC 9309 lets that count as no file
        except _Late:
            why = f"no answer within the deadline ({self.options.deadline:g} s)"
        except httpx.ConnectError as exc:  # the page is on the same host and port: say so plainly
            return _Rules(None, f"cannot connect: {_cause(exc)}")
        except httpx.TimeoutException:
            why = f"no answer within {self.options.timeout:g} s"
        except Exception as exc:  # noqa: BLE001 - any failure is "unreachable"
            why = _cause(exc)
        return _Rules(None, f"robots.txt unreachable ({why}): host treated as disallowed")

    async def _robots_exchange(self, url: httpx.URL) -> RobotFileParser | _Redirect | str | None:
        """One robots.txt request: parsed rules, a redirect, None for no file (allow all), or why the
        host is treated as disallowed."""
        async with self.client.stream("GET", url) as response:
            status = response.status_code
            if status in _REDIRECTS and response.headers.get("location"):
                return _Redirect(url.join(response.headers["location"]), response.headers["location"])
            if status == 429 or status >= 500:
                return f"robots.txt unreachable (HTTP {status}): host treated as disallowed"
            if status >= 300:
                return None
            body, _ = await _read(response, MAX_ROBOTS_BYTES)
        parser = RobotFileParser()
        parser.parse(body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace").splitlines())
        return parser

    async def _exchange(self, given: str, url: httpx.URL, cap: int, sitemap: str | None):
        """One request for a page: a redirect to follow, a Record, a Skipped, or a read sitemap."""
        async with self.client.stream("GET", url) as response:
            status = response.status_code
            if status in _REDIRECTS and response.headers.get("location"):
                return _Redirect(url.join(response.headers["location"]), response.headers["location"])
            where = {"uri": str(url), "status": status,
                     "fetched": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")}
            if given != str(url):
                where["requested"] = given
            if sitemap:
                where["sitemap"] = sitemap
            if status not in (200, 203):
                return Skipped(given, f"HTTP {status}", record=where)
            media, charset = media_type(response.headers.get("content-type", ""))
            kind = MEDIA_KINDS.get(media)
            if media in _SITEMAP_TYPES or (media.endswith("+xml") and kind is None):
                return await _read_sitemap(response, given, str(url), media, cap, where)
            if kind is None and media:
                return Skipped(given, f"not text ({media})", problem=False, record=where)
            length = response.headers.get("content-length", "")
            if length.isdigit() and "content-encoding" not in response.headers and int(length) > self.options.limit:
                return Skipped(given, f"larger than max_file_size ({length} > {self.options.limit} bytes)",
                               record=where)
            data, problem = await _read(response, self.options.limit)
        if problem:
            return Skipped(given, problem, record=where)
        if len(data) > self.options.limit:
            return Skipped(given, f"larger than max_file_size ({self.options.limit} bytes)", record=where)
        if kind is None:  # no Content-Type at all: a sitemap by its look, else sniffed
            found = _parse_sitemap(data, given, str(url), cap, where)
            if found is not None:
                return found
            kind = sniff_kind(data)
        return Record(given, kind, data, where, charset)


def _cause(exc: BaseException) -> str:
    """The innermost message of an httpx error (the OS's "Connection refused", "Name or service not
    known") on one line."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        inner = exc.__cause__ or exc.__context__
        if isinstance(inner, ConnectionError) and inner.errno:
            return os.strerror(inner.errno)  # asyncio words it "Connect call failed (...)"
        if isinstance(inner, OSError) and inner.strerror:  # DNS, TLS
            return inner.strerror
        exc = inner
    text = str(exc).splitlines()
    return text[0] if text and text[0] else type(exc).__name__


class _Decoder:
    """Removes a Content-Encoding a chunk at a time, never producing more than asked: a gzip bomb is cut
    at the limit like any long body. httpx's own decoders inflate a whole chunk, and are not used."""

    def __init__(self, encoding: str):
        codings = [part.strip().lower() for part in encoding.split(",") if part.strip()]
        codings = [coding for coding in codings if coding != "identity"]
        if not codings:
            self.inflate = None
        elif codings in (["gzip"], ["x-gzip"]):
            self.inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif codings == ["deflate"]:
            self.inflate = zlib.decompressobj()
        else:
            raise ValueError(f"unsupported Content-Encoding ({encoding})")

    def decode(self, chunk: bytes, most: int) -> bytes:
        return self.inflate.decompress(chunk, most) if self.inflate else chunk

    @property
    def complete(self) -> bool:
        return self.inflate is None or self.inflate.eof


async def _decoded(response: httpx.Response, most: int):
    """The body with Content-Encoding removed, in chunks, until ``most`` bytes have come (then one more
    byte, so an over-long body is told from one exactly at the limit). A cut-off compressed body is an
    error, not a short document."""
    decoder = _Decoder(response.headers.get("content-encoding", ""))
    have = 0
    async for chunk in response.aiter_raw():
        out = decoder.decode(chunk, most + 1 - have)
        have += len(out)
        if out:
            yield out
        if have > most:
            return
    if not decoder.complete:
        raise ValueError("compressed body cut short")


async def _read(response: httpx.Response, limit: int) -> tuple[bytes, str | None]:
    """Up to ``limit`` + 1 bytes of the body, and the problem that stopped it, if any."""
    parts: list[bytes] = []
    try:
        async for chunk in _decoded(response, limit):
            parts.append(chunk)
    except (ValueError, zlib.error) as exc:
        return b"", f"cannot decode body: {exc}"
    return b"".join(parts), None


class _SitemapTarget:
    """Parser target that keeps the ``<loc>`` texts of a ``<urlset>`` (pages) or ``<sitemapindex>``
    (sitemaps), at most ``cap`` of them; nothing else of the tree is built."""

    def __init__(self, cap: int):
        self.cap = cap
        self.root: str | None = None
        self.locs: list[str] = []
        self.more = False
        self._depth = 0
        self._text: list[str] | None = None

    def start(self, tag: str, attrs: dict) -> None:
        name = tag.rpartition("}")[2]
        if self._depth == 0:
            self.root = name
        elif self._depth == 2 and name == "loc":
            self._text = []
        self._depth += 1

    def end(self, tag: str) -> None:
        self._depth -= 1
        if self._depth == 2 and self._text is not None:
            loc = "".join(self._text).strip()
            self._text = None
            if loc and len(self.locs) < self.cap:
                self.locs.append(loc)
            elif loc:
                self.more = True

    def data(self, text: str) -> None:
        if self._text is not None:
            self._text.append(text)

    def close(self) -> None:
        return None


class _SitemapReader:
    """Feeds a sitemap body (gzipped or not, told by its first bytes) to a defused expat parser a chunk
    at a time, so a 50 MB sitemap is never held whole and entity tricks are refused."""

    def __init__(self, cap: int):
        self.target = _SitemapTarget(cap)
        self.parser = DefusedXMLParser(target=self.target)
        self.inflate: zlib._Decompress | None = None
        self.head = b""
        self.size = 0
        self.problem: str | None = None
        self.failed = False  # unreadable whatever it is: refused XML, a broken Content-Encoding

    @property
    def is_sitemap(self) -> bool | None:
        """None until the root element is seen, then whether it is a sitemap's."""
        root = self.target.root
        return None if root is None else root in ("urlset", "sitemapindex")

    def feed(self, chunk: bytes) -> bool:
        """Take the next chunk; False when reading should stop (not a sitemap, cap, error, too large)."""
        if self.inflate is None and len(self.head) < 2:
            self.head += chunk
            if len(self.head) < 2:
                return True
            chunk, self.head = self.head, b"--"
            if chunk[:2] == b"\x1f\x8b":
                self.inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            if self.inflate is not None:
                chunk = self.inflate.decompress(chunk, MAX_SITEMAP_BYTES + 1 - self.size)
            self.size += len(chunk)
            if self.size > MAX_SITEMAP_BYTES:
                self.problem = f"sitemap cut: larger than {MAX_SITEMAP_BYTES} bytes, read up to there"
                return False
            self.parser.feed(chunk)
        except DefusedXmlException as exc:
            self.problem, self.failed = f"XML refused: {exc}", True
            return False
        except (ParseError, zlib.error) as exc:
            self.problem = f"bad sitemap: {_xml_error(exc)}"
            return False
        return self.is_sitemap is not False and not self.target.more

    def finish(self) -> None:
        """The body ended: a sitemap cut short shows as a parse error."""
        if self.problem or self.target.more or self.is_sitemap is False:
            return
        try:
            if len(self.head) == 1:
                self.parser.feed(self.head)
            if self.inflate is not None and not self.inflate.eof:
                raise zlib.error("gzip stream cut short")
            self.parser.close()
        except (ParseError, DefusedXmlException, zlib.error) as exc:
            self.problem = f"bad sitemap: {_xml_error(exc)}"


def _xml_error(exc: Exception) -> str:
    if isinstance(exc, ParseError):
        line, column = exc.position
        return f"XML error at line {line}, column {column + 1}"
    return str(exc) or type(exc).__name__


async def _read_sitemap(response: httpx.Response, given: str, url: str, media: str, cap: int,
                        where: dict) -> _Sitemap | Skipped:
    """Stream an XML or gzip body through the sitemap reader: its URLs, or a skip when it is not a
    sitemap after all (an RSS feed, a binary download)."""
    reader = _SitemapReader(cap)
    try:
        async with contextlib.aclosing(_decoded(response, MAX_SITEMAP_BYTES)) as chunks:
            async for chunk in chunks:
                if not reader.feed(chunk):
                    break
            else:
                reader.finish()
    except (ValueError, zlib.error) as exc:
        reader.problem, reader.failed = f"cannot decode body: {exc}", True
    found = _found(reader, given, url, where)
    return Skipped(given, f"not text ({media})", problem=False, record=where) if found is None else found


def _parse_sitemap(data: bytes, given: str, url: str, cap: int, where: dict) -> _Sitemap | Skipped | None:
    """A body that came without a Content-Type, read as a sitemap if it is one."""
    reader = _SitemapReader(cap)
    if reader.feed(data):
        reader.finish()
    return _found(reader, given, url, where)


def _found(reader: _SitemapReader, given: str, url: str, where: dict) -> _Sitemap | Skipped | None:
    """What a read body was: a sitemap, an unreadable body, or (None) some other XML or bytes."""
    if reader.failed:
        return Skipped(given, reader.problem, record=where)
    if not reader.is_sitemap:
        return None
    return _Sitemap(url, reader.target.locs, reader.target.more, reader.problem)
