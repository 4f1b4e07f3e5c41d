"""`python -m stripper` runs the `stripper` command line."""

from .cli import main

if __name__ == "__main__":
    main()
