"""Alerts: what a pass over an OLT's ONU states means (outages), as plain decisions."""
