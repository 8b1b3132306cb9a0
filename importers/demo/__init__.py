"""Demo data: a generated district, or one derived from an OSM extract (Django-free)."""
