"""The travel modes zonekit knows, in one place.

Each mode has a travel profile (``analysis/profiles/travel.yaml``: speeds, exclusions,
one-ways) and an osmnx network filter (:mod:`zonekit.zones.osm.filters`) that selects its
ways from an OSM file. Circle kinds name one of them (``mode:`` of a profile entry).
"""

from __future__ import annotations

#: Travel modes, in the order shown to users (options, completion, QGIS).
MODES = ("walk", "bike", "drive")
#: Each mode's name in Chinese, for labels (the QGIS provider's mode choice).
NAMES_ZH = {"walk": "步行", "bike": "骑行", "drive": "驾车"}
