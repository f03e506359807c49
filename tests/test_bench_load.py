"""The bench's load driver: alternating rounds, and the ratio of each round next to the summed one."""

import time

from bench.load import compare, ratios_by_round


def test_each_round_is_reported_next_to_the_summed_ratio():
    def slow(_client):
        time.sleep(0.02)  # five times and more the fast side, however loaded the machine is

    def fast(_client):
        time.sleep(0.001)

    ours, baseline = compare((slow, [None, None]), (fast, [None, None]), count=16, rounds=4)

    assert (ours.operations, baseline.operations) == (16, 16)
    by_round = ratios_by_round(ours, baseline)
    assert len(by_round) == 4
    # one ratio per round, each with the slow side well below the fast one
    assert all(0 < ratio < 0.8 for ratio in by_round)
