"""Allow ``python -m planpress``."""

from planpress.cli import command

command()
