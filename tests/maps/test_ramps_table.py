"""The maps' fixed colour ramps give matplotlib's colours (matplotlib is a test dependency)."""

import pytest
from matplotlib import colormaps
from matplotlib.colors import to_hex

from zonekit.maps.ramps import ramp_colors
from zonekit.maps.style import class_colors


def _matplotlib_classes(n: int, cmap: str) -> list[str]:
    """The class colours as computed with matplotlib before the table replaced it."""
    cm = colormaps[cmap]
    if n == 1:
        return [to_hex(cm(0.6))]
    return [to_hex(cm(0.15 + 0.8 * i / (n - 1))) for i in range(n)]


@pytest.mark.parametrize("cmap", ["YlOrRd", "YlGnBu_r", "tab20"])
@pytest.mark.parametrize("n", range(1, 31))
def test_class_colors_equal_matplotlib(cmap, n):
    assert class_colors(n, cmap) == _matplotlib_classes(n, cmap)


@pytest.mark.parametrize("cmap", ["YlOrRd", "YlOrRd_r", "YlGnBu", "YlGnBu_r", "tab20"])
def test_every_position_equals_matplotlib(cmap):
    positions = [i / 1000 for i in range(1001)]
    assert ramp_colors(cmap, positions) == [to_hex(colormaps[cmap](x)) for x in positions]


def test_unknown_ramp_is_named():
    with pytest.raises(ValueError, match="'viridis'.*known"):
        class_colors(3, "viridis")
