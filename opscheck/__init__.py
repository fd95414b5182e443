"""opscheck: the operational validation suite of the NBA player-props platform."""

__version__ = "0.1.0"
