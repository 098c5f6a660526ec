"""Road networks: graphs, snapping, travel profiles and the exact nearest-time engine."""
