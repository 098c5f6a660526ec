"""The bundled synthetic sample park and its generator."""
