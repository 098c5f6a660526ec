"""Service circles: life, industry and charging circles; origins, isochrones, gaps, siting."""
