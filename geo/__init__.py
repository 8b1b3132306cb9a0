"""Domain models and Django-free spatial algorithms of wangge."""
