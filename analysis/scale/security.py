"""TLS for a dask cluster: a ``distributed.Security`` from dask's config or a small YAML file.

A scheduler at ``tls://…`` (Kubernetes, dask-gateway, Coiled) wants the client to show a
certificate. :func:`cluster_security` takes what the caller gave — a
``distributed.Security``, a YAML file, or nothing (then dask's own configuration,
``distributed.comm.tls.*`` in ``~/.config/dask/*.yaml`` or ``DASK_DISTRIBUTED__COMM__TLS__*``
variables) — and refuses a ``tls://`` address with no certificates at all, which dask
would only report as "TLS expects a ssl_context". The YAML file holds::

    ca_file: /path/ca.pem        # the cluster's certificate authority
    cert: /path/client-cert.pem  # the client's certificate …
    key: /path/client-key.pem    # … and its key (may be left out if ``cert`` holds both)

(``distributed.Security``'s own names ``tls_ca_file``, ``tls_client_cert``,
``tls_client_key`` are accepted too.) Relative paths are taken from the file's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zonekit.errors import DataFileError, ZonekitError

#: Keys of a security file → ``distributed.Security`` fields.
FIELDS = {"ca_file": "tls_ca_file", "cert": "tls_client_cert", "key": "tls_client_key"}


def cluster_security(security: Any, scheduler: str | None) -> Any:
    """Return the ``distributed.Security`` to join ``scheduler`` with (None: dask's default).

    Parameters
    ----------
    security
        A ``distributed.Security``, a YAML file path (see the module docstring), or None
        for dask's configuration.
    scheduler
        The scheduler's address (``tls://`` needs certificates), or None for a LocalCluster.

    Raises
    ------
    DataFileError
        The file is missing, not YAML, has unknown keys or names a missing certificate.
    ZonekitError
        A ``tls://`` address and no certificate in the file nor in dask's configuration.
    """
    from distributed import Security

    if isinstance(security, (str, Path)):
        security = _from_file(Path(security))
    elif security is not None and not isinstance(security, Security):
        raise ZonekitError(f"security= expects a distributed.Security or a YAML file, "
                           f"got {type(security).__name__}")
    if scheduler and str(scheduler).startswith("tls://"):
        found = security if security is not None else Security()  # reads dask's config
        if not (found.tls_ca_file or found.tls_client_cert):
            raise ZonekitError(
                f"scheduler='{scheduler}' uses TLS but no certificates were given: pass a "
                "security file (ca_file, cert, key) or set distributed.comm.tls.ca-file and "
                "distributed.comm.tls.client.cert/key in dask's configuration")
        return found
    return security


def _from_file(path: Path) -> Any:
    import yaml
    from distributed import Security

    if not path.is_file():
        raise DataFileError(f"{path}: security file not found")
    try:
        given = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not a YAML file ({exc})") from None
    known = set(FIELDS) | set(FIELDS.values()) | {"require_encryption"}
    if not isinstance(given, dict) or set(given) - known:
        extra = sorted(set(given) - known) if isinstance(given, dict) else [type(given).__name__]
        raise DataFileError(f"{path}: expected the keys ca_file, cert, key (and "
                            f"require_encryption); found {', '.join(map(str, extra))}")
    fields: dict[str, Any] = {"require_encryption": bool(given.get("require_encryption", True))}
    for key, name in FIELDS.items():
        value = given.get(key, given.get(name))
        if value is None:
            continue
        file = Path(value).expanduser()
        file = file if file.is_absolute() else path.parent / file
        if not file.is_file():
            raise DataFileError(f"{path}: {key}: {file} not found")
        fields[name] = str(file)
    return Security(**fields)
