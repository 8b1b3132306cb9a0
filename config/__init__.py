"""Django project of wangge: settings, URLs and the private PostGIS cluster."""
