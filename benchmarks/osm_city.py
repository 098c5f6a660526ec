"""A large, realistic OSM file for the OSM-reading benchmark: the real extract, tiled.

The real Aguascalientes extract in ``../shared/data/real/osm/`` (© OpenStreetMap
contributors, ODbL; 3,083 nodes, 733 ways, ~1,500 drive edges) is copied ``tiles × tiles``
times side by side, each copy shifted east/north by its width/height and its node and way
ids offset, so the result keeps real OSM topology at scale: ways of many nodes, nodes
shared between ways, one-way streets and roundabouts, ``maxspeed``, footways, service
roads and ways cut at the extract's edge. Neighbouring copies are stitched by a
residential way between their nearest corner nodes, so the city is one network rather
than separate islands. 10 × 10 tiles give ~150,000 drive edges, the size of the issue's
"dense all-road file".

Run ``python -m benchmarks.osm_city OUT.osm.pbf --tiles 10`` (the suffix chooses the format:
``.osm.pbf``, ``.osm``, ``.osm.bz2``); nothing big is kept in git, the file is regenerated.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "osm"
SOURCE = REAL / "aguascalientes.osm.pbf"
ID_STEP = 10**11  # per-tile id offset, above every real OSM id (~1.3e10 in 2026)
_LINK_ID = 9 * 10**15  # ids of the stitching ways and nodes, apart from every tile's


def _read(source: Path) -> tuple[np.ndarray, np.ndarray, list, list]:
    """Node ids, lon/lat (degrees), node tags and ways ``(id, refs, tags)`` of ``source``."""
    import osmium

    ids, xy, node_tags, ways = [], [], [], []
    for obj in osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY):
        if obj.is_node():
            ids.append(obj.id)
            xy.append((obj.location.lon, obj.location.lat))
            node_tags.append({t.k: t.v for t in obj.tags})
        else:
            ways.append((obj.id, [n.ref for n in obj.nodes], {t.k: t.v for t in obj.tags}))
    return np.array(ids, dtype=np.int64), np.array(xy), node_tags, ways


def _corner(xy: np.ndarray, used: np.ndarray, east: bool) -> int:
    """Index of the used node nearest the tile's east (else north) edge, middle third."""
    along, across = (xy[:, 0], xy[:, 1]) if east else (xy[:, 1], xy[:, 0])
    lo, hi = np.quantile(across[used], [1 / 3, 2 / 3])
    pick = np.flatnonzero(used & (across >= lo) & (across <= hi))
    return int(pick[np.argmax(along[pick])])


def write_tiled_extract(out: Path, tiles: int = 10, source: Path = SOURCE) -> Path:
    """Write ``tiles × tiles`` shifted copies of ``source`` to ``out``, stitched together.

    Parameters
    ----------
    out
        Output file; its suffix chooses the format (``.osm.pbf``, ``.osm``, ``.osm.bz2``).
    tiles
        Copies per side (10 → ~150,000 drive edges).
    source
        The OSM extract to copy.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    import osmium
    from osmium.osm.mutable import Node, Way

    if tiles < 1:
        raise ValueError(f"tiles must be >= 1, got {tiles}")
    ids, xy, node_tags, ways = _read(source)
    used = np.isin(ids, [r for _, refs, tags in ways if "highway" in tags for r in refs])
    span = (xy.max(axis=0) - xy.min(axis=0)) * 1.02  # degrees; copies 2 % apart
    east, north = _corner(xy, used, True), _corner(xy, used, False)
    west = _corner(xy * [-1, 1], used, True)
    south = _corner(xy * [1, -1], used, False)
    out.unlink(missing_ok=True)
    links = []
    with osmium.SimpleWriter(str(out)) as writer:
        for t in range(tiles * tiles):
            shift, off = span * (t % tiles, t // tiles), t * ID_STEP
            for i in range(len(ids)):
                lon, lat = (xy[i] + shift).round(7)
                writer.add_node(Node(id=int(ids[i] + off), location=(lon, lat),
                                     tags=node_tags[i]))
            if t % tiles:  # stitch to the copy on the west
                links.append((ids[west] + off, ids[east] + off - ID_STEP))
            if t >= tiles:  # and to the copy on the south
                links.append((ids[south] + off, ids[north] + off - tiles * ID_STEP))
        for t in range(tiles * tiles):
            off = t * ID_STEP
            for wid, refs, tags in ways:
                writer.add_way(Way(id=wid + off, nodes=[r + off for r in refs], tags=tags))
        for k, (a, b) in enumerate(links):
            writer.add_way(Way(id=_LINK_ID + k, nodes=[int(a), int(b)],
                               tags={"highway": "residential", "name": "link"}))
    return out


def main() -> None:
    """Command line: ``python -m benchmarks.osm_city OUT [--tiles N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--tiles", type=int, default=10)
    args = parser.parse_args()
    if not SOURCE.exists():
        raise SystemExit(f"{SOURCE} not found: the tiled city copies the real extract")
    print(write_tiled_extract(args.out, args.tiles))


if __name__ == "__main__":
    main()
