"""A deterministic slice of the 2025-26 NBA season for the local platform.

Why synthetic but structured: the checks need a season whose shape matches
production (off days, the All-Star break, a few hundred players, prop lines
for the top of each rotation, re-runs that supersede rows) and a signal a real
CatBoost model can learn, so hit rates land where production's do. Everything
is a pure function of the seed number: a rerun gives the same data.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

SEASON_START = dt.date(2025, 10, 21)
TODAY = dt.date(2026, 2, 9)
SCHEDULE_END = dt.date(2026, 2, 28)
ALL_STAR_BREAK = (dt.date(2026, 2, 13), dt.date(2026, 2, 18))
OFF_DAYS = frozenset(
    {dt.date(2025, 11, 27), dt.date(2025, 12, 24)}
    | {ALL_STAR_BREAK[0] + dt.timedelta(days=i) for i in range(6)}
)
FEATURE_COUNT = 33
PLAYERS_PER_TEAM = 12
LINES_PER_TEAM = 4
TEAMS = (
    "ATL", "BOS", "BKN", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW", "HOU", "IND", "LAC", "LAL", "MEM",
    "MIA", "MIL", "MIN", "NOP", "NYK", "OKC", "ORL", "PHI", "PHX", "POR", "SAC", "SAS", "TOR", "UTA", "WAS",
)
_FIRST = ["jalen", "tyrese", "devin", "jaylen", "luka", "anthony", "donovan", "trae", "jamal", "desmond"]
_LAST = ["brooks", "carter", "dawson", "ellis", "foster", "grant", "hayes", "irving", "jones", "keller"]

# Spread of a player's day-to-day form (what the features reveal and the line
# does not), of the book's error on the player's level, and of the game itself.
FORM_SD = 3.2
LINE_SD = 1.2
GAME_SD = 6.0


@dataclass(frozen=True)
class Player:
    lookup: str
    team: str
    level: float  # expected points per game


@dataclass(frozen=True)
class Game:
    game_id: str
    game_date: dt.date
    home: str
    away: str


@dataclass(frozen=True)
class PlayerDay:
    """One player's prop line day: what the features say and what happened."""

    player: Player
    game: Game
    line_value: float
    features: tuple[float, ...]
    actual_points: int


def _rng(seed: int, *parts: int) -> np.random.Generator:
    return np.random.default_rng([seed, *parts])


def _number(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


@functools.cache
def players(seed: int) -> tuple[Player, ...]:
    """Twelve players a team; the first few score most (they get the prop lines)."""
    rng = _rng(seed, 1)
    roster: list[Player] = []
    for t, team in enumerate(TEAMS):
        for rank in range(PLAYERS_PER_TEAM):
            first = _FIRST[(t + rank) % len(_FIRST)]
            last = _LAST[(t * 3 + rank * 7) % len(_LAST)]
            level = float(np.clip(27.0 - 2.0 * rank + rng.normal(0, 2.0), 3.0, 36.0))
            roster.append(Player(f"{first}{last}{team.lower()}{rank:02d}", team, round(level, 2)))
    return tuple(roster)


def is_game_day(day: dt.date) -> bool:
    return day not in OFF_DAYS


@functools.cache
def games(seed: int, day: dt.date) -> tuple[Game, ...]:
    """That day's games: four to eleven pairings of distinct teams (none on off days)."""
    if not is_game_day(day):
        return ()
    rng = _rng(seed, 2, day.toordinal())
    count = int(rng.integers(4, 12))
    order = rng.permutation(len(TEAMS))
    stamp = day.strftime("%Y%m%d")
    return tuple(
        Game(f"{stamp}_{TEAMS[order[2 * i + 1]]}_{TEAMS[order[2 * i]]}", day,
             TEAMS[order[2 * i]], TEAMS[order[2 * i + 1]])
        for i in range(count)
    )


def player_days(seed: int, day: dt.date) -> list[PlayerDay]:
    """Everyone with a prop line that day, with features and the real outcome."""
    roster = players(seed)
    by_team: dict[str, list[Player]] = {}
    for p in roster:
        by_team.setdefault(p.team, []).append(p)
    result: list[PlayerDay] = []
    for game in games(seed, day):
        for team in (game.away, game.home):
            top = sorted(by_team[team], key=lambda p: -p.level)[:LINES_PER_TEAM]
            result.extend(_player_day(seed, p, game) for p in top)
    return result


def _player_day(seed: int, player: Player, game: Game) -> PlayerDay:
    rng = _rng(seed, 3, _number(player.lookup), game.game_date.toordinal())
    form = rng.normal(0, FORM_SD)
    line = round((player.level + rng.normal(0, LINE_SD)) * 2) / 2
    if line == int(line):  # books post half points so there is no push
        line += 0.5
    actual = max(0, int(round(player.level + form + rng.normal(0, GAME_SD))))
    noise = rng.normal(0, 1.0, FEATURE_COUNT)
    features = np.empty(FEATURE_COUNT)
    features[0] = player.level + noise[0] * 0.8  # season average
    features[1] = player.level + form + noise[1] * 1.2  # last-5 average
    features[2] = form + noise[2] * 1.5  # matchup adjustment
    features[3] = 30 + form * 0.8 + noise[3] * 2  # projected minutes
    features[4] = line  # the line itself
    features[5:] = noise[5:]  # the rest of the feature store carries little signal
    return PlayerDay(player, game, line, tuple(round(float(x), 4) for x in features), actual)


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every date from start to end inclusive."""
    for offset in range((end - start).days + 1):
        yield start + dt.timedelta(days=offset)
