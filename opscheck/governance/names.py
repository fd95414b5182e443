"""The model file-name convention: formatted and parsed by the same code, so a name means one model."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

_STAMP = "%Y%m%dT%H%M%S"
DEFAULT_FEATURES = 33


@dataclasses.dataclass(frozen=True)
class ModelName:
    """What a model file name encodes: feature count, training window, creation time (UTC).

    `catboost_v9_{F}f_train{YYYYMMDD}-{YYYYMMDD}_{YYYYMMDDTHHMMSS}.cbm`; the
    model version `v9_{YYYYMMDD}_{HHMMSS}` is the creation time's.
    """

    features: int
    training_start: dt.date
    training_end: dt.date
    created: dt.datetime
    system_id: str = "catboost_v9"

    @property
    def file(self) -> str:
        return (f"{self.system_id}_{self.features}f_train{self.training_start:%Y%m%d}-"
                f"{self.training_end:%Y%m%d}_{self.created:{_STAMP}}.cbm")

    @property
    def version(self) -> str:
        return f"{_version_prefix(self.system_id)}{self.created:%Y%m%d_%H%M%S}"


def _version_prefix(system_id: str) -> str:
    """`catboost_v9` -> `v9_`: the model family's tag starts every model version."""
    return system_id.rsplit("_", 1)[-1] + "_"


def parse_model_file(file: str, system_id: str = "catboost_v9") -> ModelName:
    """The parts of a conventional model file name; ValueError saying what is off."""
    pattern = re.compile(rf"^{re.escape(system_id)}_(\d+)f_train(\d{{8}})-(\d{{8}})_(\d{{8}}T\d{{6}})\.cbm$")
    match = pattern.match(file)
    if not match:
        raise ValueError(f"{file!r} does not follow {system_id}_{{F}}f_train{{YYYYMMDD}}-{{YYYYMMDD}}_"
                         "{YYYYMMDDTHHMMSS}.cbm")
    features, start, end, created = match.groups()
    try:
        return ModelName(
            int(features),
            dt.datetime.strptime(start, "%Y%m%d").date(),
            dt.datetime.strptime(end, "%Y%m%d").date(),
            dt.datetime.strptime(created, _STAMP).replace(tzinfo=dt.UTC),
            system_id,
        )
    except ValueError:
        raise ValueError(f"{file!r}: its dates are not real dates") from None


def model_file_name(features: int, start: dt.date, end: dt.date, created: dt.datetime,
                    system_id: str = "catboost_v9") -> str:
    """The conventional file name (the `opscheck registry name` command)."""
    return ModelName(features, start, end, created.astimezone(dt.UTC), system_id).file


def model_version(file: str, system_id: str = "catboost_v9") -> str:
    """The model version a conventional file name implies (`v9_YYYYMMDD_HHMMSS`)."""
    return parse_model_file(file, system_id).version
