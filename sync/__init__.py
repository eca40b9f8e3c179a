"""One OLT's sync as plain functions (no orchestrator): sync/olt.py; what an orchestrator hands
it: sync/edges.py."""
