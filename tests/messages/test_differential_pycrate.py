"""Differential tests against an independent codec: pycrate (its own ETSI modules, its own UPER).

For random valid values (hypothesis, 200 per message type): pycrate decodes what we encode to the
same value and re-encodes the same bytes, and we decode what pycrate encodes from that value.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import for_type
from tests.support import first_difference, jer_normal
from v2x import messages
from v2x.messages import jsonmap

pycrate = pytest.importorskip("pycrate_asn1dir", reason="pycrate is the independent oracle")


def _pycrate_types() -> dict:
    from pycrate_asn1dir import ITS_CAM_2, ITS_DENM_3, ITS_IS

    return {
        "etsi.CAM": ITS_CAM_2.CAM_PDU_Descriptions.CAM,
        "etsi.DENM": ITS_DENM_3.DENM_PDU_Descriptions.DENM,
        "etsi.SPATEM": ITS_IS.SPATEM_PDU_Descriptions.SPATEM,
        "etsi.MAPEM": ITS_IS.MAPEM_PDU_Descriptions.MAPEM,
        "etsi.IVIM": ITS_IS.IVIM_PDU_Descriptions.IVIM,
        "etsi.SREM": ITS_IS.SREM_PDU_Descriptions.SREM,
        "etsi.SSEM": ITS_IS.SSEM_PDU_Descriptions.SSEM,
    }


PYCRATE = _pycrate_types()
EXAMPLES = 200


def _check(name: str, value: object) -> None:
    ours = messages.encode(name, value)
    theirs_type = PYCRATE[name]
    theirs_type.from_uper(ours)
    expected = jer_normal(jsonmap.to_json(name, value))
    # pycrate's JER, read through our mapping: the same value modulo JER's free choices
    # (DEFAULT values present or not, hex or {value, length} for extensible BIT STRINGs)
    theirs = jsonmap.to_json(name, jsonmap.from_json(name, json.loads(theirs_type.to_jer())))
    assert first_difference(jer_normal(theirs), expected) is None
    assert theirs_type.to_uper() == ours
    try:
        theirs_type.from_jer(json.dumps(jsonmap.to_json(name, value)))
    except Exception as exc:
        # pycrate 0.8.1's value check rejects an extension group (IVI TcPart [[...]]) whose
        # optional members are present ("missing extended value for group"): its bug, not ours;
        # the bytes were already checked both ways above.
        if "missing extended value for group" in str(exc):
            return
        raise
    encoded_by_them = theirs_type.to_uper()
    assert jer_normal(jsonmap.to_json(name, messages.decode(name, encoded_by_them))) == expected


def _property(name: str):
    row = messages.lookup(name)

    @settings(max_examples=EXAMPLES, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    # recursion=0: pycrate's runtime reuses one object per type, so a recursive type (ISO 14823
    # GddStructure inside its own DestinationPlace) overwrites the outer value while encoding the
    # inner one (seen: an outer destBlob lost its length octet). Our own recursion is tested in
    # test_codec_safety and by the self round trips.
    @given(value=for_type(row.bundle, row.pdu, recursion=0))
    def run(value):
        _check(name, value)

    return run


@pytest.mark.parametrize("name", sorted(PYCRATE))
def test_pycrate_agrees_on_random_valid_messages(name):
    _property(name)()
