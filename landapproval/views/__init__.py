"""Views of a decision and of the rule book: text, explain, the printable report, the officials' table (CSV, xlsx), the map SVG, JSON Schemas."""
