"""Compare two result folders table by table: every CSV, and every GeoPackage layer's attributes.

Used to prove a refactoring changed no figure: ``python -m benchmarks.compare_outputs BEFORE
AFTER`` prints each table that differs (columns added or missing, rows, the largest numeric
difference) and exits 1 when any differs beyond ``--rtol`` (default 1e-9).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    import pyogrio

    out = {}
    for p in sorted(folder.rglob("*.csv")):
        out[str(p.relative_to(folder))] = pd.read_csv(p, low_memory=False)
    for p in sorted(folder.rglob("*.gpkg")):
        for name, _ in pyogrio.list_layers(p):
            if name == "layer_styles":
                continue
            gdf = pyogrio.read_dataframe(p, layer=name)
            frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name, errors="ignore"))
            if gdf.geometry is not None and len(gdf):
                frame["_area"] = gdf.geometry.area.round(6)
                frame["_length"] = gdf.geometry.length.round(6)
            out[f"{p.relative_to(folder)}:{name}"] = frame
    return out


def compare(before: pd.DataFrame, after: pd.DataFrame, rtol: float) -> list[str]:
    """Say what differs between two tables (shared columns compared value by value)."""
    notes = []
    added = [c for c in after.columns if c not in before.columns]
    gone = [c for c in before.columns if c not in after.columns]
    if added:
        notes.append(f"columns added: {added}")
    if gone:
        notes.append(f"columns missing: {gone}")
    if len(before) != len(after):
        return [*notes, f"rows {len(before)} → {len(after)}"]
    for col in [c for c in before.columns if c in after.columns]:
        a, b = before[col], after[col]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            x, y = a.to_numpy(float), b.to_numpy(float)
            same = np.isclose(x, y, rtol=rtol, atol=1e-12, equal_nan=True)
            if not same.all():
                notes.append(f"{col}: {int((~same).sum())} values differ, max "
                             f"{np.nanmax(np.abs(x - y)):.3g}")
        elif not a.astype(str).equals(b.astype(str)):
            notes.append(f"{col}: {int((a.astype(str) != b.astype(str)).sum())} values differ")
    return notes


def main(argv: list[str] | None = None) -> int:
    """Compare BEFORE and AFTER; print the differences; 1 when any table differs."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--rtol", type=float, default=1e-9)
    args = ap.parse_args(argv)
    a, b = _tables(args.before), _tables(args.after)
    bad = 0
    for name in sorted(set(a) | set(b)):
        if name not in b:
            print(f"{name}: missing after"), (bad := bad + 1)
            continue
        if name not in a:
            print(f"{name}: new after")
            continue
        notes = compare(a[name], b[name], args.rtol)
        if notes:
            bad += any(not n.startswith("columns added") for n in notes)
            print(f"{name}: " + "; ".join(notes))
    print(f"{len(set(a) & set(b))} tables compared, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
