"""Bad input, third round: a mapping from a column the file lacks names that column."""

from __future__ import annotations

from pathlib import Path

from corpus_round2 import write  # noqa: I001  (tests/ is on sys.path: pyproject pythonpath)
from typer.testing import CliRunner

from zonekit.cli.app import app

runner = CliRunner()


def test_mapping_from_an_absent_column_names_the_source(tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    parcels = tiny_park["parcels"].rename(columns={"parcel_id": "编号"})
    parcels["_internal"] = 1  # a column named like zonekit's internal ones is not listed
    write(tiny_park, folder, parcels=parcels)
    (folder / "mapping.yaml").write_text("parcels:\n  columns: {地块编号: parcel_id}\n",
                                         encoding="utf-8")
    result = runner.invoke(app, ["zones", "--data", str(folder), "--mapping",
                                 str(folder / "mapping.yaml"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    text = result.output
    assert "the mapping takes column '地块编号' (mapped onto parcel_id), but the file has no " \
        "such column" in text
    assert "编号" in text.split("found:")[1] and "_internal" not in text
    assert "required column(s) missing: parcel_id" not in text
