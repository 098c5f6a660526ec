"""Province scale: partitions and the analyses over them on dask (optional extra)."""
