"""`zonekit scale` through a TLS scheduler (a LocalCluster with temporary certificates).

The sample park is partitioned, then evaluated on a cluster at ``tls://127.0.0.1`` joined
with a ``--security`` YAML; the answers equal one ordinary run over the same data.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed", reason="dask.distributed not installed: "
                    "pip install 'zonekit[scale]' to test partitioned runs")
pytest.importorskip("dask_geopandas", reason="dask-geopandas not installed: "
                    "pip install 'zonekit[scale]' to test partitioned runs")
pytest.importorskip("cryptography", reason="cryptography not installed (Security.temporary "
                    "makes the test certificates): pip install 'zonekit[test]'")

import geopandas as gpd  # noqa: E402
import scale_fixtures  # noqa: E402
from scale_fixtures import assert_same, single_run  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from zonekit.analysis.mujun import evaluation as mujun  # noqa: E402
from zonekit.analysis.scale import partitions as pt  # noqa: E402
from zonekit.analysis.scale.security import cluster_security  # noqa: E402
from zonekit.cli.app import app  # noqa: E402
from zonekit.errors import DataFileError, ZonekitError  # noqa: E402

tls_cluster = scale_fixtures.tls_cluster  # the TLS LocalCluster fixture, shared


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside dask's parquet reader
def test_sample_through_a_tls_scheduler_equals_one_run(tls_cluster, tmp_path) -> None:
    address, security = tls_cluster
    parts = tmp_path / "parts"
    run = CliRunner().invoke(app, ["scale", "partition", "--parts", "3", "--out", str(parts)])
    assert run.exit_code == 0, run.output
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["scale", "intensity", "--parts", str(parts), "--out",
                                   str(out), "--scheduler", address, "--security",
                                   str(security)])
    assert run.exit_code == 0, run.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["cluster"]["scheduler"] == address
    concat = {name: pd.concat([gpd.read_parquet(f) for f in sorted((parts / name).glob("*"))],
                              ignore_index=True) for name in pt.LAYERS}
    want = single_run(concat["zones"], concat["parcels"], concat["enterprises"],
                      mujun.load_mujun_profile(), summary["data_year"])
    ents = pd.concat([gpd.read_parquet(f) for f in (out / "enterprises").glob("*")])
    cols = ["class", "rank", "grade_status", "total_score"]
    w = want.enterprises.set_index("ent_id")
    assert_same(ents.set_index("ent_id").loc[w.index, cols], w[cols], "enterprises over TLS")
    parcels = pd.concat([gpd.read_parquet(f) for f in (out / "parcels").glob("*")])
    wp = want.parcels.set_index("parcel_id")
    cols = ["class", "low_efficiency", "reasons"]
    assert_same(parcels.set_index("parcel_id").loc[wp.index, cols], wp[cols], "parcels over TLS")
    zones = pd.read_csv(out / "zones.csv", encoding="utf-8-sig")
    np.testing.assert_allclose(zones["revenue_yi"], want.zones["revenue_yi"], rtol=1e-4)
    assert summary["low_efficiency_parcels"] == int(want.parcels["low_efficiency"].sum())


def test_tls_without_certificates_is_refused(tls_cluster, tmp_path) -> None:
    address, security = tls_cluster
    with pytest.raises(ZonekitError, match="uses TLS but no certificates"):
        cluster_security(None, address)  # dask's config here has no TLS settings
    bad = tmp_path / "bad.yaml"
    bad.write_text("ca_file: ca.pem\npassword: x\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="found password"):
        cluster_security(bad, address)
    bad.write_text("ca_file: missing.pem\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="missing.pem not found"):
        cluster_security(bad, address)
    assert cluster_security(security, address).tls_client_key.endswith("key.pem")
