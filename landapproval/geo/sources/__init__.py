"""Where layers come from: files pyogrio reads and PostGIS tables, over what every source shares (base)."""
