#!/usr/bin/env python3
"""Django's manage.py for the app beside it, as startproject writes it, for tests that run a
document's `python manage.py ...` lines as pasted."""

import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
