"""The inventory: which OLTs to sync, how to reach them, and what their profiles are."""
