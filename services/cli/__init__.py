"""The ``pingzhan`` command: ``main`` (parser and dispatch), one module per command group
(``serve``, ``operator``, ``reads``, ``org``, ``reports``, ``simulate``), ``send`` (publish and wait
for outcomes), ``render`` (tables for people) and ``console`` (one-line errors)."""
