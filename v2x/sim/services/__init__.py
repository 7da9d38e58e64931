"""Facilities services of simulated stations: CA (CAMs), DEN (DENMs), infrastructure."""
