"""The geo-reference of a SUMO network: network x/y to WGS84.

SUMO writes ``<location netOffset="dx,dy" projParameter="...">`` into every ``.net.xml``; the
projected coordinate is ``(x - dx, y - dy)``. UTM projections are inverted with ``v2x.geo``; a
network without a projection (``projParameter="!"``) is placed on a tangent plane at an origin the
scenario gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from v2x import geo
from v2x.errors import ScenarioError

_LOCATION = re.compile(r"<location\s+([^>]*?)/?>", re.S)
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_UTM = re.compile(r"\+proj=utm\s.*?\+zone=(\d+)(.*)")


@dataclass(frozen=True)
class NetGeo:
    """Converts network coordinates of one SUMO network to WGS84."""

    offset_x: float
    offset_y: float
    utm_zone: int | None
    south: bool
    frame: geo.LocalFrame | None

    def to_wgs84(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(latitude, longitude) in degrees of network positions."""
        east = np.asarray(x_m, dtype=float) - self.offset_x
        north = np.asarray(y_m, dtype=float) - self.offset_y
        if self.utm_zone is not None:
            return geo.utm_to_wgs84(east, north, self.utm_zone, self.south)
        return self.frame.to_wgs84(east, north)


def read_net_geo(net_file: str | Path,
                 origin: tuple[float, float] | None = None) -> NetGeo:
    """The geo-reference of ``net_file``; ``origin`` (lat, lon) places unprojected networks."""
    path = Path(net_file)
    try:
        with path.open("r", encoding="utf-8") as handle:
            head = handle.read(65_536)
    except OSError as exc:
        raise ScenarioError(f"cannot read the network: {exc.strerror}", str(path)) from None
    match = _LOCATION.search(head)
    if match is None:
        raise ScenarioError("no <location> element in the network", str(path))
    attributes = dict(_ATTRIBUTE.findall(match.group(1)))
    try:
        offset_x, offset_y = (float(v) for v in attributes.get("netOffset", "0,0").split(","))
    except ValueError:
        raise ScenarioError("unreadable netOffset", str(path), "location.netOffset") from None
    projection = attributes.get("projParameter", "!")
    utm = _UTM.search(projection)
    if utm is not None:
        return NetGeo(offset_x, offset_y, int(utm.group(1)), "+south" in utm.group(2), None)
    if projection.strip() == "!":
        if origin is None:
            raise ScenarioError("the network has no projection; give traffic.origin_lat_deg and "
                                "traffic.origin_lon_deg", str(path), "location.projParameter")
        return NetGeo(offset_x, offset_y, None, False, geo.LocalFrame(*origin))
    raise ScenarioError(f"unsupported projection {projection!r} (UTM or none)", str(path),
                        "location.projParameter")
