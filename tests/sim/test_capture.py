"""The pcap of sampled traffic: frames as transmitted, decodable down to the ITS messages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from v2x.messages import decode
from v2x.messages.pcap import EthernetFrame, read_pcap
from v2x.messages.transport import (
    GbcHeader,
    GnPacket,
    SecuredGnPacket,
    ShbHeader,
    decode_packet,
)
from v2x.security.spdu import read_signed
from v2x.sim import run, scenario
from v2x.sim.engine import Engine
from v2x.sim.traffic.netgeo import read_net_geo
from v2x.sim.traffic.sumo import net_file_of

CROSSING = Path(__file__).resolve().parent / "data" / "crossing"
BY_PORT = {2001: "etsi.CAM", 2002: "etsi.DENM", 2003: "etsi.MAPEM", 2004: "etsi.SPATEM",
           2006: "etsi.IVIM"}


def capture_run(tmp_path, *overrides):
    sc = scenario.load(CROSSING, ["scenario.duration_s=8", "capture.pcap=true",
                                  "capture.vehicle_share=0.3", *overrides])
    return sc, run.run(sc, tmp_path / "capture", progress=False)


@pytest.fixture(scope="module")
def modelled(tmp_path_factory):
    return capture_run(tmp_path_factory.mktemp("modelled"))


def test_the_capture_holds_every_kind_as_transmitted(modelled):
    sc, result = modelled
    records = read_pcap(result.folder / "capture.pcap").records
    assert len(records) == result.figures["captured_frames"] > 100
    start = Engine(1).start_unix_us
    times = [r.timestamp_us for r in records]
    warmup_us = round(sc.get("scenario.warmup_s") * 1e6)
    assert start + warmup_us <= min(times) and max(times) < start + warmup_us + 8_000_000
    assert all(t % 1000 == 0 for t in times)                      # stamped by subframe
    geo = read_net_geo(net_file_of(sc.get("traffic.config")))
    ports = set()
    for record in records:
        frame = EthernetFrame.decode(record.data)
        assert frame.ethertype == 0x8947 and frame.destination == b"\xff" * 6
        packet = decode_packet(frame.payload)
        assert isinstance(packet, GnPacket)
        port = packet.transport.destination_port
        ports.add(port)
        message = decode(BY_PORT[port], packet.payload)
        station = message["header"]["stationID"]
        assert frame.source == b"\x02\x00" + station.to_bytes(4, "big")
        assert packet.source.address.mid == frame.source
        if port == 2001:        # the position vector is where the CAM says the car is
            assert isinstance(packet.extended, ShbHeader) and packet.common.mobile
            position = message["cam"]["camParameters"]["basicContainer"]["referencePosition"]
            assert abs(packet.source.latitude - position["latitude"]) <= 1
            assert abs(packet.source.longitude - position["longitude"]) <= 1
        if port == 2002:        # a GeoBroadcast over the hazard's relevance circle
            assert isinstance(packet.extended, GbcHeader)
            lat, lon = geo.to_wgs84(np.array([305.0]), np.array([500.0]))
            assert packet.extended.distance_a == 500
            assert abs(packet.extended.latitude - round(lat[0] * 1e7)) <= 1
            assert abs(packet.extended.longitude - round(lon[0] * 1e7)) <= 1
    assert {2001, 2002, 2003, 2004} <= ports
    assert "capture.pcap" in (result.folder / "report.md").read_text()


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    return capture_run(tmp_path_factory.mktemp("real"), "security.mode=real",
                       "scenario.duration_s=2", 'services.events=""')


def test_with_real_security_the_capture_holds_the_signed_packets(secured):
    _, result = secured
    records = read_pcap(result.folder / "capture.pcap").records
    assert records
    psids = {2001: 36, 2003: 138, 2004: 137, 2006: 139}
    for record in records:
        packet = decode_packet(EthernetFrame.decode(record.data).payload)
        assert isinstance(packet, SecuredGnPacket)
        spdu = read_signed(packet.spdu)
        inner = GnPacket.decode_secured_payload(spdu.payload, packet.basic)
        assert spdu.psid == psids[inner.transport.destination_port]
        decode(BY_PORT[inner.transport.destination_port], inner.payload)


def dissected(result) -> list[list[str]]:
    out = subprocess.run(["tshark", "-r", str(result.folder / "capture.pcap"), "-T", "fields",
                          "-e", "frame.protocols", "-e", "btpb.dstport"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(out) == result.figures["captured_frames"]
    return [line.split("\t") for line in out]


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
def test_wireshark_dissects_the_capture_down_to_the_messages(modelled, secured):
    lines = dissected(modelled[1])
    assert {protocols for protocols, _ in lines} == {"eth:ethertype:gnw:btpb:its"}
    assert {port for _, port in lines} >= {"2001", "2002", "2003", "2004"}
    lines = dissected(secured[1])
    assert {protocols for protocols, _ in lines} == {"eth:ethertype:gnw:ieee1609dot2:btpb:its"}
