"""zonekit command-line interface (the only place the pieces are put together)."""
