"""The pytest plugin (`-p opscheck.plugin`, or the root conftest.py's `pytest_plugins`).

Laid out like pytest-recording's plugin, split by what a contributor looks for:
options.py the option group and the refusal of unusable values; hooks.py the session, markers,
collection and report glue; fixtures.py the session's fixtures and one per view of
opscheck.views.VIEWS; xdist.py and html.py hooks that exist only with pytest-xdist or pytest-html,
each in a class registered only when that plugin is installed.
"""

pytest_plugins = ["opscheck.plugin.options", "opscheck.plugin.hooks", "opscheck.plugin.fixtures"]
