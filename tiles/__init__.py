"""Mapbox Vector Tiles straight from PostGIS, with a file cache that edits invalidate."""
