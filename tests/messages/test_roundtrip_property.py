"""Property: every catalogued message survives encode -> decode -> encode and the JSON mapping."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import for_type
from v2x import messages
from v2x.messages import jsonmap, schema

# the UPER messages; the C-OER security structures are checked against real data in
# tests/security (and sign -> verify round trips)
NAMES = [row.name for row in messages.catalogue()
         if schema.bundle_named(row.bundle).codec == "uper"]


@pytest.mark.parametrize("name", NAMES)
def test_random_valid_values_round_trip(name):
    row = messages.lookup(name)

    @settings(max_examples=100, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(value=for_type(row.bundle, row.pdu))
    def run(value):
        data = messages.encode(name, value)
        decoded = messages.decode(name, data)
        assert jsonmap.to_json(name, decoded) == jsonmap.to_json(name, value)
        assert messages.encode(name, decoded) == data
        document = json.loads(json.dumps(jsonmap.to_json(name, decoded)))
        assert messages.encode(name, jsonmap.from_json(name, document)) == data

    run()
