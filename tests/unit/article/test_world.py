"""The world keys of directives (`mdverify.article.world`), read through the directives."""

import pytest

from mdverify.article.directives import DirectiveError, parse_comment, parse_mapping
from mdverify.model import ServeCheck


def test_front_matter_files_become_name_content_pairs():
    world = parse_mapping({"files": {"a.txt": "one\n", "sub/b.txt": "two"}}).world
    assert world.files == (("a.txt", "one\n"), ("sub/b.txt", "two"))


def test_hosts_as_a_list_or_with_latency():
    assert parse_mapping({"hosts": ["Example.com"]}).world.hosts == (("example.com", 0.0),)
    with_latency = parse_mapping({"hosts": {"slow.test": {"latency": 0.5}, "b.test": None}})
    assert with_latency.world.hosts == (("slow.test", 0.5), ("b.test", 0.0))


def test_block_comment_hosts_and_services():
    world = parse_comment("hosts=example.com,python.org services=postgres", 1).world
    assert world.hosts == (("example.com", 0.0), ("python.org", 0.0))
    assert world.services == ("postgres",)


def test_serve_pairs_each_request_with_the_expect_after_it():
    settings = parse_comment(
        'serve port=8080 request="GET /?name=Ada" expect="Hello, Ada!" '
        'request="GET /" expect="Hello, World!"',
        1,
    ).settings
    assert settings.serve == ServeCheck(
        8080, (("GET /?name=Ada", "Hello, Ada!"), ("GET /", "Hello, World!"))
    )


def test_a_blocks_services_add_to_the_front_matters():
    merged = parse_mapping({"services": ["postgres"], "hosts": ["a.test"]}).world.merged(
        parse_comment("hosts=b.test", 1).world
    )
    assert merged.hosts == (("a.test", 0.0), ("b.test", 0.0))
    assert merged.services == ("postgres",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('files="x"', "set it in the front matter"),
        ("services=mysql", "unknown service 'mysql'; known: postgres"),
        ("hosts=localhost", "not a host name mdverify can serve"),
        ("serve", "needs at least one request"),
        ('serve request="GET /"', "each 'request' needs an 'expect'"),
        ('serve expect="x"', "each 'expect' follows the 'request'"),
        ('request="GET /" expect="x"', "belong to a 'serve' directive"),
        ('serve request="/" expect="x"', "needs a method and a path"),
        ('serve port=http request="GET /" expect="x"', "needs a TCP port number"),
    ],
)
def test_bad_service_keys_in_a_comment_are_errors(text, message):
    with pytest.raises(DirectiveError, match=message):
        parse_comment(text, 1)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"files": ["a.txt"]}, "mapping of file names"),
        ({"files": {"/etc/passwd": "x"}}, "must be relative"),
        ({"files": {"a.txt": 3}}, "must be text"),
        ({"hosts": {"a.test": {"delay": 1}}}, "unknown option 'delay'"),
        ({"hosts": {"a.test": {"latency": "soon"}}}, "latency is a number"),
        ({"serve": True}, "belongs on the block"),
    ],
)
def test_bad_service_keys_in_front_matter_are_errors(mapping, message):
    with pytest.raises(DirectiveError, match=message):
        parse_mapping(mapping)
