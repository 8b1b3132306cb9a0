"""Pages, front-end assets and maps of wangge."""
