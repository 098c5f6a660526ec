"""Tables with a WKT geometry column, units written in cells, and why no row was placed.

Parcels exported to a spreadsheet with their polygons as WKT and the floor area in 亩 or 公顷;
enterprises with revenue written ``1.2亿元``; all read as the planner meant them, with
notes naming column, rows and factor. A unit of another quantity, bad WKT and a table no
row of which can be placed are refused with messages naming what was found.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from corpus_round2 import write  # noqa: I001  (tests/ is on sys.path: pyproject pythonpath)
from typer.testing import CliRunner

import zonekit as zk
from zonekit.cli.app import app
from zonekit.errors import SchemaError

runner = CliRunner()


def _text(result) -> str:
    return " ".join(result.output.split())


def _parcels_csv(tiny_park: dict, folder: Path, **cells: list) -> Path:
    parcels = tiny_park["parcels"]
    table = pd.DataFrame(parcels.drop(columns="geometry"))
    table["WKT"] = parcels.geometry.to_wkt().to_numpy()
    for col, values in cells.items():
        table[col] = values
    table.to_csv(folder / "parcels.csv", index=False, encoding="utf-8-sig")
    return folder / "parcels.csv"


def _refused(folder: Path, out: Path) -> str:
    """Run ``zonekit zones`` on a folder of WGS84 tables; it must stop with a message."""
    result = runner.invoke(app, ["zones", "--data", str(folder), "--crs", "EPSG:4326",
                                 "--out", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    return _text(result)


def _zones_of(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "zones.csv", encoding="utf-8-sig").set_index("zone_id")


def test_wkt_parcels_and_area_units_read_as_meant(tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, parcels=None)
    # 40,000 m² as 60亩, 5,000 m² as 0.5公顷, 0 m², 30,000 m² as 0.03 km²
    _parcels_csv(tiny_park, folder, floor_area_m2=["60亩", "0.5公顷", "0", "0.03km²"])
    plain = tmp_path / "plain"
    plain.mkdir()
    write(tiny_park, plain)
    result = runner.invoke(app, ["zones", "--data", str(folder), "--crs", "EPSG:4548",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    text = _text(result)
    assert "column 'floor_area_m2': values written in 亩: converted to m² (×666.67)" in text
    assert "×10,000" in text and "×1,000,000" in text
    base = runner.invoke(app, ["zones", "--data", str(plain), "--out", str(tmp_path / "p")])
    assert base.exit_code == 0, base.output
    got, want = _zones_of(tmp_path / "o"), _zones_of(tmp_path / "p")
    for col in ("area_km2", "built_land_km2", "revenue_yi", "land_output_yi_per_km2"):
        assert got[col].to_numpy() == pytest.approx(want[col].to_numpy(), nan_ok=True), col
    park = zk.load_park(folder, crs="EPSG:4548")
    assert park.parcels["floor_area_m2"].tolist() == pytest.approx([40_000, 5_000, 0, 30_000])
    assert park.parcels.geometry.geom_equals(tiny_park["parcels"].geometry).all()


def test_wkt_needs_a_crs_and_bad_wkt_is_named(tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, parcels=None)
    _parcels_csv(tiny_park, folder)
    result = runner.invoke(app, ["zones", "--data", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "WKT geometries in column 'WKT' but no coordinate system is stated" in _text(result)
    wkt = tiny_park["parcels"].geometry.to_wkt().tolist()
    wkt[2] = wkt[2][:25]  # cut, as an editor or a cell limit leaves it
    _parcels_csv(tiny_park, folder, WKT=wkt)
    before = (folder / "parcels.csv").read_bytes()
    with pytest.raises(SchemaError, match=r"column 'WKT': 1 of 4 cells are not valid WKT: row 4 "
                                          r"\(parcel_id A3\)"):
        zk.load_park(folder, crs="EPSG:4548")
    assert (folder / "parcels.csv").read_bytes() == before


def test_ewkt_srid_states_the_crs(tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, enterprises=None)
    e = tiny_park["enterprises"]
    table = pd.DataFrame(e.drop(columns="geometry"))
    table["geometry"] = ("SRID=4548;" + e.geometry.to_wkt()).to_numpy()
    table["revenue_wan"] = ["10亿元", "2亿", "0", "5,000万元", "10,000,000元"]
    table.to_csv(folder / "enterprises.csv", index=False, encoding="utf-8-sig")
    park = zk.load_park(folder)
    assert park.enterprises["revenue_wan"].tolist() == [100_000.0, 20_000.0, 0.0, 5_000.0,
                                                        1_000.0]
    notes = " ".join(str(n) for n in park.findings.notes)
    assert "values written in 亿元: converted to 万元 (×10,000)" in notes
    assert "values written in 元: converted to 万元 (×0.0001)" in notes
    assert "values written in 万元: the unit removed" in notes


def test_a_unit_of_another_quantity_is_refused(tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, enterprises=None)
    e = tiny_park["enterprises"].to_crs(4326)
    table = pd.DataFrame(e.drop(columns="geometry")).assign(lon=e.geometry.x, lat=e.geometry.y)
    table["revenue_wan"] = ["12.5亩", "3", "0", "5", "1"]
    table.to_csv(folder / "enterprises.csv", index=False, encoding="utf-8-sig")
    text = _refused(folder, tmp_path / "o")
    assert "column 'revenue_wan' (money, 万元): cells '12.5亩' (row 2): 亩 is not a unit of " \
        "money" in text, text
    assert not (tmp_path / "o").exists()


def test_no_row_placed_names_the_defects(tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, enterprises=None)
    e = tiny_park["enterprises"].to_crs(4326)
    table = pd.DataFrame(e.drop(columns=["geometry", "parcel_id"]))
    table["经度(°)"] = e.geometry.x.round(6)
    table["纬度(°)"] = e.geometry.y.round(6)
    table["位置"] = e.geometry.to_wkt().to_numpy()
    table.to_csv(folder / "enterprises.csv", index=False, encoding="utf-8-sig")
    text = _refused(folder, tmp_path / "o")
    assert "no row could be placed" in text, text
    assert "columns '经度(°)' and '纬度(°)' look like coordinates under another name" in text
    assert "column '位置' holds WKT geometries: name it geometry or wkt" in text


def test_check_converts_and_refuses_like_a_run(tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, parcels=None)
    _parcels_csv(tiny_park, folder, floor_area_m2=["60亩", "0.5公顷", "0", "0.03km²"])
    result = runner.invoke(app, ["check", "--data", str(folder), "--crs", "EPSG:4548"])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "values written in 亩: converted to m² (×666.67)" in _text(result)
