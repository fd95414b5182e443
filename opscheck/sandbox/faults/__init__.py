"""The catalogued incidents, injectable into the local platform, and `heal`.

Every fault changes the platform the way the incident did: rows in BigQuery, objects in the model
store, the push subscription, a redeployed service, the team doc. Before it changes anything it
writes down how to undo it (ledger.py), so `heal` puts back exactly what was there, faults stacked
or not. A fault is one decorated function in the module of its family (predictions, models,
retrains, deploys, delivery) declaring its facts (catalogue.py); importing this package registers them all.
"""

from opscheck.sandbox.faults import delivery, deploys, models, predictions, retrains  # noqa: F401 - they register
from opscheck.sandbox.faults.catalogue import FAULTS, SUITES, Fault, expectations, fault, heal, inject, markdown_table
from opscheck.sandbox.faults.common import drain
from opscheck.sandbox.faults.ledger import keep_object, keep_rows, misbehave

__all__ = ["FAULTS", "SUITES", "Fault", "drain", "expectations", "fault", "heal", "inject", "keep_object",
           "keep_rows", "markdown_table", "misbehave"]
