"""Pure analyses: GeoDataFrames in, GeoDataFrames/tables out."""
