"""Configuration: `opscheck.toml`, parsed once into frozen, validated objects.

Why this shape: every name of the platform (project, tables, bucket, topics, services) is a default a
user can point elsewhere without code changes, and a typo in any of them must stop the session before
a check runs, with one line naming the key and the file. `schema` holds the sections (the dataclasses
are the schema), `values` what each value must be, `loading` the layers.
"""

from opscheck.config.loading import SANDBOX_DIR_ENV, find_config, load, sandbox_dir
from opscheck.config.schema import (
    CanaryVia,
    Config,
    EndpointsConfig,
    FreshnessConfig,
    GcpConfig,
    HitRateRule,
    Mode,
    ModelsConfig,
    ProbesConfig,
    PubsubConfig,
    RepoConfig,
    RunConfig,
    ServicesConfig,
    SubsetsConfig,
    TablesConfig,
    Target,
    ThresholdsConfig,
)
from opscheck.config.values import commit_problem

__all__ = ["SANDBOX_DIR_ENV", "CanaryVia", "Config", "EndpointsConfig", "FreshnessConfig", "GcpConfig", "HitRateRule",
           "Mode", "ModelsConfig", "ProbesConfig", "PubsubConfig", "RepoConfig", "RunConfig", "ServicesConfig",
           "SubsetsConfig", "TablesConfig", "Target", "ThresholdsConfig", "commit_problem", "find_config", "load",
           "sandbox_dir"]
