#!/usr/bin/env python
"""Django's command-line utility; starts the private PostGIS cluster and Redis when needed."""

import os
import sys

# Commands that never touch the database skip starting the private cluster.
_NO_DB = {"help", "version", "--help", "--version", "makemessages", "compilemessages", "check"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command != "runserver":
        # Imports, reports and restores run long statements on purpose; web requests do not.
        os.environ.setdefault("WANGGE_STATEMENT_TIMEOUT_MS", "0")
    if command and command not in _NO_DB:
        from config import pgcluster, redisserver

        code = pgcluster.main(["pgcluster", "ensure"]) or \
            redisserver.main(["redisserver", "ensure"])
        if code != 0:
            sys.exit(code)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
