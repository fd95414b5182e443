"""Domain views over the gateways, one per thing a check asks about.

Like pytest-testinfra's modules on `host`: a check says
`predictions.active_count(day)`, and the SQL and the gateway stay out of it.
"""
