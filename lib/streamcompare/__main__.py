"""`python -m streamcompare` runs the CLI."""

from streamcompare.cli import main

main()
