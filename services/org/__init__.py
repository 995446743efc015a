"""The organisation: the shipped Baota district file (``baota_org.json``), reading it into the
domain's ``Org``, and ``pingzhan org import``."""
