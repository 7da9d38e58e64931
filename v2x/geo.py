"""WGS84 positions from planar coordinates: Transverse Mercator (UTM) and a local tangent plane.

SUMO networks built from geographic data carry ``<location netOffset=... projParameter="+proj=utm
+zone=N ...">``: network x/y minus the offset is a UTM easting/northing. ``utm_to_wgs84`` inverts
it with Krüger's series (as in NGA.SIG.0012 / Karney 2011, 6th order; millimetre accuracy inside
a zone), vectorised over numpy arrays so a whole fleet converts in one call. Networks without a
projection use ``LocalFrame``: an east-north plane tangent at a chosen origin (metre accuracy over
tens of kilometres).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563
UTM_K0 = 0.9996
UTM_FALSE_EASTING = 500_000.0
UTM_FALSE_NORTHING_SOUTH = 10_000_000.0

_N = WGS84_F / (2 - WGS84_F)
_A = WGS84_A / (1 + _N) * (1 + _N**2 / 4 + _N**4 / 64 + _N**6 / 256)
_ALPHA = (
    _N / 2 - 2 * _N**2 / 3 + 5 * _N**3 / 16 + 41 * _N**4 / 180 - 127 * _N**5 / 288
    + 7891 * _N**6 / 37800,
    13 * _N**2 / 48 - 3 * _N**3 / 5 + 557 * _N**4 / 1440 + 281 * _N**5 / 630
    - 1983433 * _N**6 / 1935360,
    61 * _N**3 / 240 - 103 * _N**4 / 140 + 15061 * _N**5 / 26880 + 167603 * _N**6 / 181440,
    49561 * _N**4 / 161280 - 179 * _N**5 / 168 + 6601661 * _N**6 / 7257600,
    34729 * _N**5 / 80640 - 3418889 * _N**6 / 1995840,
    212378941 * _N**6 / 319334400,
)
_BETA = (
    _N / 2 - 2 * _N**2 / 3 + 37 * _N**3 / 96 - _N**4 / 360 - 81 * _N**5 / 512
    + 96199 * _N**6 / 604800,
    _N**2 / 48 + _N**3 / 15 - 437 * _N**4 / 1440 + 46 * _N**5 / 105
    - 1118711 * _N**6 / 3870720,
    17 * _N**3 / 480 - 37 * _N**4 / 840 - 209 * _N**5 / 4480 + 5569 * _N**6 / 90720,
    4397 * _N**4 / 161280 - 11 * _N**5 / 504 - 830251 * _N**6 / 7257600,
    4583 * _N**5 / 161280 - 108847 * _N**6 / 3991680,
    20648693 * _N**6 / 638668800,
)
_E = math.sqrt(WGS84_F * (2 - WGS84_F))


def zone_meridian_deg(zone: int) -> float:
    """Central meridian of a UTM zone."""
    return -183.0 + 6.0 * zone


def wgs84_to_utm(lat_deg, lon_deg, zone: int, south: bool = False):
    """(easting, northing) in metres of WGS84 positions in a given UTM zone."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float) - zone_meridian_deg(zone))
    tau = np.tan(lat)
    sigma = np.sinh(_E * np.arctanh(_E * tau / np.sqrt(1 + tau**2)))
    tau_prime = tau * np.sqrt(1 + sigma**2) - sigma * np.sqrt(1 + tau**2)
    xi_p = np.arctan2(tau_prime, np.cos(lon))
    eta_p = np.arcsinh(np.sin(lon) / np.sqrt(tau_prime**2 + np.cos(lon) ** 2))
    xi, eta = xi_p.copy(), eta_p.copy()
    for j, alpha in enumerate(_ALPHA, start=1):
        xi = xi + alpha * np.sin(2 * j * xi_p) * np.cosh(2 * j * eta_p)
        eta = eta + alpha * np.cos(2 * j * xi_p) * np.sinh(2 * j * eta_p)
    easting = UTM_FALSE_EASTING + UTM_K0 * _A * eta
    northing = UTM_K0 * _A * xi + (UTM_FALSE_NORTHING_SOUTH if south else 0.0)
    return easting, northing


def utm_to_wgs84(easting, northing, zone: int, south: bool = False):
    """(latitude, longitude) in degrees of UTM coordinates (arrays or scalars)."""
    x = (np.asarray(easting, dtype=float) - UTM_FALSE_EASTING) / (UTM_K0 * _A)
    y = (np.asarray(northing, dtype=float) - (UTM_FALSE_NORTHING_SOUTH if south else 0.0)) / (
        UTM_K0 * _A)
    xi, eta = y.copy(), x.copy()
    for j, beta in enumerate(_BETA, start=1):
        xi = xi - beta * np.sin(2 * j * y) * np.cosh(2 * j * x)
        eta = eta - beta * np.cos(2 * j * y) * np.sinh(2 * j * x)
    tau_prime = np.sin(xi) / np.sqrt(np.sinh(eta) ** 2 + np.cos(xi) ** 2)
    tau = tau_prime.copy()
    for _ in range(5):  # Newton iteration for tau from tau' (Karney 2011, eq. 19-21)
        sigma = np.sinh(_E * np.arctanh(_E * tau / np.sqrt(1 + tau**2)))
        tau_p = tau * np.sqrt(1 + sigma**2) - sigma * np.sqrt(1 + tau**2)
        dtau = ((tau_prime - tau_p) / np.sqrt(1 + tau_p**2) * (1 + (1 - _E**2) * tau**2)
                / ((1 - _E**2) * np.sqrt(1 + tau**2)))
        tau = tau + dtau
    lat = np.degrees(np.arctan(tau))
    lon = zone_meridian_deg(zone) + np.degrees(np.arctan2(np.sinh(eta), np.cos(xi)))
    return lat, lon


@dataclass(frozen=True)
class LocalFrame:
    """An east-north plane tangent to the ellipsoid at (origin_lat_deg, origin_lon_deg)."""

    origin_lat_deg: float
    origin_lon_deg: float

    def _radii(self) -> tuple[float, float]:
        lat = math.radians(self.origin_lat_deg)
        w = math.sqrt(1 - _E**2 * math.sin(lat) ** 2)
        meridian = WGS84_A * (1 - _E**2) / w**3
        normal = WGS84_A / w
        return meridian, normal * math.cos(lat)

    def to_wgs84(self, east_m, north_m):
        """(latitude, longitude) in degrees of plane coordinates in metres."""
        meridian, parallel = self._radii()
        lat = self.origin_lat_deg + np.degrees(np.asarray(north_m, dtype=float) / meridian)
        lon = self.origin_lon_deg + np.degrees(np.asarray(east_m, dtype=float) / parallel)
        return lat, lon

    def from_wgs84(self, lat_deg, lon_deg):
        """(east, north) in metres of WGS84 positions."""
        meridian, parallel = self._radii()
        north = np.radians(np.asarray(lat_deg, dtype=float) - self.origin_lat_deg) * meridian
        east = np.radians(np.asarray(lon_deg, dtype=float) - self.origin_lon_deg) * parallel
        return east, north
