"""Fixtures of the partitioned-run tests: a TLS LocalCluster on loopback."""

from __future__ import annotations

import pytest


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
