"""The public API (`import zonekit as zk`) and the command line as its thin client."""

from __future__ import annotations

import ast
import json
import re
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.errors import ZonekitError

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
#: The README's Python block, after its marker (``.ci/wheel`` runs the same block).
README_BLOCK = r"<!-- readme-python-block[^>]*-->\n```python\n(.*?)```"


def test_readme_python_section_runs_as_printed(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(README_BLOCK, text, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "README.md (Python)", "exec"), scope)  # noqa: S102 - our own README
    assert scope["park"].synthetic and scope["z"].synthetic
    user = scope["c"]
    assert not user.synthetic and user.summary["synthetic"] is False
    assert "data_note" not in user.summary
    assert (tmp_path / "out/api/report/report.html").exists()
    assert json.loads((tmp_path / "out/api/circles_service/summary.json").read_text())[
        "synthetic"] is True


def test_zones_is_the_package_and_measure_zones_a_function(tiny_park_dir: Path) -> None:
    import inspect
    import types

    import zonekit as zk
    import zonekit.zones.park

    assert inspect.isfunction(zk.measure_zones) and "zones" not in zk.__all__
    assert isinstance(zk.zones, types.ModuleType) and zk.zones is sys.modules["zonekit.zones"]
    assert zk.zones.park is zonekit.zones.park
    with pytest.warns(DeprecationWarning, match="zk.measure_zones"):
        old = zk.zones(data=tiny_park_dir)  # the deprecated alias still measures
    new = zk.measure_zones(data=tiny_park_dir)
    assert isinstance(old, zk.ZonesResult) and old.table.equals(new.table)


# --- a small city outside China: osmnx edges in UTM 32N (Monaco's zone) ---------------------

X0, Y0 = 370_000.0, 4_843_000.0  # metres, UTM 32N


@pytest.fixture
def utm_city(tmp_path: Path) -> dict[str, Path]:
    """A 6 × 6 street grid (120 m blocks) as osmnx edges, facilities and homes, EPSG:32632."""
    n, step = 6, 120.0
    node = {(i, j): i * n + j for i in range(n) for j in range(n)}
    rows = []
    for (i, j), u in node.items():
        for di, dj in ((1, 0), (0, 1)):
            if (i + di, j + dj) in node:
                v = node[(i + di, j + dj)]
                line = LineString([(X0 + i * step, Y0 + j * step),
                                   (X0 + (i + di) * step, Y0 + (j + dj) * step)])
                rows.append({"u": u, "v": v, "highway": "residential", "oneway": "no",
                             "geometry": line})
    roads = gpd.GeoDataFrame(rows, crs=32632)
    fac = gpd.GeoDataFrame({"poi_id": ["f1", "f2", "f3"],
                            "category": ["pharmacy", "supermarket", "pharmacy"]},
                           geometry=[Point(X0 + 10, Y0 + 5), Point(X0 + 600, Y0 + 600),
                                     Point(X0 + 480, Y0 + 130)], crs=32632)
    rng = np.random.default_rng(3)
    homes = gpd.GeoDataFrame({"hid": [f"h{k}" for k in range(25)]},
                             geometry=[Point(X0 + x, Y0 + y)
                                       for x, y in rng.uniform(0, 600, (25, 2))], crs=32632)
    paths = {"roads": tmp_path / "roads.gpkg", "facilities": tmp_path / "poi.gpkg",
             "origins": tmp_path / "homes.gpkg"}
    roads.to_file(paths["roads"])
    fac.to_file(paths["facilities"])
    homes.to_file(paths["origins"])
    return paths


def _circle_args(city: dict[str, Path], out: Path) -> list[str]:
    return ["circles", "--roads", str(city["roads"]), "--facilities", str(city["facilities"]),
            "--origins", str(city["origins"]), "--origin-id", "hid", "--facility-id", "poi_id",
            "--category-col", "category", "--minutes", "5", "--out", str(out)]


def test_city_outside_china_never_reads_the_sample(utm_city: dict[str, Path], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import zonekit.zones.io as io
    import zonekit.zones.park as park_mod

    def no_sample() -> Path:
        raise AssertionError("the bundled sample was read")

    monkeypatch.setattr(io, "sample_path", no_sample)
    monkeypatch.setattr(park_mod, "sample_path", no_sample)
    plain = runner.invoke(app, _circle_args(utm_city, tmp_path / "a"))
    assert plain.exit_code == 0, plain.output
    assert "SYNTHETIC" not in plain.output and "UTM zone 32N" in plain.output
    given = runner.invoke(app, [*_circle_args(utm_city, tmp_path / "b"),
                                "--analysis-crs", "EPSG:32632"])
    assert given.exit_code == 0, given.output
    a = gpd.read_file(tmp_path / "a" / "origins.gpkg")
    b = gpd.read_file(tmp_path / "b" / "origins.gpkg")
    cols = [col for col in a.columns if col.startswith("minutes_")]
    assert cols and a["origin_id"].tolist() == [f"h{k}" for k in range(25)]
    np.testing.assert_allclose(a[cols].to_numpy(float), b[cols].to_numpy(float), atol=1e-9)
    summary = json.loads((tmp_path / "a" / "summary.json").read_text(encoding="utf-8"))
    assert summary["crs"] == "EPSG:32632" and summary["synthetic"] is False
    assert "outside China" in summary["crs_reason"]


def test_api_city_in_degrees_gets_utm(utm_city: dict[str, Path]) -> None:
    import zonekit as zk

    roads = gpd.read_file(utm_city["roads"]).to_crs(4326)
    c = zk.circles("service", roads=roads, facilities=utm_city["facilities"],
                   origins=utm_city["origins"], origin_id="hid", facility_id="poi_id",
                   category_col="category", minutes=5)
    assert c.park.crs == "EPSG:32632" and not c.synthetic
    assert {"minutes_pharmacy", "minutes_supermarket"} <= set(c.origins.columns)
    assert c.origins["origin_id"].iloc[0] == "h0"


# --- every shared data option reaches the loader, for every command -------------------------

ALL = ("zones", "parcels", "enterprises", "facilities", "roads", "population")
COMMANDS = ("zones", "intensity", "indicators", "circles", "map zones", "map service", "report",
            "scale partition")


class CapturedError(ZonekitError):
    """Raised by the stand-in loader once it has seen the options."""


@pytest.mark.parametrize("command", COMMANDS)
def test_every_data_option_reaches_the_loader(command: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import zonekit.zones.park as park_mod

    seen: dict = {}

    def loader(data=None, layers=(), overrides=None, settings=None, required=(), mapping=None,
               osm_mode=None):
        seen.update(data=data, overrides=overrides, settings=settings, mapping=mapping,
                    layers=layers)
        raise CapturedError("captured")

    monkeypatch.setattr(park_mod, "build_park", loader)
    layer_files = {name: tmp_path / f"my_{name}.gpkg" for name in ALL}
    sample = Path(__file__).resolve().parents[2] / "data" / "sample"
    for name, path in layer_files.items():  # files that exist: every given file is checked
        shutil.copy(sample / ("population.tif" if name == "population" else "park.gpkg"), path)
    data = tmp_path / "data"
    data.mkdir()
    args = [*command.split(), "--data", str(data), "--mapping", "osmnx",
            "--crs", "EPSG:4490", "--analysis-crs", "EPSG:4548", "--coords", "gcj02",
            "--encoding", "gbk", "--data-year", "2023", "--drop-invalid",
            "--out", str(tmp_path / "out")]
    for name, path in layer_files.items():
        args += [f"--{name}", str(path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "captured" in result.output, result.output
    s = seen["settings"]
    assert (s.crs, s.analysis_crs, s.coords, s.encoding, s.data_year, s.drop_invalid) == (
        "EPSG:4490", "EPSG:4548", "gcj02", "gbk", 2023, True)
    assert Path(seen["data"]) == data and seen["mapping"] is not None
    given = {k: Path(v) for k, v in seen["overrides"].items()}
    # Layers this analysis reads reach the loader; the others are named as unused (below);
    # a circle reads the user's facilities with their own columns, beside the loader.
    assert given == {k: v for k, v in layer_files.items() if k in seen["layers"]}
    assert set(layer_files) - set(given) <= {"facilities", "roads", "population", "enterprises"}


def test_a_layer_given_but_not_used_is_named(tiny_park_dir: Path, tmp_path: Path) -> None:
    roads = tmp_path / "roads.geojson"
    roads.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    result = runner.invoke(app, ["zones", "--data", str(tiny_park_dir), "--out",
                                 str(tmp_path / "z"), "--roads", str(roads)])
    assert result.exit_code == 0, result.output
    assert "roads.geojson" in result.output and "does not use this layer" in result.output
    summary = json.loads((tmp_path / "z" / "summary.json").read_text(encoding="utf-8"))
    assert any("does not use this layer" in note for note in summary["input_notes"])


def test_map_takes_crs_wherever_circles_does(tmp_path: Path) -> None:
    import zonekit as zk

    park = zk.load_park(layers=("roads", "facilities", "zones", "parcels"))
    bare = {}
    for name in ("roads", "facilities", "parcels"):
        bare[name] = tmp_path / f"{name}.gpkg"
        park.layers[name].to_crs(4548).set_crs(None, allow_override=True).to_file(bare[name])
    args = ["--roads", str(bare["roads"]), "--facilities", str(bare["facilities"]),
            "--category-col", "category", "--origins", "residential",
            "--parcels", str(bare["parcels"])]
    without = runner.invoke(app, ["map", "service", *args, "--out", str(tmp_path / "m0")])
    assert without.exit_code == 2 and "--crs" in without.output
    for cmd, out in ((["circles"], "c"), (["map", "service"], "m")):
        result = runner.invoke(app, [*cmd, *args, "--crs", "EPSG:4548",
                                     "--out", str(tmp_path / out)])
        assert result.exit_code == 0, result.output


# --- the house rules ------------------------------------------------------------------------

FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _messages(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body and isinstance(node.body[0], ast.Expr)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docs]


def test_library_speaks_in_parameters_not_flags() -> None:
    found = [f"{p.relative_to(ROOT)}:{line}: {FLAG.search(text).group(0)}"
             for folder in ("zones", "analysis", "maps") for p in (ROOT / folder).rglob("*.py")
             for line, text in _messages(p) if FLAG.search(text)]
    assert not found, "command-line options named in library messages:\n" + "\n".join(found)


def test_imports_flow_one_way() -> None:
    bad = []
    for folder, banned in (("zones", ("zonekit.analysis", "zonekit.maps", "zonekit.cli",
                                      "zonekit.api")),
                           ("analysis", ("zonekit.maps", "zonekit.cli", "zonekit.api")),
                           ("maps", ("zonekit.cli", "zonekit.api")),
                           ("zonekit/api", ("zonekit.cli",))):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            bad += [f"{path.relative_to(ROOT)} imports {b}" for b in banned
                    if re.search(rf"^\s*(from|import) {re.escape(b)}\b", text, re.M)]
    for path in (ROOT / "zonekit/cli").glob("commands_*.py"):
        text = path.read_text(encoding="utf-8")
        bad += [f"{path.name} imports another command module"
                for _ in re.finditer(r"^\s*from zonekit\.cli(\.commands_\w+| import commands_)",
                                     text, re.M)]
    assert not bad, "\n".join(bad)


def test_notebooks_use_only_the_public_api() -> None:
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        imports = re.findall(r"^\s*(?:from|import) (zonekit[\w.]*)", code, re.M)
        assert set(imports) <= {"zonekit"}, f"{nb.name}: {sorted(set(imports))}"


def test_messages_name_the_command_line_options() -> None:
    from zonekit.cli._common import to_flags

    assert to_flags("pass crs='EPSG:4548', or force=True; roads=FILE; crs= with the code") == (
        "pass --crs EPSG:4548, or --force; --roads FILE; --crs with the code")
    assert to_flags("analysis_crs='EPSG:32632' and data_year=2023") == (
        "--analysis-crs EPSG:32632 and --data-year 2023")


def test_travel_speeds_are_overridden_like_every_profile(utm_city: dict[str, Path],
                                                        tmp_path: Path) -> None:
    """A circles profile's `travel:` block changes the speeds; unknown keys are refused."""
    import zonekit as zk

    args = dict(roads=utm_city["roads"], facilities=utm_city["facilities"],
                origins=utm_city["origins"], origin_id="hid", facility_id="poi_id",
                category_col="category", minutes=5)
    slow = tmp_path / "slow.yaml"
    slow.write_text("travel:\n  walk:\n    default_speed_kmh: 2.25\n", encoding="utf-8")
    base = zk.circles("service", **args).origins
    half = zk.circles("service", profile=slow, **args).origins
    walked = base["minutes_pharmacy"].notna() & half["minutes_pharmacy"].notna()
    assert walked.any()
    ratio = half.loc[walked, "minutes_pharmacy"] / base.loc[walked, "minutes_pharmacy"]
    assert ((ratio > 1.5) & (ratio <= 2.0 + 1e-9)).all()  # the access legs keep their speed
    bad = tmp_path / "bad.yaml"
    bad.write_text("travel:\n  walk:\n    speed: 3\n", encoding="utf-8")
    with pytest.raises(ZonekitError, match="speed"):
        zk.circles("service", profile=bad, **args)
