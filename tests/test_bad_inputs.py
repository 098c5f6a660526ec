"""Drive the CLI over the bad-input corpus: clear messages, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zonekit.cli.app import app

from bad_inputs import CASES, Case  # noqa: I001  (tests/ is on sys.path under pytest)

runner = CliRunner()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_case(case: Case, tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    case.make(tiny_park, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    out = tmp_path / "out"
    result = runner.invoke(app, ["zones", "--data", str(folder), "--out", str(out)])
    text = result.output
    if case.exit_code == 0:
        text += json.dumps(json.loads((out / "summary.json").read_text(encoding="utf-8")),
                           ensure_ascii=False)
        text += (out / "zones.csv").read_text(encoding="utf-8-sig")
    assert result.exit_code == case.exit_code, text
    assert "Traceback" not in text
    for fragment in case.expect:
        assert fragment in text, f"{case.name}: expected {fragment!r} in:\n{text}"
    # Inputs are never modified.
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_drop_invalid_writes_dropped_csv(tiny_park, tmp_path: Path) -> None:
    from bad_inputs import negative_revenue

    folder = tmp_path / "park"
    folder.mkdir()
    negative_revenue(tiny_park, folder)
    out = tmp_path / "out"
    result = runner.invoke(app, ["zones", "--data", str(folder), "--out", str(out),
                                 "--drop-invalid"])
    assert result.exit_code == 0, result.output
    dropped = (out / "dropped.csv").read_text(encoding="utf-8-sig")
    assert "E2" in dropped and "revenue_wan" in dropped
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["dropped_rows"] == 1
