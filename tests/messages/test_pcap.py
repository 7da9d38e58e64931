"""pcap files and Ethernet framing (v2x.messages.pcap): the tshark oracle, round trips, refusals."""

from __future__ import annotations

import shutil
import struct
import subprocess

import pytest

from tests.messages.test_transport import gbc_packet, golf_spdu, golf_unsecured_data
from tests.support import FIXTURES
from v2x.errors import EncodeError, FramingError, InputError
from v2x.messages.pcap import (
    BROADCAST_MAC,
    ETHERTYPE_GEONETWORKING,
    LINKTYPE_ETHERNET,
    EthernetFrame,
    PcapRecord,
    geonet_ethernet_frame,
    parse_pcap,
    pcap_bytes,
    read_pcap,
    write_pcap,
)
from v2x.messages.transport import (
    BasicHeader,
    BasicNextHeader,
    GnAddress,
    GnPacket,
    SecuredGnPacket,
    decode_packet,
)

ORACLE = (FIXTURES / "riebl_vanetza" / "oracle"
          / "secured_cam_vw_golf8_signed_with_certificate.eth_gn.pcap")
ORACLE_TIME_US = 1_700_000_000_000_000


def frames(count: int) -> list[PcapRecord]:
    return [PcapRecord(ORACLE_TIME_US + 1 + 100_003 * i, bytes([i]) * (60 + i)) for i in
            range(count)]


# ----------------------------------------------------------------------------- the oracle


def test_the_oracle_capture_reads_down_to_the_spdu():
    capture = read_pcap(ORACLE)
    assert (capture.link_type, capture.snaplen, capture.big_endian) == (LINKTYPE_ETHERNET,
                                                                        65535, False)
    [record] = capture.records
    assert record.timestamp_us == ORACLE_TIME_US and record.timestamp_s == 1_700_000_000.0
    assert record.original_length == len(record.data) == 339

    frame = EthernetFrame.decode(record.data)
    assert frame.destination == BROADCAST_MAC
    assert frame.source == bytes.fromhex("000000000001")
    assert frame.ethertype == ETHERTYPE_GEONETWORKING == 0x8947

    assert frame.payload[0] >> 4 == 1  # version, checked by the decoder too
    packet = decode_packet(frame.payload)
    assert isinstance(packet, SecuredGnPacket)
    assert packet.basic.next_header == BasicNextHeader.SECURED
    assert (packet.basic.lifetime_multiplier, packet.basic.lifetime_base) == (6, 2)
    assert packet.basic.lifetime_s == 60
    assert packet.basic.remaining_hop_limit == 1
    assert packet.spdu == golf_spdu()


def test_writing_the_oracle_frame_gives_the_oracle_file(tmp_path):
    # The oracle is a little-endian pcap 2.4, snaplen 65535, link type 1, thiszone and sigfigs
    # 0: exactly what we write, so the whole file must match octet for octet.
    expected = ORACLE.read_bytes()
    assert expected[:24] == bytes.fromhex("d4c3b2a1 0200 0400 00000000 00000000 ffff0000"
                                          " 01000000")
    frame = geonet_ethernet_frame(SecuredGnPacket(golf_spdu(), BasicHeader()),
                                  source_mac="00:00:00:00:00:01")
    assert frame == read_pcap(ORACLE).records[0].data
    assert pcap_bytes([(ORACLE_TIME_US, frame)]) == expected
    written = write_pcap(tmp_path / "golf.pcap", [PcapRecord(ORACLE_TIME_US, frame)])
    assert written.read_bytes() == expected


# ----------------------------------------------------------------------------- round trips


def test_several_frames_round_trip_with_microseconds(tmp_path):
    records = frames(5)
    records.append(PcapRecord(ORACLE_TIME_US + 999_999, b"\x01" * 40, original_length=1500))
    path = write_pcap(tmp_path / "many.pcap", records)
    capture = read_pcap(path)
    assert [r.timestamp_us for r in capture.records] == [r.timestamp_us for r in records]
    assert [r.data for r in capture.records] == [r.data for r in records]
    assert [r.original_length for r in capture.records] == [60, 61, 62, 63, 64, 1500]
    assert capture.records[1].timestamp_us % 1_000_000 == 100_004
    assert parse_pcap(pcap_bytes([])).records == ()


def test_big_endian_files_are_read_too():
    header = struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    record = struct.pack(">IIII", 5, 250_000, 3, 3) + b"abc"
    capture = parse_pcap(header + record)
    assert capture.big_endian
    assert capture.records == (PcapRecord(5_250_000, b"abc", 3),)


def test_a_shb_cam_frame_takes_its_source_mac_from_the_position_vector():
    packet = GnPacket.decode_secured_payload(golf_unsecured_data())
    frame = EthernetFrame.decode(geonet_ethernet_frame(packet))
    assert frame.source == bytes.fromhex("fe384ce0b890")
    assert (frame.destination, frame.ethertype) == (BROADCAST_MAC, 0x8947)
    assert decode_packet(frame.payload) == packet
    secured = SecuredGnPacket(golf_spdu())
    address = GnAddress.from_mac("02:11:22:33:44:55", 5)
    by_address = EthernetFrame.decode(geonet_ethernet_frame(secured, gn_address=address))
    assert by_address.source == bytes.fromhex("021122334455")
    by_mac = EthernetFrame.decode(geonet_ethernet_frame(secured.encode(),
                                                        source_mac=b"\x00" * 5 + b"\x07"))
    assert by_mac.source == bytes.fromhex("000000000007")
    with pytest.raises(EncodeError, match="source_mac") as caught:
        geonet_ethernet_frame(secured)
    assert caught.value.path == "Ethernet.source"
    with pytest.raises(EncodeError, match="6 octets"):
        geonet_ethernet_frame(secured, source_mac="00:01")


# ----------------------------------------------------------------------------- refusals


def test_an_existing_file_is_never_overwritten_unless_asked(tmp_path):
    path = tmp_path / "run.pcap"
    write_pcap(path, frames(2))
    before = path.read_bytes()
    with pytest.raises(InputError, match="exists; pass overwrite=True") as caught:
        write_pcap(path, frames(3))
    assert caught.value.path == str(path)
    assert path.read_bytes() == before
    write_pcap(path, frames(3), overwrite=True)
    assert len(read_pcap(path).records) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.pcap"]  # no temporary left


def test_records_that_do_not_fit_are_refused():
    with pytest.raises(EncodeError) as caught:
        pcap_bytes([(0, b"\x00" * 101)], snaplen=100)
    assert caught.value.path == "pcap.packet[0].data"
    with pytest.raises(EncodeError) as caught:
        pcap_bytes([(0, b""), (-1, b"")])
    assert caught.value.path == "pcap.packet[1].timestamp_us"
    with pytest.raises(EncodeError, match="timestamp_us"):
        pcap_bytes([(2**32 * 1_000_000, b"")])
    with pytest.raises(EncodeError, match="less than"):
        pcap_bytes([PcapRecord(0, b"abc", original_length=2)])


def test_every_truncation_of_a_capture_raises_a_clear_error():
    data = pcap_bytes(frames(3))
    boundaries = {24}
    for record in frames(3):
        boundaries.add(max(boundaries) + 16 + len(record.data))
    for size in range(len(data)):
        if size in boundaries:
            assert len(parse_pcap(data[:size]).records) == sorted(boundaries).index(size)
            continue
        with pytest.raises(FramingError) as caught:
            parse_pcap(data[:size], name="cut.pcap")
        assert caught.value.path.startswith("cut.pcap:")
        assert "truncated" in str(caught.value) or "not a pcap" in str(caught.value)


def test_other_formats_and_impossible_values_are_named():
    header = bytearray(pcap_bytes([(1, b"abc")]))
    with pytest.raises(FramingError, match="pcapng"):
        parse_pcap(b"\x0a\x0d\x0d\x0a" + bytes(40))
    with pytest.raises(FramingError, match="nanosecond"):
        parse_pcap(b"\x4d\x3c\xb2\xa1" + bytes(header[4:]))
    with pytest.raises(FramingError, match="not a pcap file") as caught:
        parse_pcap(b"GIF89a" + bytes(40), name="x.pcap")
    assert caught.value.path == "x.pcap:magic"
    bad_version = bytearray(header)
    bad_version[4] = 3
    with pytest.raises(FramingError, match=r"version 3\.4"):
        parse_pcap(bytes(bad_version))
    bad_micros = bytearray(header)
    bad_micros[28:32] = (1_000_000).to_bytes(4, "little")
    with pytest.raises(FramingError, match="microseconds"):
        parse_pcap(bytes(bad_micros))
    huge = bytearray(header)
    huge[32:36] = (2**31).to_bytes(4, "little")
    with pytest.raises(FramingError, match="exceeds"):
        parse_pcap(bytes(huge))
    with pytest.raises(FramingError, match="14 octets"):
        EthernetFrame.decode(b"\xff" * 13)


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_pcap(tmp_path / "absent.pcap")


# ----------------------------------------------------------------------------- tshark oracle

TSHARK = shutil.which("tshark")
FIELDS = ["eth.type", "geonw.bh.version", "geonw.bh.nh", "geonw.bh.rhl", "geonw.ch.nh",
          "geonw.ch.htype", "geonw.ch.tclass", "geonw.ch.plength", "geonw.ch.mhl",
          "geonw.src_pos.addr.type", "geonw.src_pos.addr.mid", "geonw.src_pos.tst",
          "geonw.src_pos.lat", "geonw.src_pos.long", "geonw.src_pos.speed",
          "geonw.src_pos.hdg", "geonw.outpower", "btpb.dstport", "btpb.dstportinf"]


def tshark_fields(tmp_path, packet: GnPacket, fields: list[str]) -> dict[str, str]:
    """The values tshark gives ``fields`` of ``packet`` written to a pcap by us."""
    path = write_pcap(tmp_path / "gn.pcap", [(ORACLE_TIME_US, geonet_ethernet_frame(packet))])
    command = [TSHARK, "-r", str(path), "-T", "fields", "-E", "separator=/t"]
    for name in fields:
        command += ["-e", name]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return dict(zip(fields, result.stdout.strip("\n").split("\t"), strict=True))


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
def test_tshark_dissects_a_shb_cam_we_write(tmp_path):
    packet = GnPacket.decode_secured_payload(golf_unsecured_data())
    values = tshark_fields(tmp_path, packet, FIELDS)
    assert int(values["eth.type"], 0) == 0x8947
    numbers = {name: int(value, 0) for name, value in values.items()
               if name not in ("eth.type", "geonw.src_pos.addr.mid")}
    assert numbers == {
        "geonw.bh.version": 1, "geonw.bh.nh": 1, "geonw.bh.rhl": 1, "geonw.ch.nh": 2,
        "geonw.ch.htype": 0x50, "geonw.ch.tclass": 2, "geonw.ch.plength": 50,
        "geonw.ch.mhl": 1, "geonw.src_pos.addr.type": 5, "geonw.src_pos.tst": 3211472731,
        "geonw.src_pos.lat": 524626008, "geonw.src_pos.long": 107219565,
        "geonw.src_pos.speed": 232, "geonw.src_pos.hdg": 958, "geonw.outpower": 20,
        "btpb.dstport": 2001, "btpb.dstportinf": 0,
    }
    assert values["geonw.src_pos.addr.mid"] == "fe:38:4c:e0:b8:90"


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
def test_tshark_dissects_a_gbc_denm_we_write(tmp_path):
    fields = ["geonw.bh.lt.mult", "geonw.bh.lt.base", "geonw.bh.rhl", "geonw.ch.htype",
              "geonw.ch.plength", "geonw.ch.mhl", "geonw.seq_num", "geonw.gxc.latitude",
              "geonw.gxc.longitude", "geonw.gxc.distancea", "geonw.gxc.distanceb",
              "geonw.gxc.angle", "geonw.src_pos.speed", "geonw.src_pos.hdg", "btpb.dstport"]
    values = tshark_fields(tmp_path, gbc_packet(), fields)
    assert {name: int(value, 0) for name, value in values.items()} == {
        "geonw.bh.lt.mult": 10, "geonw.bh.lt.base": 1, "geonw.bh.rhl": 10,
        "geonw.ch.htype": 0x42, "geonw.ch.plength": 4 + 6, "geonw.ch.mhl": 10,
        "geonw.seq_num": 7, "geonw.gxc.latitude": 481400000, "geonw.gxc.longitude": 115800000,
        "geonw.gxc.distancea": 500, "geonw.gxc.distanceb": 200, "geonw.gxc.angle": 30,
        "geonw.src_pos.speed": 1389, "geonw.src_pos.hdg": 2715, "btpb.dstport": 2002,
    }
