"""Writing while serving: the server holds the store and stays its one writer; the CLI beside it sends
ingest and remove through the server's admin routes (found from the file the server writes beside the
store), reads the store read-only, and the server's pages see new documents at once."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from servers import ROOT, serve

from graph.errors import StoreError
from graph.store import GraphStore

NEW = ("ĐẢNG CỘNG SẢN VIỆT NAM\nTỈNH ỦY LAI CHÂU\nSố 44-KH/TU\nLai Châu, ngày 5 tháng 3 năm 2024\n"
       "KẾ HOẠCH\ntriển khai công tác công đoàn\nThực hiện Nghị quyết số 02-NQ/TW ngày 12/6/2021 của Bộ Chính trị "
       "về đổi mới tổ chức và hoạt động của Công đoàn Việt Nam trong tình hình mới, Ban Thường vụ Tỉnh ủy ban "
       "hành kế hoạch như sau.\n")


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANBAN_")}
    return subprocess.run([sys.executable, "-m", "graph", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_cli_writes_through_the_running_server(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = cli("ingest", "--quiet", "--store", str(store), str(ROOT / "data" / "documents"))
    assert first.returncode == 0, first.stderr
    server = serve(store)
    try:
        announced = Path(str(store) + ".server.json")
        assert announced.exists() and stat.S_IMODE(announced.stat().st_mode) == 0o600
        new = tmp_path / "44-KH-TU.txt"
        new.write_text(NEW, encoding="utf-8")
        got = cli("ingest", "--quiet", "--store", str(store), str(new))
        assert got.returncode == 0, got.stderr
        assert "sending the files" in got.stderr and "1 ingested" in got.stdout
        seen = time.monotonic()
        page = httpx.get(server.base + "/documents/tw-nq-2021-02", headers={"accept": "text/html"})
        assert "44-KH/TU" in page.text and time.monotonic() - seen < 1.0
        hits = httpx.get(server.base + "/api/documents", params={"q": "44 kh tu"}).json()
        assert hits["items"][0]["key"] == "lai-chau-tu-kh-2024-44"
        # the same file again: unchanged, nothing written
        again = cli("ingest", "--quiet", "--store", str(store), str(new))
        assert again.returncode == 0 and "0 ingested, 1 unchanged" in again.stdout, again.stdout + again.stderr
        # read-only commands beside the server
        q = cli("query", "--store", str(store), "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert q.returncode == 0 and "rows" in q.stderr, q.stderr
        lin = cli("lineage", "--store", str(store), "tw-nq-2021-02")
        assert lin.returncode == 0 and "44-KH/TU" in lin.stdout, lin.stderr
        exp = cli("export", "--store", str(store), "--format", "nt")
        assert exp.returncode == 0 and "44" in exp.stdout
        # remove goes through the server too
        rm = cli("remove", "--store", str(store), str(new))
        assert rm.returncode == 0, rm.stderr
        assert httpx.get(server.base + "/api/documents", params={"q": "44 kh tu"}).json()["items"] == []
        # opening the store for writing beside the server says what to do instead
        with pytest.raises(StoreError, match="--server URL"):
            GraphStore(store)
        # a wrong token for an explicit server is refused with one line
        bad = cli("ingest", "--quiet", "--store", str(store), "--server", server.base, "--token", "nope", str(new))
        assert bad.returncode == 2 and "403" in bad.stderr and bad.stderr.count("\n") == 2
    finally:
        server.stop()
    assert not Path(str(store) + ".server.json").exists()
    alone = cli("ingest", "--quiet", "--store", str(store), str(new))  # no server: the CLI writes itself
    assert alone.returncode == 0 and "sending" not in alone.stderr and "1 ingested" in alone.stdout
