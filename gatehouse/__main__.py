"""``python -m gatehouse ...``: the ``gatehouse`` command."""

from gatehouse.cli import main

if __name__ == "__main__":
    main()
