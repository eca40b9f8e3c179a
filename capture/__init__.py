"""Turn a real box's output into test data: record every profile command over a read-only
session, anonymize it, and write it in the capture corpus' layout (tests/captures/)."""
