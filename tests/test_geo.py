"""WGS84 conversions: UTM both ways, the local tangent plane."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from v2x import geo


def test_utm_northing_on_the_central_meridian_is_the_scaled_meridian_arc():
    """WGS84 meridian arc from the equator to 45 N is 4 984 944.378 m; UTM scales it by 0.9996."""
    easting, northing = geo.wgs84_to_utm(45.0, 9.0, zone=32)
    assert abs(easting - 500_000) < 1e-6
    assert abs(northing - 0.9996 * 4_984_944.378) < 0.01
    lat, lon = geo.utm_to_wgs84(easting, northing, zone=32)
    assert abs(lat - 45.0) < 1e-10 and abs(lon - 9.0) < 1e-10


def test_central_meridian_maps_to_false_easting_and_equator_to_zero():
    easting, northing = geo.wgs84_to_utm(0.0, geo.zone_meridian_deg(31), zone=31)
    assert abs(easting - 500_000) < 1e-6 and abs(northing) < 1e-6


@given(lat=st.floats(-79, 83), offset=st.floats(-3, 3), zone=st.integers(1, 60))
def test_utm_round_trip_is_below_a_millimetre(lat, offset, zone):
    lon = geo.zone_meridian_deg(zone) + offset
    easting, northing = geo.wgs84_to_utm(lat, lon, zone, south=lat < 0)
    back_lat, back_lon = geo.utm_to_wgs84(easting, northing, zone, south=lat < 0)
    assert abs(back_lat - lat) * 111_000 < 1e-3
    assert abs(back_lon - lon) * 111_000 * np.cos(np.radians(lat)) < 1e-3


def test_vectorised_over_arrays():
    lat, lon = geo.utm_to_wgs84(np.array([389_940.0, 390_940.0]), np.array([5_819_840.0] * 2),
                                zone=33)
    assert lat.shape == (2,) and lon[1] > lon[0]


def test_local_frame_distances_and_round_trip():
    frame = geo.LocalFrame(48.137, 11.575)
    lat, lon = frame.to_wgs84(1000.0, 0.0)
    east, north = frame.from_wgs84(lat, lon)
    assert abs(east - 1000.0) < 1e-6 and abs(north) < 1e-6
    # one degree of latitude is about 111.2 km there
    lat1, _ = frame.to_wgs84(0.0, 111_200.0)
    assert abs(lat1 - 49.137) < 0.01
