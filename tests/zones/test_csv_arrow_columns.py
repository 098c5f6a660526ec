"""write_csv converts column by column to Arrow: every kind of column reads back as written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from zonekit.zones.io import write_csv


def test_columns_of_every_kind_read_back_as_pandas_wrote_them(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "id": pd.array(["a", "b", None], dtype="string"),
        "n": [1, 2, 3],
        "whole": [1.0, 2.0, np.nan],
        "part": [0.1, -2.5e-7, 1e21],
        "ok": [True, False, True],
        "kind": pd.Categorical(["x", "y", "x"]),
        "text": ["甲", None, "丙"],
    })
    ours = write_csv(frame, tmp_path / "ours.csv")
    frame.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8-sig")
    back = pd.read_csv(ours, encoding="utf-8-sig")
    expected = pd.read_csv(tmp_path / "pandas.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, expected)
    assert back["whole"].dtype == float and back["ok"].dtype == bool
    text = ours.read_text(encoding="utf-8-sig")
    assert '"True"' in text and '"1.0"' in text  # pandas's booleans; floats stay floats


def test_mixed_and_duplicate_columns_go_through_pandas(tmp_path: Path) -> None:
    mixed = pd.DataFrame({"v": ["a", 1.5], "w": [1, 2]})
    write_csv(mixed, tmp_path / "mixed.csv")
    assert (tmp_path / "mixed.csv").read_text(encoding="utf-8-sig") == "v,w\na,1\n1.5,2\n"
    twice = pd.DataFrame([[1, 2]], columns=["a", "a"])
    write_csv(twice, tmp_path / "twice.csv")
    assert (tmp_path / "twice.csv").read_text(encoding="utf-8-sig") == "a,a\n1,2\n"
