"""pingzhan (平战): peacetime/wartime switching and duty records for community grids."""
