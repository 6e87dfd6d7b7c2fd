"""Scale data: realistic content in bulk, for the benchmark and for trying search.

`bench/seed.py` is the door; `loader` writes the rows, `text` composes what
they say. Nothing here is an app: no models, no migrations, nothing to install.
"""
