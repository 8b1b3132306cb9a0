"""The algorithms, free of Django: arrays, GeoDataFrames and sparse graphs in, plain results out.

Nothing here imports Django, the models or the services (an import contract in
``make test`` checks it); views, commands and reports orchestrate these functions.
"""
