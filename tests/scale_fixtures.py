"""Generated provinces and the single-machine answers the partitioned runs must equal."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zonekit.analysis.land import intensity as it
from zonekit.analysis.land.measures import zone_table
from zonekit.analysis.mujun import evaluation as mujun
from zonekit.analysis.mujun import low_efficiency as lowefficiency

REPO = Path(__file__).resolve().parents[1]
#: Columns compared exactly (ids, statuses, classes, ranks, counts, flags); others 1e-9.
EXACT = ("ent_id", "parcel_id", "zone_id", "grade_status", "grade_note", "class", "rank",
         "enterprises", "parcels", "low_efficiency", "n_reasons", "reasons", "low_plot_ratio",
         "low_tax_per_mu", "class_d", "idle", "plot_ratio_unknown", "in_denominator")


@cache
def scale_data():
    """``benchmarks/scale_data.py`` loaded by path (the generator of the benchmark)."""
    spec = importlib.util.spec_from_file_location("scale_data", REPO / "benchmarks" /
                                                  "scale_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Single:
    """One run over all the data, as the single-machine commands do it."""

    enterprises: pd.DataFrame
    parcels: pd.DataFrame
    zones: pd.DataFrame
    zone_table: pd.DataFrame
    bench_enterprises: dict
    bench_parcels: dict


def single_run(zones, parcels, enterprises, profile: mujun.MujunProfile, year: int,
               denominator: str = "built") -> Single:
    """Run evaluation, flags and zone tables by the ordinary functions (as efficiency.run)."""
    ev = profile.evaluation
    ents, ent_bench = mujun.evaluate_enterprises(enterprises, parcels, ev, year)
    table = it.parcel_intensity(parcels, enterprises, denominator)
    pscore, parcel_bench = mujun.evaluate_parcels(table, ents, ev)
    flags = lowefficiency.flag_parcels(table, pscore["class"], profile.low_efficiency)
    return Single(ents, table.join(pscore).join(flags),
                  it.zone_intensity(zones, parcels, enterprises, denominator, ev.land_share),
                  zone_table(zones, parcels, enterprises, denominator), ent_bench, parcel_bench)


def assert_same(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    """Assert same rows, columns, index: :data:`EXACT` columns exactly, floats to 1e-9."""
    assert list(got.columns) == list(want.columns), f"{what}: columns differ"
    assert got.index.equals(want.index), f"{what}: index differs"
    for col in want.columns:
        a, b = got[col], want[col]
        if col in EXACT or not pd.api.types.is_float_dtype(b):
            assert a.astype(object).where(a.notna(), None).tolist() == \
                b.astype(object).where(b.notna(), None).tolist(), f"{what}: column {col} differs"
        else:
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            assert np.array_equal(np.isnan(x), np.isnan(y)), f"{what}: NaNs of {col} differ"
            ok = ~np.isnan(y)
            np.testing.assert_allclose(x[ok], y[ok], rtol=1e-9, atol=0, err_msg=f"{what}: {col}")


def assert_bench_same(got: dict, want: dict) -> None:
    """Benchmarks equal to 1e-9 (in practice bit-identical: sums are exact)."""
    assert got.keys() == want.keys()
    for name in want:
        for key, value in want[name].items():
            if isinstance(value, float) and np.isfinite(value):
                assert got[name][key] == pytest_approx(value), (name, key)
            else:
                assert str(got[name][key]) == str(value), (name, key)


def pytest_approx(value: float):
    """``pytest.approx`` with the 1e-9 relative tolerance of these tests."""
    import pytest

    return pytest.approx(value, rel=1e-9, abs=0)


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    """A TLS LocalCluster on loopback, and a security file holding its client's certificates."""
    from distributed import LocalCluster, Security

    sec = Security.temporary()
    folder = tmp_path_factory.mktemp("tls")
    for name, pem in (("ca.pem", sec.tls_ca_file), ("cert.pem", sec.tls_client_cert),
                      ("key.pem", sec.tls_client_key)):
        (folder / name).write_text(pem, encoding="utf-8")
    (folder / "security.yaml").write_text("ca_file: ca.pem\ncert: cert.pem\nkey: key.pem\n",
                                          encoding="utf-8")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, security=sec,
                      protocol="tls://", host="127.0.0.1", dashboard_address=":0") as cluster:
        assert cluster.scheduler_address.startswith("tls://127.0.0.1")
        yield cluster.scheduler_address, folder / "security.yaml"
