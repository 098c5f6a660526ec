"""`zonekit scale` on an object store: partitions and results at ``s3://`` URLs.

The store is moto's S3 server on 127.0.0.1 (a real HTTP object store in this process, no
network), read and written through s3fs. The sample park is partitioned into a bucket,
evaluated from there on a TLS LocalCluster into the bucket, and the answers equal one
ordinary run over the same data.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

for _module, _what in (("distributed", "pip install 'zonekit[scale]'"),
                       ("dask_geopandas", "pip install 'zonekit[scale]'"),
                       ("s3fs", "pip install 'zonekit[cloud]'"),
                       ("upath", "pip install 'zonekit[cloud]'"),
                       ("moto.server", "pip install 'zonekit[test]' (moto[server])"),
                       ("cryptography", "pip install 'zonekit[test]'")):
    pytest.importorskip(_module, reason=f"{_module} not installed: {_what} to test runs on "
                        "an object store")

import scale_fixtures  # noqa: E402
from scale_fixtures import assert_same, single_run  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from zonekit.analysis.mujun import evaluation as mujun  # noqa: E402
from zonekit.analysis.scale import partitions as pt  # noqa: E402
from zonekit.cli.app import app  # noqa: E402
from zonekit.zones.storage import location, read_geoparquet  # noqa: E402

tls_cluster = scale_fixtures.tls_cluster  # the TLS LocalCluster fixture, shared


@pytest.fixture(scope="module")
def s3_server():
    """Run moto's S3 server on loopback with a bucket ``zonekit``; yields its endpoint URL."""
    import s3fs
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3fs.S3FileSystem(endpoint_url=endpoint, key="test", secret="test").mkdir("zonekit")
    yield endpoint
    server.stop()


@pytest.fixture
def storage(s3_server, tmp_path, monkeypatch):
    """A --storage-options file for the server; no credentials in the environment."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    path = tmp_path / "storage.yaml"
    path.write_text(f"endpoint_url: {s3_server}\nkey: test\nsecret: test\n", encoding="utf-8")
    return path


def _frames(url: str, layer: str, options: dict) -> pd.DataFrame:
    files = sorted((location(url, options) / layer).glob("*.parquet"), key=str)
    assert files, f"no files under {url}/{layer}"
    return pd.concat([read_geoparquet(f) for f in files], ignore_index=True)


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside dask's parquet reader
def test_sample_through_s3_and_tls_equals_one_run(storage, s3_server, tls_cluster) -> None:
    address, security = tls_cluster
    options = {"endpoint_url": s3_server, "key": "test", "secret": "test"}
    parts, out = "s3://zonekit/sample/parts", "s3://zonekit/sample/out"
    run = CliRunner().invoke(app, ["scale", "partition", "--parts", "3", "--out", parts,
                                   "--storage-options", str(storage)])
    assert run.exit_code == 0, run.output
    run = CliRunner().invoke(app, ["scale", "intensity", "--parts", parts, "--out", out,
                                   "--scheduler", address, "--security", str(security),
                                   "--storage-options", str(storage)])
    assert run.exit_code == 0, run.output
    summary = json.loads((location(out, options) / "summary.json").read_text(encoding="utf-8"))
    assert summary["cluster"]["scheduler"] == address
    assert summary["parts"] == parts
    assert sorted(summary["files"])[0] == "enterprises/part-0000.parquet"
    concat = {name: _frames(parts, name, options) for name in pt.LAYERS}
    want = single_run(concat["zones"], concat["parcels"], concat["enterprises"],
                      mujun.load_mujun_profile(), summary["data_year"])
    ents = _frames(out, "enterprises", options).set_index("ent_id")
    w = want.enterprises.set_index("ent_id")
    cols = ["class", "rank", "grade_status", "total_score"]
    assert_same(ents.loc[w.index, cols], w[cols], "enterprises through S3")
    parcels = _frames(out, "parcels", options).set_index("parcel_id")
    wp = want.parcels.set_index("parcel_id")
    cols = ["class", "low_efficiency", "reasons"]
    assert_same(parcels.loc[wp.index, cols], wp[cols], "parcels through S3")
    with (location(out, options) / "zones.csv").open("rb") as fh:
        zones = pd.read_csv(fh, encoding="utf-8-sig")
    np.testing.assert_allclose(zones["revenue_yi"], want.zones["revenue_yi"], rtol=1e-4)
    assert summary["low_efficiency_parcels"] == int(want.parcels["low_efficiency"].sum())
    staging = [p for p in location("s3://zonekit/sample", options).iterdir() if "staging" in p.name]
    assert not staging, "the staging prefix was left behind"


def test_s3_out_with_credentials_from_the_environment(s3_server, monkeypatch) -> None:
    """No --storage-options: botocore's own AWS_* variables reach the store."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()
    out = "s3://zonekit/env/parts"
    run = CliRunner().invoke(app, ["scale", "partition", "--parts", "2", "--out", out])
    assert run.exit_code == 0, run.output
    assert len(list((location(out) / "parcels").glob("*.parquet"))) == 2
    again = CliRunner().invoke(app, ["scale", "partition", "--parts", "2", "--out", out])
    assert again.exit_code != 0
    assert "holds results of an earlier run" in again.output
    forced = CliRunner().invoke(app, ["scale", "partition", "--parts", "1", "--out", out,
                                      "--force"])
    assert forced.exit_code == 0, forced.output
    assert [p.name for p in (location(out) / "parcels").glob("*.parquet")] == ["part-0000.parquet"]
    s3fs.S3FileSystem.clear_instance_cache()


def test_scale_circles_from_and_to_s3_equals_the_local_run(storage, s3_server, tls_cluster,
                                                           tmp_path) -> None:
    """Origins, roads and facilities read from the bucket by the workers; results written there."""
    import s3fs
    from scale_fixtures import scale_data

    address, security = tls_cluster
    options = {"endpoint_url": s3_server, "key": "test", "secret": "test"}
    data = scale_data()
    data.write_city(data.make_city(12, facilities=20, seed=5), tmp_path, tiles=2)
    fs = s3fs.S3FileSystem(**options)
    for layer in ("population", "roads", "facilities"):
        fs.put(str(tmp_path / layer), f"zonekit/city/{layer}", recursive=True)

    def run(where: str, out: str, *more: str) -> None:
        args = ["scale", "circles", "--origins", f"{where}/population", "--roads",
                f"{where}/roads", "--facilities", f"{where}/facilities", "--minutes", "10",
                "--origin-id", "cell_id", "--tile-km", "0.6", "--scheduler", address,
                "--security", str(security), "--out", out, *more]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output

    run(str(tmp_path), str(tmp_path / "local"))
    run("s3://zonekit/city", "s3://zonekit/city/out", "--storage-options", str(storage))
    local = pd.concat([read_geoparquet(f) for f in (tmp_path / "local" / "origins").glob("*")])
    remote = _frames("s3://zonekit/city/out", "origins", options)
    assert len(local) == len(remote) > 0
    local, remote = (f.set_index("cell_id").sort_index() for f in (local, remote))
    cols = [c for c in local.columns if c.startswith("minutes_")]
    assert cols
    pd.testing.assert_frame_equal(remote[cols], local[cols])
    summary = json.loads((location("s3://zonekit/city/out", options) / "summary.json")
                         .read_text(encoding="utf-8"))
    assert summary["inputs"]["origins"] == "s3://zonekit/city/population"
