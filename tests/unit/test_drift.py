"""The drift tests of views/distributions.py and the backtest's paired bound (issue 21), on numbers made here."""

from __future__ import annotations

import numpy as np
import pytest

from opscheck.views import distributions
from opscheck.views.backtest import lower_bound


def counts(values: np.ndarray) -> dict[distributions.Bin, int]:
    found: dict[distributions.Bin, int] = {}
    for v in np.floor(values):
        found[float(v)] = found.get(float(v), 0) + 1
    return found


def moments(edge: np.ndarray, line: np.ndarray) -> distributions.Moments:
    return distributions.Moments(len(edge), float(edge.sum()), float((edge ** 2).sum()), float(line.sum()),
                                 float((line ** 2).sum()), float((edge * line).sum()))


def test_the_same_distribution_is_no_drift() -> None:
    same: dict[distributions.Bin, int] = {-1.0: 10, 0.0: 20, 1.0: 10}
    verdict = distributions.histogram("edge", same, same, True, 1e-3, 0.1)
    assert verdict.statistic == 0 and not verdict.alarm


def test_a_shifted_distribution_alarms_and_says_where() -> None:
    rng = np.random.default_rng(1)
    reference, today = counts(rng.normal(0, 3, 400)), counts(rng.normal(4, 3, 200))
    verdict = distributions.histogram("edge", reference, today, True, 1e-3, 0.1)
    assert verdict.alarm and verdict.statistic > 0.4
    assert verdict.moved.startswith("the share below ") and verdict.reference == 400 and verdict.today == 200


def test_a_category_gap_names_the_category() -> None:
    verdict = distributions.histogram("recommendation", {"OVER": 50, "UNDER": 50, "PASS": 20},
                                      {"OVER": 5, "UNDER": 55, "PASS": 0}, False, 1e-3, 0.1)
    assert verdict.alarm and verdict.moved == "the UNDER share moved from 42% to 92%"


@pytest.mark.parametrize("ordered", [True, False])
def test_the_alarm_line_holds_its_false_alarm_rate(ordered: bool) -> None:
    """Two samples of daily sizes from one distribution cross the line at most alpha of the time."""
    rng = np.random.default_rng(7)
    shares = np.array([0.05, 0.1, 0.2, 0.3, 0.2, 0.1, 0.05])
    bins: list[distributions.Bin] = [float(b) if ordered else f"c{b}" for b in range(len(shares))]
    alpha, trials = 0.05, 2000
    crossed = 0
    for _ in range(trials):
        ref: dict[distributions.Bin, int] = dict(zip(bins, rng.multinomial(150, shares).tolist(), strict=True))
        now: dict[distributions.Bin, int] = dict(zip(bins, rng.multinomial(40, shares).tolist(), strict=True))
        crossed += distributions.histogram("x", ref, now, ordered, alpha, 0.0).alarm
    assert crossed / trials <= alpha


def test_the_line_widens_with_fewer_predictions_and_more_cells() -> None:
    assert distributions.gap_line(150, 20, 1, 1e-3) > distributions.gap_line(150, 60, 1, 1e-3)
    assert distributions.gap_line(150, 60, 6, 1e-3) > distributions.gap_line(150, 60, 1, 1e-3)
    assert distributions.gap_line(150, 0, 1, 1e-3) == float("inf")


def test_edges_that_fall_with_the_line_alarm() -> None:
    """A model regressing to its mean: every point of line is nearly a point less edge."""
    rng = np.random.default_rng(3)
    line_ref, line_now = rng.normal(22, 4, 150), rng.normal(22, 4, 40)
    sound = moments(rng.normal(0, 3.5, 150) - 0.2 * (line_ref - 22), line_ref)
    verdict = distributions.slope(sound, moments(23 - line_now + rng.normal(0, 1.5, 40), line_now), 1e-3, 0.3)
    assert verdict is not None and verdict.alarm and "slope" in verdict.moved
    same = distributions.slope(sound, moments(rng.normal(0, 3.5, 40) - 0.2 * (line_now - 22), line_now), 1e-3, 0.3)
    assert same is not None and not same.alarm


def test_moments_add_up_and_need_three_rows_and_two_lines() -> None:
    edge, line = np.array([1.0, -2.0, 0.5, 3.0]), np.array([20.0, 25.0, 18.0, 30.0])
    assert moments(edge[:2], line[:2]) + moments(edge[2:], line[2:]) == moments(edge, line)
    assert moments(edge[:2], line[:2]).slope() is None
    assert moments(edge, np.full(4, 20.0)).slope() is None
    fitted = moments(edge, line).slope()
    assert fitted is not None and fitted[0] == pytest.approx(np.polyfit(line, edge, 1)[0])


def test_the_paired_bound_sits_below_the_mean_by_the_confidence() -> None:
    differences = [1] * 30 + [0] * 160 + [-1] * 10
    mean = 20 / 200
    assert lower_bound(differences, 0.5) == pytest.approx(mean)
    assert lower_bound(differences, 0.95) < lower_bound(differences, 0.8) < mean
    assert lower_bound([0] * 150 + [1, -1], 0.95) < 0
