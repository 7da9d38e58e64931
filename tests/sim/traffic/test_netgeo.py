"""Network geo-reference: SUMO's <location> element to WGS84."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from v2x.errors import ScenarioError
from v2x.sim.traffic.netgeo import read_net_geo

HIGHWAY_NET = Path(__file__).resolve().parents[3] / "scenarios" / "highway" / "highway.net.xml"


def net(tmp_path, location: str) -> Path:
    path = tmp_path / "n.net.xml"
    path.write_text(f'<net version="1.20">\n    {location}\n</net>\n')
    return path


def test_utm_network_corner_is_where_netconvert_put_it():
    geo = read_net_geo(HIGHWAY_NET)
    lat, lon = geo.to_wgs84(np.array([0.0]), np.array([0.0]))
    # origBoundary of the shipped network starts at 11.7 E, 48.15 N
    assert lat[0] == pytest.approx(48.15, abs=2e-6)
    assert lon[0] == pytest.approx(11.70, abs=2e-6)


def test_unprojected_network_needs_an_origin(tmp_path):
    path = net(tmp_path, '<location netOffset="0.00,0.00" projParameter="!"/>')
    with pytest.raises(ScenarioError, match="origin_lat_deg") as caught:
        read_net_geo(path)
    assert caught.value.key == "location.projParameter"
    geo = read_net_geo(path, (45.0, 7.0))
    lat, lon = geo.to_wgs84(np.array([0.0, 0.0]), np.array([0.0, 1000.0]))
    assert lat[0] == pytest.approx(45.0) and lon[0] == pytest.approx(7.0)
    assert (lat[1] - 45.0) * 111_132 == pytest.approx(1000, rel=0.01)


@pytest.mark.parametrize("location, message", [
    ('<location netOffset="a,b" projParameter="!"/>', "netOffset"),
    ('<location netOffset="0,0" projParameter="+proj=merc"/>', "unsupported projection"),
])
def test_bad_locations_are_named(tmp_path, location, message):
    with pytest.raises(ScenarioError, match=message):
        read_net_geo(net(tmp_path, location), (45.0, 7.0))


def test_network_without_location_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="no <location>"):
        read_net_geo(net(tmp_path, "<edge/>"))
