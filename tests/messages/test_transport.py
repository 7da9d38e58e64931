"""GeoNetworking and BTP headers (v2x.messages.transport): a real packet, round trips, limits."""

from __future__ import annotations

import contextlib
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import load_json
from v2x.errors import EncodeError, FramingError, UnknownMessageError
from v2x.messages.transport import (
    AreaShape,
    BasicHeader,
    BasicNextHeader,
    BeaconHeader,
    BtpA,
    BtpB,
    CommonHeader,
    CommonNextHeader,
    GbcHeader,
    GnAddress,
    GnPacket,
    HeaderType,
    LifetimeBase,
    LongPositionVector,
    SecuredGnPacket,
    ShbHeader,
    TsbHeader,
    decode_packet,
    lifetime_code,
    message_for_port,
    port_of,
    traffic_class,
)

GOLF = "secured_cam_vw_golf8_signed_with_certificate.json"
SPDU_HEADER = bytes.fromhex("03810040038056")
"""EtsiTs103097Data: version 3, signedData, sha256, payload: version 3, unsecuredData, 86 octets."""


def golf_spdu() -> bytes:
    return bytes.fromhex(load_json("riebl_vanetza", GOLF)["hex"])


def golf_unsecured_data() -> bytes:
    spdu = golf_spdu()
    start = spdu.index(SPDU_HEADER) + len(SPDU_HEADER)
    data = spdu[start:start + 0x56]
    assert data.startswith(bytes.fromhex("2050028000320100 1400fe38"))
    return data


ADDRESS = GnAddress.from_mac("02:00:00:00:00:2a", station_type=5)


def position(**overrides) -> LongPositionVector:
    values = dict(latitude_deg=48.1374, longitude_deg=11.5755, tai_ms=600_000_000_000,
                  speed_mps=13.89, heading_deg=271.5)
    values.update(overrides)
    return LongPositionVector.from_si(ADDRESS, **values)


def shb_packet(payload: bytes = b"\x02\x02cam") -> GnPacket:
    return GnPacket(ShbHeader(position(), output_power_dbm=23), BtpB.for_message("etsi.CAM"),
                    payload, CommonHeader(traffic_class=traffic_class(2), mobile=True))


def gbc_packet(payload: bytes = b"\x02\x01denm") -> GnPacket:
    header = GbcHeader.from_si(7, position(), latitude_deg=48.14, longitude_deg=11.58,
                               distance_a_m=500.0, distance_b_m=200.0, angle_deg=30.0,
                               shape=AreaShape.ELLIPSE)
    return GnPacket(header, BtpB.for_message("etsi.DENM"), payload,
                    CommonHeader(traffic_class=traffic_class(1), mobile=True, max_hop_limit=10),
                    BasicHeader.from_si(lifetime_s=10, remaining_hop_limit=10))


# ----------------------------------------------------------------------------- the real packet


def test_the_vw_golf_8_cam_payload_decodes_field_by_field():
    data = golf_unsecured_data()
    packet = GnPacket.decode_secured_payload(data)

    common = packet.common
    assert common.next_header == CommonNextHeader.BTP_B == 2
    assert (common.header_type << 4 | common.header_subtype) == 0x50
    assert common.traffic_class == 2 and common.tc_id == 2
    assert not common.store_carry_forward and not common.channel_offload
    assert common.mobile is True
    assert common.payload_length == 50
    assert common.max_hop_limit == 1

    assert isinstance(packet.extended, ShbHeader)
    lpv = packet.extended.source
    assert lpv.address.manual is False
    assert lpv.address.station_type == 5
    assert lpv.address.mac == "fe:38:4c:e0:b8:90"
    assert lpv.timestamp == 3211472731
    assert (lpv.latitude, lpv.longitude) == (524626008, 107219565)
    assert lpv.accurate is True
    assert lpv.speed == 232 and lpv.speed_mps == pytest.approx(2.32)
    assert lpv.heading == 958 and lpv.heading_deg == pytest.approx(95.8)
    assert packet.extended.output_power_dbm == 20
    assert (packet.extended.local_cbr, packet.extended.max_neighbour_cbr) == (0, 0)
    assert packet.extended.media_dependent == bytes.fromhex("0000a000")

    assert packet.transport == BtpB(2001, 0)
    assert packet.transport.message.name == "etsi.CAM"
    assert len(packet.payload) == 46
    assert packet.payload[:2] == b"\x02\x02"  # ItsPduHeader: protocol version 2, CAM
    assert packet.payload == data[40:]


def test_the_vw_golf_8_cam_payload_re_encodes_identically():
    data = golf_unsecured_data()
    packet = GnPacket.decode_secured_payload(data)
    assert packet.encode_secured_payload() == data
    # and built again from the decoded parts, with the derived fields left to the packet
    rebuilt = GnPacket(packet.extended, packet.transport, packet.payload,
                       CommonHeader(traffic_class=2, mobile=True, max_hop_limit=1))
    assert rebuilt == packet
    assert rebuilt.encode_secured_payload() == data


def test_the_header_classes_decode_the_golf_packet_one_by_one():
    data = golf_unsecured_data()
    common, rest = CommonHeader.decode(data)
    assert common.encode() == data[:8]
    shb, rest = ShbHeader.decode(rest)
    assert shb.encode() == data[8:36]
    btp, payload = BtpB.decode(rest)
    assert btp.encode() == data[36:40]
    assert payload == data[40:]


def test_a_secured_packet_holds_the_spdu_to_the_end():
    spdu = golf_spdu()
    frame = bytes.fromhex("12001a01") + spdu
    packet = decode_packet(frame)
    assert isinstance(packet, SecuredGnPacket)
    assert packet.basic.next_header == BasicNextHeader.SECURED
    assert (packet.basic.lifetime_multiplier, packet.basic.lifetime_base) == (6, 2)
    assert packet.basic.lifetime_s == 60
    assert packet.basic.remaining_hop_limit == 1
    assert packet.spdu == spdu
    assert packet.encode() == frame
    assert SecuredGnPacket(spdu).encode() == frame  # the defaults are those of the oracle
    assert SecuredGnPacket.decode(frame) == packet
    with pytest.raises(FramingError, match="not a common header") as caught:
        GnPacket.decode(frame)
    assert caught.value.path == "GeoNetworking.basic.next_header"


def test_the_inner_packet_keeps_the_outer_basic_header():
    spdu_packet = SecuredGnPacket.decode(bytes.fromhex("12001a01") + golf_spdu())
    inner = GnPacket.decode_secured_payload(golf_unsecured_data(), spdu_packet.basic)
    assert inner.basic == dataclasses.replace(spdu_packet.basic, next_header=1)
    unsecured = inner.encode()
    assert unsecured[:4] == bytes.fromhex("11001a01")
    assert decode_packet(unsecured) == inner


# ----------------------------------------------------------------------------- round trips


def test_shb_and_gbc_packets_round_trip():
    for packet in (shb_packet(), gbc_packet()):
        data = packet.encode()
        assert GnPacket.decode(data) == packet
        assert decode_packet(data) == packet
        inner = packet.encode_secured_payload()
        assert inner == data[4:]
        assert GnPacket.decode_secured_payload(inner, packet.basic) == packet
    gbc = gbc_packet()
    assert (gbc.common.header_type, gbc.common.header_subtype) == (HeaderType.GEOBROADCAST, 2)
    assert gbc.basic.lifetime_s == 10
    assert gbc.extended.distance_a == 500 and gbc.extended.angle == 30
    assert len(gbc.encode()) == 4 + 8 + 44 + 4 + len(gbc.payload)
    assert len(shb_packet().encode()) == 4 + 8 + 28 + 4 + len(shb_packet().payload)


def test_the_other_extended_headers_round_trip():
    tsb = GnPacket(TsbHeader(65535, position()), BtpA(2001, 40000), b"x",
                   CommonHeader(max_hop_limit=5))
    anycast = GnPacket(dataclasses.replace(gbc_packet().extended, anycast=True,
                                           shape=AreaShape.RECTANGLE), None, b"ipv6?",
                       CommonHeader(next_header=CommonNextHeader.IPV6))
    beacon = GnPacket(BeaconHeader(position()))
    assert (tsb.common.header_type, tsb.common.header_subtype) == (5, 1)
    assert tsb.common.next_header == CommonNextHeader.BTP_A
    assert (anycast.common.header_type, anycast.common.header_subtype) == (3, 1)
    assert beacon.common.payload_length == 0
    for packet in (tsb, anycast, beacon):
        assert GnPacket.decode(packet.encode()) == packet


def test_the_packet_derives_its_length_and_types():
    packet = GnPacket(ShbHeader(position()), BtpB(2001), b"\x00" * 10,
                      CommonHeader(next_header=0, header_type=4, payload_length=999))
    assert packet.common.payload_length == 14
    assert (packet.common.next_header, packet.common.header_type) == (2, 5)
    assert packet.encode()[4 + 4:4 + 6] == (14).to_bytes(2, "big")


def test_reserved_bits_survive_decode_and_encode():
    packet = GnPacket(
        ShbHeader(dataclasses.replace(position(), address=dataclasses.replace(
            ADDRESS, reserved=0x3FF, manual=True)), reserved=0x7FF),
        BtpB(2001, 0xBEEF), b"x",
        CommonHeader(reserved_nibble=0xF, flags_reserved=0x7F, reserved=0xFF),
        BasicHeader(reserved=0xAA))
    data = packet.encode()
    assert GnPacket.decode(data).encode() == data
    assert GnPacket.decode(data) == packet


@settings(max_examples=150, deadline=None)
@given(latitude=st.floats(-90, 90), longitude=st.floats(-180, 180),
       speed=st.floats(-163.83, 163.83), heading=st.floats(0, 360),
       tai_ms=st.integers(0, 2**45), payload=st.binary(max_size=300),
       power=st.integers(0, 31), cbr=st.integers(0, 255))
def test_shb_packets_from_si_round_trip(latitude, longitude, speed, heading, tai_ms, payload,
                                        power, cbr):
    lpv = LongPositionVector.from_si(ADDRESS, latitude_deg=latitude, longitude_deg=longitude,
                                     speed_mps=speed, heading_deg=heading, tai_ms=tai_ms)
    assert abs(lpv.latitude_deg - latitude) <= 0.5e-7
    assert abs(lpv.longitude_deg - longitude) <= 0.5e-7
    assert abs(lpv.speed_mps - speed) <= 0.005 + 1e-9
    assert abs(lpv.heading_deg - heading) <= 0.05 + 1e-9
    assert lpv.timestamp == tai_ms % 2**32
    packet = GnPacket(ShbHeader(lpv, cbr, 255 - cbr, power), BtpB(2001), payload)
    assert GnPacket.decode(packet.encode()) == packet


@settings(max_examples=150, deadline=None)
@given(latitude=st.floats(-90, 90), longitude=st.floats(-180, 180),
       distance_a=st.floats(0, 65535), distance_b=st.floats(0, 65535), angle=st.floats(0, 360),
       shape=st.sampled_from(AreaShape), anycast=st.booleans(),
       sequence_number=st.integers(0, 65535), payload=st.binary(max_size=300),
       port=st.integers(0, 65535), info=st.integers(0, 65535))
def test_gbc_packets_from_si_round_trip(latitude, longitude, distance_a, distance_b, angle, shape,
                                        anycast, sequence_number, payload, port, info):
    header = GbcHeader.from_si(sequence_number, position(), latitude_deg=latitude,
                               longitude_deg=longitude, distance_a_m=distance_a,
                               distance_b_m=distance_b, angle_deg=angle, shape=shape,
                               anycast=anycast)
    assert abs(header.latitude / 1e7 - latitude) <= 0.5e-7
    assert abs(header.distance_a - distance_a) <= 0.5
    packet = GnPacket(header, BtpB(port, info), payload, CommonHeader(max_hop_limit=10))
    data = packet.encode()
    assert len(data) == 4 + 8 + 44 + 4 + len(payload)
    assert decode_packet(data) == packet


VALID = {
    "shb": shb_packet().encode(),
    "gbc": gbc_packet().encode(),
    "tsb": GnPacket(TsbHeader(1, position()), BtpA(1, 2), b"abc").encode(),
    "secured": bytes.fromhex("12001a01") + golf_spdu()[:40],
}


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(sorted(VALID)),
       changes=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 255)), max_size=4),
       cut=st.integers(0, 100), tail=st.binary(max_size=4))
def test_mutated_packets_decode_exactly_or_raise_framing_error(kind, changes, cut, tail):
    data = bytearray(VALID[kind])
    for index, value in changes:
        data[index % len(data)] = value
    data = bytes(data[:len(data) - cut % 8]) + tail
    try:
        packet = decode_packet(data)
    except FramingError:
        return
    assert packet.encode() == data  # whatever decodes re-encodes to the same octets


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120))
def test_random_octets_never_raise_anything_but_framing_error(data):
    for candidate in (data, b"\x11\x00\x1a\x01" + data):
        with contextlib.suppress(FramingError):
            decode_packet(candidate)


# ----------------------------------------------------------------------------- limits


@pytest.mark.parametrize(("argument", "value"), [
    ("latitude_deg", 91.0), ("latitude_deg", -90.5), ("longitude_deg", 180.01),
    ("speed_mps", 163.84), ("speed_mps", -200.0), ("heading_deg", 360.1),
    ("heading_deg", -1.0), ("latitude_deg", float("nan")), ("tai_ms", -1),
    ("latitude_deg", "48"),
])
def test_si_values_out_of_range_raise_with_the_argument_path(argument, value):
    with pytest.raises(EncodeError) as caught:
        position(**{argument: value})
    assert caught.value.path == f"LongPositionVector.{argument}"
    assert str(caught.value).startswith(f"LongPositionVector.{argument}: ")


@pytest.mark.parametrize(("change", "path"), [
    (lambda p: dataclasses.replace(p, payload=b"\x00" * 65532),
     "GeoNetworking.common.payload_length"),
    (lambda p: dataclasses.replace(p, transport=BtpB(65536)), "BTP-B.destination_port"),
    (lambda p: dataclasses.replace(p, transport=BtpB(2001, -1)), "BTP-B.destination_port_info"),
    (lambda p: dataclasses.replace(p, transport=BtpA(2001, 70000)), "BTP-A.source_port"),
    (lambda p: dataclasses.replace(p, extended=ShbHeader(dataclasses.replace(
        p.source, latitude=900_000_001))), "GeoNetworking.extended.source.latitude"),
    (lambda p: dataclasses.replace(p, extended=ShbHeader(dataclasses.replace(
        p.source, speed=16384))), "GeoNetworking.extended.source.speed"),
    (lambda p: dataclasses.replace(p, extended=ShbHeader(dataclasses.replace(
        p.source, heading=3601))), "GeoNetworking.extended.source.heading"),
    (lambda p: dataclasses.replace(p, extended=ShbHeader(p.source, output_power_dbm=32)),
     "GeoNetworking.extended.output_power_dbm"),
    (lambda p: dataclasses.replace(p, extended=ShbHeader(dataclasses.replace(
        p.source, address=GnAddress(b"\x01" * 5)))), "GeoNetworking.extended.source.address.mid"),
    (lambda p: dataclasses.replace(p, extended=ShbHeader(dataclasses.replace(
        p.source, address=GnAddress(b"\x01" * 6, 32)))),
     "GeoNetworking.extended.source.address.station_type"),
    (lambda p: dataclasses.replace(p, common=CommonHeader(max_hop_limit=256)),
     "GeoNetworking.common.max_hop_limit"),
    (lambda p: dataclasses.replace(p, common=CommonHeader(traffic_class=300)),
     "GeoNetworking.common.traffic_class"),
    (lambda p: dataclasses.replace(p, basic=BasicHeader(lifetime_multiplier=64)),
     "GeoNetworking.basic.lifetime_multiplier"),
    (lambda p: dataclasses.replace(p, basic=BasicHeader(remaining_hop_limit=-1)),
     "GeoNetworking.basic.remaining_hop_limit"),
    (lambda p: dataclasses.replace(p, transport=None), "GeoNetworking.common.next_header"),
    (lambda p: dataclasses.replace(p, payload="text"), "GeoNetworking.payload"),
    (lambda p: dataclasses.replace(p, extended="SHB"), "GeoNetworking.extended"),
])
def test_encoding_checks_every_field_with_its_path(change, path):
    packet = change(shb_packet())
    with pytest.raises(EncodeError) as caught:
        packet.encode()
    assert caught.value.path == path


def test_the_largest_payload_fits_and_one_more_octet_does_not():
    largest = dataclasses.replace(shb_packet(), payload=b"\x00" * 65531)
    assert largest.common.payload_length == 65535
    assert GnPacket.decode(largest.encode()) == largest
    with pytest.raises(EncodeError, match="exceed 65535"):
        dataclasses.replace(largest, payload=b"\x00" * 65532).encode()


def test_gbc_and_lifetime_facades_refuse_bad_values():
    with pytest.raises(EncodeError) as caught:
        GbcHeader.from_si(1, position(), latitude_deg=91, longitude_deg=0, distance_a_m=1)
    assert caught.value.path == "GbcHeader.latitude_deg"
    with pytest.raises(EncodeError) as caught:
        GbcHeader.from_si(1, position(), latitude_deg=0, longitude_deg=0, distance_a_m=70000)
    assert caught.value.path == "GbcHeader.distance_a_m"
    with pytest.raises(EncodeError) as caught:
        GnPacket(GbcHeader(70000, position(), 0, 0, 1)).encode()
    assert caught.value.path == "GeoNetworking.extended.sequence_number"
    with pytest.raises(EncodeError) as caught:
        GnPacket(GbcHeader(1, position(), 0, 0, 1, shape=3)).encode()
    assert caught.value.path == "GeoNetworking.extended.shape"
    with pytest.raises(EncodeError, match=r"BasicHeader\.lifetime_s"):
        BasicHeader.from_si(lifetime_s=6301)


def test_lifetime_codes_use_the_finest_base_that_fits():
    assert lifetime_code(60) == (60, LifetimeBase.S_1)
    assert lifetime_code(0.5) == (10, LifetimeBase.MS_50)
    assert lifetime_code(600) == (60, LifetimeBase.S_10)
    assert lifetime_code(6300) == (63, LifetimeBase.S_100)
    assert BasicHeader.from_si(lifetime_s=1.0).lifetime_s == 1.0
    assert BasicHeader().lifetime_s == 60


# ----------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize("build", [shb_packet, gbc_packet,
                                   lambda: GnPacket(TsbHeader(1, position()), BtpA(1, 2), b"a"),
                                   lambda: GnPacket(BeaconHeader(position()))])
def test_every_truncation_raises_framing_error(build):
    data = build().encode()
    for size in range(len(data)):
        with pytest.raises(FramingError) as caught:
            decode_packet(data[:size])
        assert caught.value.path.startswith(("GeoNetworking.", "BTP-")), caught.value
    inner = build().encode_secured_payload()
    for size in range(len(inner)):
        with pytest.raises(FramingError):
            GnPacket.decode_secured_payload(inner[:size])


def test_truncated_headers_name_the_field():
    data = shb_packet().encode()
    cases = [(2, "GeoNetworking.basic"), (7, "GeoNetworking.common"),
             (14, "GeoNetworking.extended.source"),
             (4 + 8 + 24 + 2, "GeoNetworking.extended.media_dependent"),
             (4 + 8 + 28 + 3, "GeoNetworking.common.payload_length")]
    for size, path in cases:
        with pytest.raises(FramingError, match=r"truncated|announced") as caught:
            decode_packet(data[:size])
        assert caught.value.path == path
    for kind in (BtpA, BtpB):
        with pytest.raises(FramingError) as caught:
            kind.decode(b"\x07\xd1\x00")
        assert caught.value.path == kind.__name__.replace("Btp", "BTP-")


def test_header_values_that_cannot_be_right_are_refused():
    good = bytearray(shb_packet().encode())

    def fails(offset: int, value: int, path: str, match: str) -> None:
        data = bytearray(good)
        data[offset] = value
        with pytest.raises(FramingError, match=match) as caught:
            decode_packet(bytes(data))
        assert caught.value.path == path

    fails(0, 0x01, "GeoNetworking.basic.version", "version 0, expected 1")
    fails(0, 0x21, "GeoNetworking.basic.version", "version 2")
    fails(0, 0x13, "GeoNetworking.basic.next_header", "unknown next header 3")
    fails(0, 0x10, "GeoNetworking.basic.next_header", "ANY")
    fails(4, 0x70, "GeoNetworking.common.next_header", "unknown next header 7")
    fails(5, 0x70, "GeoNetworking.common.header_type", "unknown header type 7")
    fails(5, 0x52, "GeoNetworking.common.header_subtype", "unknown subtype 2")
    fails(5, 0x43, "GeoNetworking.common.header_subtype", "unknown subtype 3")
    fails(5, 0x20, "GeoNetworking.common.header_type", "GeoUnicast")
    fails(5, 0x61, "GeoNetworking.common.header_type", "location service")
    fails(5, 0x00, "GeoNetworking.common.header_type", "HT 0")
    fails(4 + 8 + 12, 0x40, "GeoNetworking.extended.source.latitude", "outside")
    fails(4 + 8 + 22, 0xFF, "GeoNetworking.extended.source.heading", "outside")
    with pytest.raises(FramingError, match="1 octets follow the announced") as caught:
        decode_packet(bytes(good) + b"\x00")
    assert caught.value.path == "GeoNetworking.common.payload_length"
    with pytest.raises(FramingError, match="no SPDU"):
        decode_packet(bytes.fromhex("12001a01"))
    with pytest.raises(FramingError, match="expected bytes"):
        decode_packet("11001a01")


def test_padding_is_dropped_only_when_asked():
    packet = shb_packet(b"")
    padded = packet.encode() + b"\x00" * 6
    with pytest.raises(FramingError):
        GnPacket.decode(padded)
    assert GnPacket.decode(padded, strict=False) == packet
    assert decode_packet(padded, strict=False) == packet


# ----------------------------------------------------------------------------- BTP


def test_btp_ports_come_from_the_message_catalogue():
    assert port_of("etsi.CAM") == 2001
    assert port_of("etsi.DENM") == 2002
    assert port_of("etsi.MAPEM") == 2003
    assert port_of("etsi.SPATEM") == 2004
    assert port_of("etsi.IVIM") == 2006
    assert port_of("etsi.SREM") == 2007
    assert port_of("etsi.SSEM") == 2008
    assert BtpB.for_message("etsi.DENM", 5) == BtpB(2002, 5)
    assert message_for_port(2001).name == "etsi.CAM"  # the newest release of the two
    assert message_for_port(2002).name == "etsi.DENM"
    assert message_for_port(4242) is None
    assert BtpB(4242).message is None
    with pytest.raises(UnknownMessageError):
        port_of("etsi.NOPE")
    with pytest.raises(EncodeError, match="no BTP port"):
        port_of("csae.MessageFrame")


def test_btp_headers_are_four_octets():
    assert BtpA(2001, 0x1234).encode() == bytes.fromhex("07d11234")
    assert BtpB(2001, 0).encode() == bytes.fromhex("07d10000")
    assert BtpA.decode(bytes.fromhex("07d11234ff")) == (BtpA(2001, 0x1234), b"\xff")
    assert BtpB.decode(bytes.fromhex("07d2abcd")) == (BtpB(2002, 0xABCD), b"")
    with pytest.raises(EncodeError) as caught:
        BtpA(1.5).encode()
    assert caught.value.path == "BTP-A.destination_port"


def test_gn_addresses_and_traffic_classes():
    assert ADDRESS.mac == "02:00:00:00:00:2a"
    assert ADDRESS.encode() == bytes.fromhex("1400 02000000002a")
    assert traffic_class(2, store_carry_forward=True, channel_offload=True) == 0xC2
    with pytest.raises(EncodeError, match="tc_id"):
        traffic_class(64)
    with pytest.raises(EncodeError) as caught:
        GnAddress.from_mac("not a mac")
    assert caught.value.path == "GnAddress.mid"
