"""The bundled synthetic sample park and its generator."""

#: What every output made from the sample says about it (console, ``summary.json``).
SYNTHETIC_NOTE = (
    "SYNTHETIC sample park: generated data calibrated to the plan's 2024 baseline; "
    "not real enterprises, parcels or roads"
)
