"""Prefect flows: thin orchestration over the collector and storage."""

from core.quiet_logs import keep_out_of_logs

keep_out_of_logs()  # before any flow talks to the API
