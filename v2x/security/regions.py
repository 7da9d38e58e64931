"""Geographic regions of IEEE 1609.2 certificates (§6.4.17 to 6.4.24): containment checks.

Positions are 1609.2 ``TwoDLocation`` values in tenths of a microdegree. A point is inside a
circular region if its great-circle distance to the centre is at most the radius; inside a
rectangular region if it is inside one of its rectangles; inside a polygonal region by the
even-odd rule on latitude/longitude. Identified regions name countries (UN M.49 codes): whether a
*point* lies in a country needs border data v2x does not ship, so such checks are ``None``
(undecided) and the caller skips them; region-in-region checks between identified regions compare
the country and region codes.
"""

from __future__ import annotations

import math
from typing import Any

EARTH_RADIUS_M = 6_371_008.8
TENTH_MICRODEGREE = 1e-7

Region = tuple[str, Any]


def _degrees(location: dict[str, int]) -> tuple[float, float]:
    return location["latitude"] * TENTH_MICRODEGREE, location["longitude"] * TENTH_MICRODEGREE


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine on the mean Earth radius) between (lat, lon) degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def contains_point(region: Region, latitude: int, longitude: int) -> bool | None:
    """Whether the point (1609.2 units) is in the region; None when it cannot be decided."""
    point = (latitude * TENTH_MICRODEGREE, longitude * TENTH_MICRODEGREE)
    kind, value = region
    if kind == "circularRegion":
        return distance_m(point, _degrees(value["center"])) <= value["radius"]
    if kind == "rectangularRegion":
        return any(_in_rectangle(point, rect) for rect in value)
    if kind == "polygonalRegion":
        return _in_polygon(point, [_degrees(v) for v in value])
    return None


def _in_rectangle(point: tuple[float, float], rect: dict[str, Any]) -> bool:
    north, west = _degrees(rect["northWest"])
    south, east = _degrees(rect["southEast"])
    return south <= point[0] <= north and west <= point[1] <= east


def _in_polygon(point: tuple[float, float], vertices: list[tuple[float, float]]) -> bool:
    lat, lon = point
    inside = False
    for (lat1, lon1), (lat2, lon2) in zip(vertices, vertices[1:] + vertices[:1], strict=True):
        if (lon1 > lon) != (lon2 > lon):
            crossing = lat1 + (lon - lon1) * (lat2 - lat1) / (lon2 - lon1)
            if lat < crossing:
                inside = not inside
    return inside


def contains_region(outer: Region | None, inner: Region | None) -> bool | None:
    """Whether ``inner`` lies within ``outer`` (None outer: the whole world); None if undecided.

    A certificate without a region takes its issuer's (1609.2 §5.1.2.4), so an absent inner
    region is inside any outer one.
    """
    if outer is None or inner is None:
        return True
    if outer[0] == "identifiedRegion" and inner[0] == "identifiedRegion":
        return all(any(_identified_within(o, i) for o in outer[1]) for i in inner[1])
    if outer[0] == "identifiedRegion" or inner[0] == "identifiedRegion":
        return None
    samples = list(_boundary_samples(inner))
    return all(contains_point(outer, lat, lon) for lat, lon in samples)


def _identified_within(outer: tuple[str, Any], inner: tuple[str, Any]) -> bool:
    country_outer = _country(outer)
    if country_outer != _country(inner):
        return False
    if outer[0] == "countryOnly":
        return True
    regions_outer = set(outer[1].get("regions", [])) if isinstance(outer[1], dict) else set()
    if inner[0] == "countryOnly":
        return False
    regions_inner = set(inner[1].get("regions", [])) if isinstance(inner[1], dict) else set()
    return regions_inner <= regions_outer


def _country(item: tuple[str, Any]) -> int:
    kind, value = item
    if kind == "countryOnly":
        return value
    return value.get("countryOnly", value.get("country"))


def _boundary_samples(region: Region):
    """Points on the boundary of a geometric region (in 1609.2 units) for containment tests."""
    kind, value = region
    if kind == "circularRegion":
        lat0, lon0 = _degrees(value["center"])
        radius = value["radius"]
        for step in range(16):
            bearing = 2 * math.pi * step / 16
            dlat = radius * math.cos(bearing) / EARTH_RADIUS_M
            dlon = radius * math.sin(bearing) / (EARTH_RADIUS_M * math.cos(math.radians(lat0)))
            yield (round((lat0 + math.degrees(dlat)) / TENTH_MICRODEGREE),
                   round((lon0 + math.degrees(dlon)) / TENTH_MICRODEGREE))
    elif kind == "rectangularRegion":
        for rect in value:
            nw, se = rect["northWest"], rect["southEast"]
            for lat in (nw["latitude"], se["latitude"]):
                for lon in (nw["longitude"], se["longitude"]):
                    yield lat, lon
    elif kind == "polygonalRegion":
        for vertex in value:
            yield vertex["latitude"], vertex["longitude"]
