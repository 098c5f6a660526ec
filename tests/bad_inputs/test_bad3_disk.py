"""Bad input, third round: a full disk, a path too deep, and signals during a run.

The full disk is a 40 KiB tmpfs mounted for the test (needs root; skipped otherwise). After
SIGTERM or SIGINT, the run's staging folder and lock file are gone and ``out`` is the
earlier run, byte for byte.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.zones.output import OutputError, run_folder

runner = CliRunner()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 40 KiB tmpfs: too small for the zones of the sample park."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40k", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        pytest.skip("mounting a small tmpfs is not permitted here (run the tests as root to "
                    f"test a full disk): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_full_disk_is_named(tiny_disk: Path) -> None:
    result = runner.invoke(app, ["zones", "--out", str(tiny_disk / "out")])
    assert result.exit_code == 2, result.output
    assert "no space left on the device holding --out" in result.output
    assert "Traceback" not in result.output and "gpkg_contents" not in result.output
    assert not list(tiny_disk.iterdir())  # no staging folder, no lock file, no out


def test_full_disk_through_the_api(tiny_disk: Path) -> None:
    import zonekit as zk

    z = zk.measure_zones(zk.load_park())
    with pytest.raises(OutputError, match="no space left on the device holding out="):
        z.write(tiny_disk / "out")
    assert not list(tiny_disk.iterdir())


def test_path_too_deep(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d" * 80] * 11) / "out"
    assert len(os.fsencode(deep)) > 900
    result = runner.invoke(app, ["zones", "--out", str(deep)])
    assert result.exit_code == 2, result.output
    assert "--out folder's path is" in result.output and "at most 500 bytes" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / ("d" * 80)).exists()  # refused before any folder was made


SCRIPT = """
import sys, time
from pathlib import Path
from zonekit.zones.output import run_folder
with run_folder(Path(sys.argv[1]), force=True) as staging:
    (staging / "summary.json").write_text("new", encoding="utf-8")
    (staging / "half.csv").write_text("x" * 1000, encoding="utf-8")
    print("writing", flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_leaves_no_staging_and_no_lock(sig, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with run_folder(out) as staging:  # an earlier run
        (staging / "summary.json").write_text("old", encoding="utf-8")
    before = snapshot(out)
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    assert any(p.name.startswith(".out.staging-") for p in tmp_path.iterdir())
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert proc.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging, no lock
    assert snapshot(out) == before


def test_sigterm_handler_is_restored(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    with run_folder(tmp_path / "out") as staging:
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        (staging / "summary.json").write_text("{}", encoding="utf-8")
    assert signal.getsignal(signal.SIGTERM) is before
