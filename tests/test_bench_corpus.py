"""The scan benchmark's corpus generator (bench/scan_bench.py) is deterministic and makes every kind of file.

Nothing is timed here: the benchmark itself is not run by the tests."""

import hashlib
import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "scan_bench.py"


@pytest.fixture(scope="module")
def scan_bench():
    spec = importlib.util.spec_from_file_location("scan_bench", BENCH)  # bench/ is not a package
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(scan_bench, tmp_path):
    a = scan_bench.generate(tmp_path / "a", 10**9, seed=7, max_files=30)
    b = scan_bench.generate(tmp_path / "b", 10**9, seed=7, max_files=30)
    assert a == b
    assert a["files"] == 30
    files_a = tree(tmp_path / "a")
    assert len(files_a) == 30
    assert files_a == tree(tmp_path / "b")
    other = scan_bench.generate(tmp_path / "c", 10**9, seed=8, max_files=30)
    assert other["files"] == 30
    assert tree(tmp_path / "c") != files_a


def test_all_three_kinds(scan_bench, tmp_path):
    stats = scan_bench.generate(tmp_path, 10**9, seed=7, max_files=30)
    for kind in ("txt", "md", "html"):
        files = sorted((tmp_path / kind).rglob(f"*.{kind}"))
        assert files, kind
        assert stats["kinds"][kind]["files"] == len(files)
        assert stats["kinds"][kind]["bytes"] == sum(f.stat().st_size for f in files)
    md = next((tmp_path / "md").rglob("*.md")).read_text("utf-8")
    assert md.startswith("---\ntitle: ") and "\n---\n" in md[4:]  # YAML front matter
    page = next((tmp_path / "html").rglob("*.html")).read_text("utf-8")
    for boilerplate in ("<nav", "ad-slot", "<script", "application/ld+json", "<footer", "<article>"):
        assert boilerplate in page


def test_size_bound_and_agency_material(scan_bench, tmp_path):
    stats = scan_bench.generate(tmp_path, 2_000_000, seed=scan_bench.SEED)
    assert 2_000_000 <= stats["bytes"] < 2_100_000
    assert stats["agency"] >= 1  # a few percent of articles carry datelines, notices or credit lines
    text = "".join(p.read_text("utf-8") for p in tmp_path.rglob("*.*"))
    assert any(credit in text for credit in ("(AFP)", "(Reuters)", "(AP)", "Associated Press", "Reporting by",
                                             "dpa ", "(EFE)", "Kyodo", "Xinhua", "UPI", "Bloomberg", "AAP",
                                             "Canadian Press", "The Conversation", "Wikipedia", "ProPublica"))


def test_rust_regex_translation(scan_bench):
    to_rust = scan_bench.to_rust_regex
    assert to_rust(r"(?m)^\h*+\p{Lu}[\p{L} ]{1,40}\(DW\)") == r"(?m)^[ \t]*\p{Lu}[\p{L} ]{1,40}\(DW\)"
    assert to_rust(r"(?<!France[\s-]Presse\s{0,3})\(AFP\)") == r"\(AFP\)"
    assert to_rust(r"a{,3}b++c?+d*?(?>x|y)") == r"a{0,3}b+c?d*?(?:x|y)"
    assert to_rust(r"[\h\w]\bX", ascii_boundaries=True) == r"[ \t\w](?-u:\b)X"
    assert to_rust(r"(a)\1") is None
