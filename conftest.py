"""Root conftest: the checks' pytest runs load the opscheck plugin from here.

Registering it here rather than through a `pytest11` entry point keeps it out
of every other pytest run in the environment (opscheck's own tests among them,
which drive it explicitly with pytester and `-p opscheck.plugin`).
"""

pytest_plugins = ["opscheck.plugin"]
