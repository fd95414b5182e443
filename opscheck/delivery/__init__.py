"""The delivery path (incident 9): the active probes, the probe contract the platform's services honour,
and the stall diagnosis that names why delivery stalls."""

PROBE_GROUP = "delivery-probes"
"""The pytest-xdist group the delivery probes share (xdist suffixes their node ids with it)."""
