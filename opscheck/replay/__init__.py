"""Record and replay at the gateway interface, and the socket block that keeps an offline run offline.

`scenarios` reads and names recordings on disk, `channels` answers calls from them (offline) or
performs and keeps them (record), `scrub` takes secrets out of what is kept, `offline` refuses every
socket while a replay runs.
"""

from opscheck.replay.channels import LATENCY_ENV, RecordChannel, RecordingMissing, ReplayChannel, latency_from_env
from opscheck.replay.scenarios import BLOBS, META, RECORDINGS, Scenario, available, key, today_of
from opscheck.replay.scrub import scrub

__all__ = ["BLOBS", "LATENCY_ENV", "META", "RECORDINGS", "RecordChannel", "RecordingMissing", "ReplayChannel",
           "Scenario", "available", "key", "latency_from_env", "scrub", "today_of"]
