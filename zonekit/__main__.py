"""Allow ``python -m zonekit``."""

from zonekit.cli.app import main

if __name__ == "__main__":
    main()
