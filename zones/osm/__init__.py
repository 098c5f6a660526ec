"""OpenStreetMap roads and facilities (files offline, areas through osmnx).

Every output made from OSM data must carry :data:`OSM_ATTRIBUTION`.
"""

from __future__ import annotations

from zonekit.zones.osm.download import download_facilities, download_roads
from zonekit.zones.osm.facilities import read_osm_facilities
from zonekit.zones.osm.graph import roads_from_graph
from zonekit.zones.osm.roads import is_osm_file, read_osm_roads

#: The attribution OSM's licence (ODbL) requires on every product made from its data.
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"

__all__ = ["OSM_ATTRIBUTION", "download_facilities", "download_roads", "is_osm_file",
           "read_osm_facilities", "read_osm_roads", "roads_from_graph"]
