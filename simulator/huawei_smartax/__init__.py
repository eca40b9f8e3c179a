"""Huawei SmartAX: generated OLTs (generate.py) and the CLI personality (cli.py)."""
