"""The local platform: a working miniature of production on real emulators.

Its own wing: opscheck's tests, the recording script and the CLI use it; no
check and no gateway imports it. Gateways reach it only through the endpoints
it writes into a configuration overlay (`target.toml` in its state folder).
"""
