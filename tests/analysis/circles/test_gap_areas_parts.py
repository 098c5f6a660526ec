"""Gap areas collect their pieces' parts: the same shapes as a coverage union, valid."""

from __future__ import annotations

import numpy as np
import shapely
from affine import Affine

from zonekit.analysis.circles.gap_areas import gap_areas, name_gaps
from zonekit.analysis.circles.gaps import grid_gaps
from zonekit.zones.raster import Grid


def test_areas_equal_the_coverage_union_of_their_pieces() -> None:
    rng = np.random.default_rng(3)
    grid = Grid(Affine(100.0, 0.0, 500_000.0, 0.0, -100.0, 4_470_000.0), 40, 30, "EPSG:4548")
    masks = {"a": rng.random((30, 40)) < 0.45, "b": np.zeros((30, 40), bool)}
    masks["b"][5:9, 5:9] = True  # a piece with a hole, and one touching it at a corner
    masks["b"][6:8, 6:8] = False
    masks["b"][9, 9] = True
    gaps = grid_gaps(masks, grid, {"a": "甲", "b": "乙"}, "EPSG:4548",
                     {"population": np.full((30, 40), 2.0)})
    areas = gap_areas(name_gaps(gaps, None, None), "population")
    assert list(areas["category"]) == ["a", "b"]  # no zones, no roads: one area each
    for row in areas.itertuples():
        pieces = gaps.loc[gaps["category"] == row.category]
        union = shapely.coverage_union_all(pieces.geometry.to_numpy())
        assert row.geometry.equals(union)
        assert row.pieces == len(pieces) and row.cells == pieces["cells"].sum()
        assert row.weight == 2.0 * row.cells
    assert shapely.is_valid(areas.geometry.to_numpy()).all()
    assert areas.loc[1, "geometry"].geom_type == "MultiPolygon"  # corner touch: two parts
    assert np.isclose(areas.geometry.area.sum(),
                      sum(m.sum() for m in masks.values()) * 100.0 * 100.0)
