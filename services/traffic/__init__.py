"""Generators of traffic for the service, not the service itself.

``scenario`` is the demo (a July rainstorm), ``workload`` the benchmark's mixed field reports,
``simulator`` one whole seeded year of the district (built from the ``year_*`` modules and
``invalid``). ``district`` holds what they share: the district's time zone and standing actors.
"""
