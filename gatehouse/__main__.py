"""``python -m gatehouse ...``: the ``gatehouse`` command."""

from gatehouse.cli import app

if __name__ == "__main__":
    app(prog_name="gatehouse")
