"""Benchmarks of zonekit's network engine against its peers (see README.md)."""
