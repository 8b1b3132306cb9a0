#!/usr/bin/env python
"""Django's command-line utility; starts the private PostGIS cluster when needed."""

import os
import sys

# Commands that never touch the database skip starting the private cluster.
_NO_DB = {"help", "version", "--help", "--version", "makemessages", "compilemessages", "check"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] not in _NO_DB:
        from config import pgcluster

        code = pgcluster.main(["pgcluster", "ensure"])
        if code != 0:
            sys.exit(code)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
