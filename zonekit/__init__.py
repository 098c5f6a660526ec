"""zonekit: land-use and functional-zone analysis for industrial parks.

The package is assembled from the repository's top-level folders:
``zones/`` → :mod:`zonekit.zones` (layer model, I/O, validation, CRS),
``analysis/`` → :mod:`zonekit.analysis` (pure computations),
``maps/`` → :mod:`zonekit.maps` (rendering), ``data/`` → :mod:`zonekit.data`
(the synthetic sample park). Heavy modules are imported lazily.
"""

__version__ = "0.1.0"
