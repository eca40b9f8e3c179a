"""ZTE C300/C320 and C600/C620: generated OLTs (generate.py) and the CLI personalities
(base.py, c300.py, c600.py)."""
