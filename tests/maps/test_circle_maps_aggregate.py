"""Origins summed into map cells: each origin counts in the cell of its inner point."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely


def test_points_and_footprints_fall_in_the_cell_of_their_inner_point():
    """Mixed points and parcel footprints: the cells of GEOS's point on surface of each."""
    from zonekit.maps import circle_maps as cm

    rng = np.random.default_rng(5)
    n = 1_200
    x, y = rng.uniform(0, 4_000, n), rng.uniform(0, 4_000, n)
    geoms = shapely.points(x, y)
    parcels = rng.random(n) < 0.4  # L-shaped parcels: their centroid may lie outside them
    geoms[parcels] = shapely.difference(shapely.box(x[parcels], y[parcels], x[parcels] + 90,
                                                    y[parcels] + 90),
                                        shapely.box(x[parcels] + 30, y[parcels] + 30,
                                                    x[parcels] + 90, y[parcels] + 90))
    o = gpd.GeoDataFrame({"covered": x < 2_000}, geometry=geoms, crs="EPSG:4548")
    cells = cm.aggregate_origins(o, max_features=300)
    inner = gpd.GeoDataFrame(o[["covered"]], geometry=shapely.point_on_surface(geoms),
                             crs=o.crs)
    expected = cm.aggregate_origins(inner, max_features=300)
    assert len(cells) <= 300 and cells["起点数"].sum() == n
    assert cells.drop(columns="geometry").equals(expected.drop(columns="geometry"))
    assert (cells.geometry.to_wkb() == expected.geometry.to_wkb()).all()
