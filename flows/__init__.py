"""Prefect flows: thin orchestration over the collector and storage."""

from core.quiet_logs import keep_out_of_logs, without_tracebacks

keep_out_of_logs()  # before any flow talks to the API
without_tracebacks()  # our errors in their one line (OLTSYNC_DEBUG=1: with the traceback)
