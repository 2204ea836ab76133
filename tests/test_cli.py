"""The command line over real files and bad input: one clear line per bad file, the rest still read."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data" / "documents").glob("*.txt"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)


def test_json_lines_in_order() -> None:
    done = run("extract", "--json", *map(str, SEEDS))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [json.loads(ln)["source"] for ln in lines] == [str(p) for p in SEEDS]


def test_table_output() -> None:
    done = run("extract", str(SEEDS[1]))
    assert done.returncode == 0
    assert "12-CTr/TU" in done.stdout and "implements" in done.stdout
    assert "link: 12-CTr/TU --implements--> 02-NQ/TW" in done.stdout


def test_bad_inputs(tmp_path: Path) -> None:
    damaged = tmp_path / "scan.pdf"
    damaged.write_bytes(b"%PDF-1.4\x00\x01\x02\x00binary\x00" * 20)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    garbled = tmp_path / "garbled.txt"
    garbled.write_bytes(bytes(range(0x80, 0x100)) * 40)  # 8-bit, and Vietnamese in no encoding
    legacy = tmp_path / "legacy.txt"  # Windows-1258: read, with a warning
    text = "Thực hiện Nghị quyết của Tỉnh ủy"
    legacy.write_bytes(b"".join(
        unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", ch)
                                             if c not in "\u0300\u0301\u0303\u0309\u0323")).encode("cp1258")
        + "".join(c for c in unicodedata.normalize("NFD", ch) if c in "\u0300\u0301\u0303\u0309\u0323").encode(
            "cp1258")
        for ch in text
    ))
    folder = tmp_path / "folder"
    folder.mkdir()
    missing = tmp_path / "missing.txt"
    bad = [damaged, empty, garbled, folder, missing]
    done = run("extract", "--json", str(SEEDS[0]), *map(str, bad), str(legacy), str(SEEDS[1]))
    assert done.returncode == 2
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 3  # both seeds and the Windows-1258 file still extracted
    assert "windows-1258" in out[1]["warnings"][0] and "Nghị quyết" in out[1]["document"]["subject"]
    errors = done.stderr.strip().splitlines()
    assert len(errors) == len(bad)
    for path, line in zip(bad, errors, strict=True):
        assert str(path) in line
    assert "damaged PDF" in errors[0] and "empty" in errors[1] and "UTF-8" in errors[2]
    assert "directory" in errors[3] and "no such file" in errors[4]


def test_exit_zero_when_all_good() -> None:
    assert run("extract", "--json", *map(str, SEEDS)).returncode == 0


def test_warnings_command(tmp_path: Path) -> None:
    doc = tmp_path / "draft.txt"
    doc.write_text("BAN THƯỜNG TRỰC\nSố: /KH-MTTQ-BTT\nLương Minh, ngày tháng 01 năm 2026\nKẾ HOẠCH\nTổ chức\n",
                   encoding="utf-8")
    done = run("warnings", str(tmp_path))
    assert "number left blank" in done.stdout and "no day" in done.stdout


def test_load_a_dump_then_walk_it_with_quotes(tmp_path: Path) -> None:
    """`export --format nq` → `load` into a new store: the index `load` saves is the one the next
    command opens (no rebuild), and the walk shows the quotes the dump carried."""
    from graph.lineage import LineageIndex
    from graph.store import GraphStore

    a, b, dump = tmp_path / "a", tmp_path / "b", tmp_path / "dump.nq"
    assert run("ingest", "--store", str(a), *map(str, SEEDS)).returncode == 0
    assert run("export", "--store", str(a), "--format", "nq", "-o", str(dump)).returncode == 0
    done = run("load", "--store", str(b), str(dump))
    assert done.returncode == 0, done.stderr
    saved = LineageIndex.load(Path(str(b) + ".lineage"))
    assert saved is not None and saved.stamp == GraphStore(b).stamp()
    done = run("lineage", "tw-nq-2021-02", "--store", str(b), "--json")
    assert done.returncode == 0, done.stderr
    items = {i["key"]: i for i in json.loads(done.stdout)["items"]}
    edge = items["lai-chau-tu-ctr-2021-12"]["edges"][0]
    assert edge["relation"] == "implements" and "02-NQ/TW" in edge["evidence"][0]["quote"]
    assert items["lai-chau-dd-cv-2023-98"]["depth"] == 2


def test_extract_text_shows_what_was_read(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from builders import docx, para, pdf

    plan = tmp_path / "plan.docx"
    plan.write_bytes(docx(para("KẾ HOẠCH") + para("Thực hiện Nghị quyết số 02-NQ/TW.")))
    done = run("extract", "--text", str(plan))
    assert done.returncode == 0
    assert done.stdout.splitlines() == [f"== {plan} (docx)", "KẾ HOẠCH", "Thực hiện Nghị quyết số 02-NQ/TW."]
    as_json = json.loads(run("extract", "--text", "--json", str(plan)).stdout)
    assert as_json["source_format"] == "docx" and as_json["text"].startswith("KẾ HOẠCH") and as_json["ocr"] is None
    extracted = json.loads(run("extract", "--json", str(plan)).stdout)["document"]
    assert (extracted["source_format"], extracted["pages"], extracted["ocr"]) == ("docx", None, None)
    long = tmp_path / "long.pdf"
    long.write_bytes(pdf([["Can cu Luat Cong doan;"]] * 3))
    refused = run("extract", "--max-pages", "2", str(long))
    assert refused.returncode == 2 and "3 pages; the limit is 2" in refused.stderr


def test_saved_pages_pictures_are_not_documents(tmp_path: Path) -> None:
    """A folder walk reads every format, but not the pictures folder a saved web page keeps beside it."""
    sys.path.insert(0, str(ROOT / "tests"))
    from builders import png_header

    from graph.ingest import iter_sources

    (tmp_path / "plan.htm").write_text("<p>Thực hiện Nghị quyết số 02-NQ/TW.</p>", encoding="utf-8")
    (tmp_path / "plan_files").mkdir()
    (tmp_path / "plan_files" / "image001.png").write_bytes(png_header(10, 10))
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "page.png").write_bytes(png_header(10, 10))
    (tmp_path / "notes.xyz").write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_sources([tmp_path])] == ["plan.htm", "scans/page.png"]
