"""Layer model, reading, validation and coordinate systems."""
