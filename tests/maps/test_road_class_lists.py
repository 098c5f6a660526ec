"""``road_class``: text values (factorised directly) and osmnx lists, the same classes.

Lists are unhashable, so they are read as their text; text values need no Python call per road.
"""

from __future__ import annotations

import pandas as pd

from zonekit.maps.base_layers import road_class


def test_lists_and_their_text_get_the_same_class() -> None:
    text = pd.Series(["primary", "['tertiary', 'residential']", None, "trunk_link", "path"],
                     dtype=object)
    lists = text.copy()
    lists.iat[1] = ["tertiary", "residential"]
    assert road_class(text).tolist() == road_class(lists).tolist() == [
        "major", "secondary", "minor", "major", "minor"]
