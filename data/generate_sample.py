"""Generate the bundled SYNTHETIC sample park, calibrated to the plan's 2024 baseline.

Nothing here describes real enterprises or parcels. The generator lays out six zones inside
Miyun District, a perturbed street grid per zone joined by trunk/primary roads, parcels as
the blocks between the roads, ~6,300 enterprises with three years of figures, service
facilities and a population raster. The 2024 rows reproduce the figures of Table 1-1 of the
「十五五」 plan of 中关村密云园 exactly (total revenue 550.6 亿元, 30.4 亿元/km², 203.4 万元 per
employee, ...), so analyses run on the sample give the plan's baseline.

Run ``python -m zonekit.data.generate_sample [OUT_DIR]``; the default output folder is
``data/sample`` next to this file. Only ``numpy.random.default_rng(seed)`` supplies
randomness, so the same seed always gives the same data.
"""


from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio

from zonekit.data.sample_facilities import build_facilities, build_population, place_chain_platforms
from zonekit.data.sample_firms import assign_parcels, build_firms, enterprise_rows, place_firms
from zonekit.data.sample_parcels import (
    assign_status,
    build_parcels,
    built_mask,
    calibrate_built_land,
    parcel_attributes,
)
from zonekit.data.sample_spec import BIG_FIRM_WAN, DESCRIPTION, SEED, TECH, ZONES
from zonekit.data.sample_zones_roads import (
    build_road_net,
    build_zones,
    roads_frame,
    service_loop,
    village_sites,
)
from zonekit.zones.schema import DEFAULT_CRS


# =========================================================================================
# writing
# =========================================================================================
@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only on success."""
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame], seed: int) -> None:
    """All vector layers into one GeoPackage flagged synthetic in its metadata.

    Every layer carries GDAL layer metadata (``zonekit_synthetic=true``). The dataset-level
    flag is a JSON ``gpkg_metadata`` row rather than GDAL dataset metadata because GDAL
    (3.12) writes a ``park.gpkg.aux.xml`` beside any GeoPackage with GDAL dataset metadata
    each time it is merely read; GDAL reports the JSON as ``GPKG_METADATA_ITEM_1``.
    """
    meta = {"zonekit_synthetic": "true", "zonekit_description": DESCRIPTION,
            "zonekit_generator": "zonekit.data.generate_sample", "zonekit_seed": str(seed)}
    with _atomic(path) as tmp:
        for name, gdf in layers.items():
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG", layer_metadata=meta)
        with closing(sqlite3.connect(tmp)) as db, db:
            cur = db.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, "
                             "metadata) VALUES ('dataset', 'urn:zonekit:sample', "
                             "'application/json', ?)", (json.dumps(meta, ensure_ascii=False),))
            db.execute("INSERT INTO gpkg_metadata_reference (reference_scope, timestamp, "
                       "md_file_id) VALUES ('geopackage', '2026-01-01T00:00:00.000Z', ?)",
                       (cur.lastrowid,))


def write_population(path: Path, pop: np.ndarray, transform) -> None:
    """Float32 persons-per-cell GeoTIFF tagged ZONEKIT_SYNTHETIC=true."""
    profile = {"driver": "GTiff", "height": pop.shape[0], "width": pop.shape[1], "count": 1,
               "dtype": "float32", "crs": DEFAULT_CRS, "transform": transform,
               "compress": "deflate", "predictor": 3}
    with _atomic(path) as tmp, rasterio.open(tmp, "w", **profile) as dst:
        dst.write(pop, 1)
        dst.update_tags(ZONEKIT_SYNTHETIC="true", ZONEKIT_DESCRIPTION=DESCRIPTION,
                        TIFFTAG_IMAGEDESCRIPTION=DESCRIPTION, UNITS="persons per 100 m cell")
        dst.set_band_description(1, "resident persons per 100 m cell (synthetic)")


PLAN_2024 = {  # Table 1-1 and chapter 一 of the plan, for the README
    "total_revenue_yi": "550.6", "land_output_yi_per_km2": "30.4",
    "revenue_per_employee_wan": "203.4", "enterprises_2024": "6000+",
    "enterprises_ge_10yi": "11", "high_tech": "276", "specialized": "113",
    "nev_revenue_yi": "53", "life_health_revenue_yi": "39.8",
    "patents_per_10k_employees": "254.9", "tech_firms_founded_2021_2024": "~375 a year",
}


def write_readme(path: Path, figures: dict, seed: int) -> None:
    """Write the sample's README with the calibration figures."""
    rows = "\n".join(f"| {k} | {v} | {PLAN_2024.get(k, '')} |" for k, v in figures.items())
    text = f"""# Sample park — SYNTHETIC DATA

**Everything in this folder is synthetic.** It was generated by
`zonekit.data.generate_sample` (seed {seed}) and calibrated to the 2024 baseline in Table 1-1
of the 中关村密云园「十五五」plan (2026-2030). The zones sit roughly where the plan's zones are
in Miyun District, but their outlines, the roads, parcels, enterprises (names, figures,
locations), facilities and population are invented. Do not use them as facts about the park.

Files: `park.gpkg` (layers `zones`, `parcels`, `enterprises` with years 2022-2024,
`facilities`, `roads`; EPSG:4548, coordinates to 0.01 m; every layer's metadata has
`zonekit_synthetic=true`, and a dataset-level JSON metadata record says the same) and
`population.tif` (persons per 100 m cell, float32, EPSG:4548; tag `ZONEKIT_SYNTHETIC=true`).

Regenerate (deterministic; identical data for the same seed):

    python -m zonekit.data.generate_sample            # writes data/sample
    python -m zonekit.data.generate_sample OUT_DIR    # elsewhere

Deliberate features for the analyses: one small disconnected service-road loop inside a GZ
factory; low-yield industrial parcels (腾笼换鸟 candidates); gaps in services (no fresh
market or fitness in XT and LY, pharmacies and charging stations in GZ only near its
north-east hub, no charging stations in LY or XT).

## Calibration figures (computed from the layers, year 2024)

Units are in the names: `yi` = 亿元, `wan` = 万元, `km2` = km². Built land is the area
(EPSG:4548) of parcels in use or idle whose land use is construction land
(`zonekit.zones.landuse.CONSTRUCTION_CLASSES`); land output is 2024 revenue over it.
`tests/data/test_generate_sample.py` asserts the calibrated figures.

| figure | sample | plan (2024) |
|---|---|---|
{rows}
"""
    with _atomic(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


# =========================================================================================
# figures and entry points
# =========================================================================================
def calibration(layers: dict[str, gpd.GeoDataFrame], pop: np.ndarray) -> dict:
    """Measure the calibration figures from the finished layers."""
    ent, parcels = layers["enterprises"], layers["parcels"]
    e24 = ent[ent.year == 2024]
    built_km2 = parcels.area[built_mask(parcels)].sum() / 1e6
    rev = e24.revenue_wan.sum()
    by_ind = e24.groupby("industry").revenue_wan.sum()
    tech_new = e24.industry.isin(TECH) & e24.founded_year.between(2021, 2024)
    ind_land = (parcels.land_use == "1001") & parcels.status.isin(["in_use", "idle"])
    parcel_rev = e24.groupby("parcel_id").revenue_wan.sum()
    yield_ = parcels.parcel_id.map(parcel_rev).fillna(0) / (parcels.area / 1e6) / 1e4
    low_share = parcels.area[ind_land & (yield_ < 5)].sum() / parcels.area[ind_land].sum()
    return {
        "total_revenue_yi": round(rev / 1e4, 3),
        "built_land_km2": round(built_km2, 4),
        "land_output_yi_per_km2": round(rev / 1e4 / built_km2, 3),
        "employees": int(e24.employees.sum()),
        "revenue_per_employee_wan": round(rev / e24.employees.sum(), 2),
        "enterprises_2024": len(e24),
        "enterprises_ge_10yi": int((e24.revenue_wan >= BIG_FIRM_WAN).sum()),
        "high_tech": int(e24.high_tech.sum()), "specialized": int(e24.specialized.sum()),
        "listed": int(e24.listed.sum()),
        "nev_revenue_yi": round(by_ind["新能源智能汽车"] / 1e4, 3),
        "life_health_revenue_yi": round(by_ind["生命健康"] / 1e4, 3),
        "patents": int(e24.patents.sum()),
        "patents_per_10k_employees": round(e24.patents.sum() / e24.employees.sum() * 1e4, 1),
        "tech_firms_founded_2021_2024": int(tech_new.sum()),
        "revenue_2023_yi": round(ent.revenue_wan[ent.year == 2023].sum() / 1e4, 1),
        "revenue_2022_yi": round(ent.revenue_wan[ent.year == 2022].sum() / 1e4, 1),
        "employees_2023": int(ent.employees[ent.year == 2023].sum()),
        "employees_2022": int(ent.employees[ent.year == 2022].sum()),
        "industrial_land_share_below_5yi_per_km2": round(float(low_share), 3),
        "zones_km2": round(layers["zones"].area.sum() / 1e6, 2),
        "parcels": len(parcels), "roads": len(layers["roads"]),
        "facilities": len(layers["facilities"]),
        "population": int(round(float(pop.sum()))),
    }


def generate(out_dir: Path, seed: int = SEED) -> dict:
    """Generate the synthetic sample park into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder for ``park.gpkg``, ``population.tif`` and ``README.md`` (created if needed).
    seed
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same data.

    Returns
    -------
    dict
        Calibration figures measured from the written layers (see :func:`calibration`).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    zones = build_zones(rng)
    # Villages come from their own stream so they do not shift the main sequence.
    villages = village_sites(np.random.default_rng([seed, 1]), zones)
    net = build_road_net(rng, zones, villages)
    roads = roads_frame(net, [])
    parcels = build_parcels(rng, zones, roads)
    assign_status(rng, parcels)
    calibrate_built_land(rng, parcels, zones)
    low = parcel_attributes(rng, parcels)
    factory = parcels[(parcels.zone_id == "GZ") & (parcels.land_use == "1001")
                      & (parcels.status == "in_use")].area.idxmax()
    loop = service_loop(roads, parcels.geometry[factory], "GZ", ZONES[0][8])
    roads = roads_frame(net, loop)
    firms = build_firms(rng)
    where = assign_parcels(rng, firms, parcels, low)
    xy = place_firms(rng, where, parcels)
    enterprises = enterprise_rows(rng, firms, xy, parcels.parcel_id.to_numpy()[where])
    facilities = build_facilities(rng, zones, roads, parcels)
    pop, transform = build_population(rng, zones, parcels, villages)
    facilities = place_chain_platforms(np.random.default_rng([seed, 2]), zones, roads,
                                       facilities)
    layers = {
        "zones": zones,
        "parcels": parcels[["parcel_id", "zone_id", "land_use", "land_use_name", "floor_area_m2",
                            "status", "lease_end_year", "geometry"]],
        "enterprises": enterprises, "facilities": facilities,
        "roads": roads.drop(columns="zone_id"),
    }
    figures = calibration(layers, pop)
    write_gpkg(out_dir / "park.gpkg", layers, seed)
    write_population(out_dir / "population.tif", pop, transform)
    write_readme(out_dir / "README.md", figures, seed)
    return figures


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m zonekit.data.generate_sample [OUT_DIR]``."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path(__file__).resolve().parent / "sample"
    start = time.perf_counter()
    figures = generate(out)
    for key, value in figures.items():
        print(f"{key:42s} {value}")
    print(f"wrote SYNTHETIC sample park to {out} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
