"""Circle kinds are data: a county profile adds a kind that runs end to end with no code change.

The kind below (the issue's example, #24) runs on a real OpenStreetMap network, not the
sample: from the command line and the API, with its own map title, report section and QGIS
algorithm; and the registry is the one module that lists the kinds.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from circles_fixtures import COUNTY, ZONEKIT

import zonekit as zk
from zonekit.errors import ProfileError, ZonekitError
from zonekit.travel_modes import MODES

REPO = Path(__file__).resolve().parents[3]
@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A county profile, and facilities and homes placed on the real Aguascalientes streets."""
    from tests.conftest import REAL_DATA

    pbf = REAL_DATA / "osm" / "aguascalientes.osm.pbf"
    if not pbf.exists():
        pytest.skip(f"real OSM extract not found at {pbf} (only on the project's machines)")
    folder = tmp_path_factory.mktemp("county")
    (folder / "county.yaml").write_text(COUNTY, encoding="utf-8")
    lines = zk.osm_roads(pbf, mode="walk").to_crs(4326)
    rng = np.random.default_rng(7)
    pts = shapely.line_interpolate_point(lines.geometry.to_numpy(), rng.random(len(lines)),
                                         normalized=True)
    pick = rng.permutation(len(pts))
    fac = gpd.GeoDataFrame({"poi_id": [f"E{i}" for i in range(8)],
                            "类别": ["elderly_care"] * 6 + ["养老院", "elderly_care"]},
                           geometry=pts[pick[:8]], crs=4326)
    homes = gpd.GeoDataFrame({"home": [f"H{i}" for i in range(60)]},
                             geometry=pts[pick[8:68]], crs=4326)
    fac.to_file(folder / "fac.gpkg")
    homes.to_file(folder / "homes.gpkg")
    return {"folder": folder, "profile": folder / "county.yaml", "roads": pbf,
            "facilities": folder / "fac.gpkg", "origins": folder / "homes.gpkg"}


def _api_run(county: dict[str, Path]) -> zk.CirclesResult:
    return zk.circles("elderly", profile=county["profile"], roads=county["roads"],
                      facilities=county["facilities"], origins=county["origins"],
                      origin_id="home", facility_id="poi_id", category_col="类别")


def test_the_registry_reads_the_kinds_from_the_profile(county: dict[str, Path]) -> None:
    kinds = zk.circle_kinds(county["profile"])
    assert list(kinds)[:4] == ["service", "lifecircle", "industry", "charging"]
    spec = kinds["elderly"]
    assert (spec.like, spec.mode, spec.name_zh, spec.folder) == (
        "service", "walk", "10分钟养老服务圈", "circles_elderly")
    assert spec.titles("某县")["map"] == "某县 10分钟养老服务圈覆盖与缺口"
    with pytest.raises(ZonekitError, match="elderly"):
        zk.circle_kind("elderly")  # not a shipped kind
    bad = county["folder"] / "bad.yaml"
    bad.write_text(COUNTY.replace("    like: service\n", ""), encoding="utf-8")
    with pytest.raises(ProfileError, match="'like'"):
        zk.circle_kinds(bad)


def test_a_county_kind_runs_from_the_api_on_a_real_network(county: dict[str, Path]) -> None:
    res = _api_run(county)
    assert not res.synthetic
    assert res.summary["circle_zh"] == "10分钟养老服务圈"
    assert res.summary["limits"]["elderly_care"] == 10.0
    assert "minutes_elderly_care" in res.origins and len(res.origins) == 60
    assert res.origins["minutes_elderly_care"].notna().any()
    layers, title = res.map_layers()
    assert "10分钟养老服务圈覆盖与缺口" in title


def test_a_county_kind_runs_from_the_command_line(county: dict[str, Path],
                                                  tmp_path: Path) -> None:
    out = tmp_path / "elderly"
    done = subprocess.run(
        [str(ZONEKIT), "circles", "--kind", "elderly", "--profile", str(county["profile"]),
         "--roads", str(county["roads"]), "--facilities", str(county["facilities"]),
         "--origins", str(county["origins"]), "--origin-id", "home", "--facility-id",
         "poi_id", "--category-col", "类别", "--out", str(out)],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["kind"] == "elderly" and summary["circle_kind"]["like"] == "service"
    page = (out / "map_elderly.html").read_text(encoding="utf-8")
    assert "10分钟养老服务圈" in page
    unknown = subprocess.run([str(ZONEKIT), "circles", "--kind", "elderly", "--out",
                              str(tmp_path / "x")], capture_output=True, text=True)
    assert unknown.returncode == 2 and "elderly" in unknown.stdout + unknown.stderr


def test_a_county_kind_has_its_report_section(county: dict[str, Path], tmp_path: Path) -> None:
    park = zk.load_park()
    results = [zk.measure_zones(park), zk.intensity(park), zk.indicators(park), _api_run(county)]
    done = zk.report(results, tmp_path / "report")
    assert done.folders["circles_elderly"].is_dir()
    page = done.html.read_text(encoding="utf-8")
    assert "10分钟养老服务圈覆盖与缺口" in page  # the map's title
    assert page.count("10分钟养老服务圈") >= 2  # and its coverage rows


def test_qgis_install_records_the_county_kinds(county: dict[str, Path], tmp_path: Path) -> None:
    done = subprocess.run([str(ZONEKIT), "qgis", "install", "--qgis-config-dir", str(tmp_path),
                           "--circles-profile", str(county["profile"])],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    plugin = tmp_path / "profiles/default/python/plugins/zonekit_processing"
    record = json.loads((plugin / "circle_kinds.json").read_text(encoding="utf-8"))
    assert [k["kind"] for k in record["kinds"]] == list(zk.circle_kinds(county["profile"]))
    assert record["profile"] == str(county["profile"].resolve())
    assert [m["mode"] for m in record["modes"]] == list(MODES)  # the plugin's mode choice
    probe = subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("PyQGIS not found in the system Python: the algorithm list is checked "
                    "with `apt-get install python3-qgis qgis-providers` (.ci/run does)")
    code = (f"import sys; sys.path[:0] = [{str(plugin.parent)!r}, "
            "'/usr/share/qgis/python/plugins']\n"
            "from qgis.core import QgsApplication\n"
            "app = QgsApplication([], False); app.initQgis()\n"
            "from zonekit_processing.algorithms import ALGORITHMS\n"
            "print([(a.NAME, a.DISPLAY) for a in ALGORITHMS])\n"
            "from zonekit_processing.circles import MODES\n"
            "print(MODES)\n")
    listed = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
                            timeout=120)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "('circles_elderly', '10分钟养老服务圈')" in listed.stdout
    assert "('drive', '驾车 drive')" in listed.stdout
    assert "('circles_lifecircle'," in listed.stdout


def test_only_the_registry_lists_the_kinds() -> None:
    """No module outside the profile and registry compares a kind to a string literal."""
    kinds = "|".join(zk.circle_kinds())
    compare = re.compile(rf"""(==|!=|\bin\b)\s*\(?\s*["']({kinds})["']"""
                         rf"""|["']({kinds})["']\s*(==|!=)""")
    allowed = {"analysis/circles/profile.py", "analysis/circles/registry.py"}
    found = []
    for path in [*REPO.glob("zonekit/**/*.py"), *REPO.glob("analysis/**/*.py"),
                 *REPO.glob("maps/**/*.py"), *REPO.glob("zones/**/*.py")]:
        rel = str(path.relative_to(REPO))
        if rel in allowed:
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if compare.search(line):
                found.append(f"{rel}:{no}: {line.strip()}")
    assert not found, "\n".join(found)
