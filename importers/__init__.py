"""Importers: outside data (files, OSM) into the model."""
