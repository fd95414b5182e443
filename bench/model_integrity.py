"""Time and peak memory of the model-integrity check's work, for the real model and a 200 MB object.

Against a private local platform, through opscheck's own Storage gateway and
ProductionModel view (the code the check runs): download with the streamed
SHA-256, CatBoost load, golden re-score. Then the same download of a 200 MB
object of random bytes. Peak memory is Python's own allocations during the
download (tracemalloc), which is what would grow if the object were held in
memory; CatBoost's native allocations are not in it, so the load and re-score
are timed only. Target: the 200 MB download's peak under 1.2x the small one's.
Run: `.venv/bin/python bench/model_integrity.py`.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from _figures import against
from _live import local_platform

from opscheck import config
from opscheck.platform import Platform
from opscheck.sandbox import schema
from opscheck.views import ProductionModel, Views

BIG = 200 * 1024**2
TARGET = 1.2


def measured(step: Callable[[], Any]) -> tuple[float, int, Any]:
    """Wall time, Python peak allocation above the start, and the result of `step`."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    result = step()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return elapsed, peak, result


def main() -> None:
    with local_platform() as sandbox:
        platform = Platform(config.load(None, overlays=(sandbox.target_file,)))
        model = Views.of(platform, platform.config.today()).get(ProductionModel)
        small_time, small_peak, (info, _) = measured(lambda: model.download)
        load_time, _, features = measured(model.feature_count)
        golden = model.golden()
        assert golden is not None, "no golden sample: run `make recordings`"
        score_time, _, scored = measured(lambda: model.rescore(golden))
        name = schema.MODEL_PREFIX + "bench-200mb.bin"
        with open("/dev/urandom", "rb") as random:
            payload = random.read(BIG)
        sandbox.storage().bucket(schema.BUCKET).blob(name).upload_from_string(payload, timeout=300)
        del payload
        try:
            big_time, big_peak, (big, local) = measured(lambda: platform.storage.download(platform.storage.path(name)))
            os.unlink(local)
        finally:
            sandbox.storage().bucket(schema.BUCKET).blob(name).delete(timeout=60)
    print(f"production model ({info['size'] / 1024:.0f} KiB, {features} features, {len(scored)} golden rows):")
    print(f"  download + SHA-256 {small_time * 1000:7.1f} ms   peak {small_peak / 1024:8.1f} KiB")
    print(f"  CatBoost load      {load_time * 1000:7.1f} ms")
    print(f"  golden re-score    {score_time * 1000:7.1f} ms")
    print(f"200 MB object ({big['size'] / 1024**2:.0f} MiB):")
    print(f"  download + SHA-256 {big_time * 1000:7.1f} ms   peak {big_peak / 1024:8.1f} KiB "
          f"({big['size'] / big_time / 1024**2:.0f} MiB/s)")
    print(against("peak memory, 200 MB / production model", big_peak / small_peak, TARGET, "x"))


if __name__ == "__main__":
    main()
