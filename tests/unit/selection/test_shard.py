"""Shards: parsing `K/N`, and every path in exactly one shard."""

import pytest

from mdverify.selection.shard import Shard, ShardError, parse_shard


def test_a_spec_names_the_shard_and_the_count():
    assert parse_shard(" 2 / 4 ") == Shard(2, 4)


@pytest.mark.parametrize("spec", ["0/3", "4/3", "1", "a/b", "1/0", "-1/2"])
def test_a_spec_outside_one_to_n_is_an_error(spec):
    with pytest.raises(ShardError):
        parse_shard(spec)


def test_every_path_is_in_exactly_one_shard():
    paths = [f"docs/section-{n}/article-{n}.md" for n in range(200)]
    owners = [[k for k in range(1, 5) if Shard(k, 4).holds(p)] for p in paths]
    assert all(len(owner) == 1 for owner in owners)
    assert {owner[0] for owner in owners} == {1, 2, 3, 4}


def test_one_shard_holds_everything():
    assert Shard(1, 1).holds("any/path.md")
