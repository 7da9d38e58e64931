"""Whole co-simulation runs of the shipped highway scenario (real SUMO, the real radio model)."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest

from v2x.cli import main
from v2x.errors import SimulationError
from v2x.sim import run, scenario
from v2x.sim.radio.pathloss import PATHLOSS_MODELS
from v2x.sim.traffic.sumo import sumo_binary

HIGHWAY = Path(__file__).resolve().parents[2] / "scenarios" / "highway"
EXPECT = tomllib.loads((HIGHWAY / "expect.toml").read_text())["smoke"]


def simulate(tmp_path, name="run", *overrides, seed=None):
    sc = scenario.load(HIGHWAY, [f"scenario.duration_s={EXPECT['duration_s']}", *overrides],
                       seed=seed)
    return run.run(sc, tmp_path / name, progress=False)


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    return simulate(tmp_path_factory.mktemp("smoke"))


def rows(folder: Path, name: str) -> list[dict]:
    import csv

    with (folder / name).open() as handle:
        return list(csv.DictReader(handle))


def test_smoke_run_meets_the_scenario_expectations(smoke):
    figures = smoke.figures
    assert figures["transmissions"] >= EXPECT["min_transmissions"]
    prr = rows(smoke.folder, "prr_distance_20m.csv")
    near = [float(r["prr"]) for r in prr if float(r["bin_end_m"]) <= 100]
    far = [float(r["prr"]) for r in prr if float(r["bin_start_m"]) >= 900 and int(r["counted"])]
    assert min(near) >= EXPECT["min_prr_up_to_100m"]
    assert max(far, default=0.0) <= EXPECT["max_prr_beyond_900m"]
    load = rows(smoke.folder, "rsu_load.csv")
    assert all(float(r["received_per_s"]) >= EXPECT["min_rsu_received_per_s"] for r in load)
    for row in prr:  # every counted link has exactly one outcome
        if int(row["counted"]):
            shares = [float(row["prr"])] + [float(row[k]) for k in row if k.startswith("loss_")]
            assert abs(sum(shares) - 1.0) < 1e-5  # the CSV keeps 6 significant digits
    report = (smoke.folder / "report.md").read_text()
    assert "Packet reception ratio against distance" in report and "RSU-km1.5" in report
    assert f"links end at {figures['link_range_m']:.0f} m" in report
    assert max(float(r["bin_start_m"]) for r in prr if int(r["counted"])) < figures[
        "link_range_m"]
    # the stopped vehicle (at 10 s) comes after the run's end: said so, no NaN in the report
    assert "| stopped-vehicle | 10.0 | not reached" in report and "nan" not in report.lower()
    for name in ("prr_distance.png", "latency.png", "cbr.png", "rsu_coverage.csv",
                 "rsu_inter_packet_gap.csv", "rsu_age_of_information.csv", "summary.json"):
        assert (smoke.folder / name).stat().st_size > 0


def test_same_seed_same_results_other_seed_other_results(smoke, tmp_path):
    again = simulate(tmp_path, "again")
    assert (again.folder / "prr_distance_10m.csv").read_bytes() == (
        smoke.folder / "prr_distance_10m.csv").read_bytes()
    other = simulate(tmp_path, "other", seed=7)
    assert (other.folder / "prr_distance_10m.csv").read_bytes() != (
        smoke.folder / "prr_distance_10m.csv").read_bytes()


def test_an_existing_output_folder_is_kept(smoke, capsys):
    before = (smoke.folder / "report.md").read_bytes()
    code = main(["sim", "run", str(HIGHWAY), "--out", str(smoke.folder), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "--force" in err and err.count("\n") == 1
    assert (smoke.folder / "report.md").read_bytes() == before


def test_bad_scenario_key_is_one_line_naming_it(tmp_path, capsys):
    code = main(["sim", "run", str(HIGHWAY), "--out", str(tmp_path / "x"), "--quiet",
                 "--set", "radio.tx_powr_dbm=20"])
    err = capsys.readouterr().err
    assert code == 2 and "--set:radio.tx_powr_dbm" in err and "tx_power_dbm" in err
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_traffic_ending_mid_run_keeps_what_was_measured(tmp_path):
    fcd = tmp_path / "fcd.xml"
    subprocess.run([sumo_binary(), "-c", str(HIGHWAY / "highway.sumocfg"), "--step-length",
                    "0.1", "--end", "3", "--fcd-output", str(fcd), "--no-step-log", "true"],
                   check=True, capture_output=True)
    sc = scenario.load(HIGHWAY, ["scenario.duration_s=10", "scenario.warmup_s=0",
                                 "traffic.backend=replay", f"traffic.fcd={json.dumps(str(fcd))}",
                                 'services.events=""'])  # no SUMO to stop a car in
    with pytest.raises(SimulationError, match="results so far"):
        run.run(sc, tmp_path / "stopped", progress=False)
    report = (tmp_path / "stopped" / "report.md").read_text()
    assert "stopped early" in report
    assert json.loads((tmp_path / "stopped" / "summary.json").read_text())["transmissions"] > 0


def test_real_security_signs_and_rsus_verify(tmp_path):
    result = simulate(tmp_path, "real", "security.mode=real", "scenario.duration_s=2")
    load = rows(result.folder, "rsu_load.csv")
    assert all(int(r["verified"]) > 0 for r in load)
    assert all(int(r["verified"]) <= int(r["received"]) for r in load)


def test_an_origin_needs_both_coordinates(tmp_path, capsys):
    code = main(["sim", "run", str(HIGHWAY), "--out", str(tmp_path / "x"), "--quiet",
                 "--set", "traffic.origin_lat_deg=48.1"])
    err = capsys.readouterr().err
    assert code == 2 and "--set:traffic.origin_lon_deg" not in err
    assert "traffic.origin_lon_deg" in err and "both" in err


CROSSING = Path(__file__).resolve().parent / "data" / "crossing"


def test_crossing_rsu_services_and_events(tmp_path):
    sc = scenario.load(CROSSING)
    summary = run.run(sc, tmp_path / "crossing", progress=False)
    kinds = {row["kind"]: row for row in rows(summary.folder, "messages_by_kind.csv")}
    assert float(kinds["spatem"]["sent_per_s"]) == pytest.approx(10, abs=0.2)
    assert float(kinds["mapem"]["sent_per_s"]) == pytest.approx(1, abs=0.2)
    assert int(kinds["denm"]["sent"]) > 0 and int(kinds["cam"]["sent"]) > 0
    # secured (modelled): a DENM always carries the certificate, so it outweighs the payload
    assert float(kinds["denm"]["mean_size_bytes"]) > 250
    near = [row for row in rows(summary.folder, "rsu_to_vehicle_prr.csv")
            if row["kind"] == "spatem" and float(row["bin_end_m"]) <= 100]
    assert near and all(float(row["prr"]) > 0.9 for row in near)
    events = rows(summary.folder, "events.csv")
    assert [e["kind"] for e in events] == ["stopped-vehicle", "hazard"]
    assert all(e["status"] == "ended" and int(e["denms_sent"]) > 0 for e in events)
    assert int(events[0]["denms_relayed"]) > 0  # RSU-C relays the stopped car's warning
    assert int(events[0]["vehicles_warned"]) > 0
    report = (summary.folder / "report.md").read_text()
    assert "## Events and their DENMs" in report and "SPATEM" in report


def test_replayed_traffic_cannot_serve_spat(tmp_path, capsys):
    fcd = tmp_path / "fcd.xml"
    subprocess.run([sumo_binary(), "-c", str(CROSSING / "crossing.sumocfg"), "--step-length",
                    "0.1", "--end", "2", "--fcd-output", str(fcd), "--no-step-log", "true"],
                   check=True, capture_output=True)
    code = main(["sim", "run", str(CROSSING), "--out", str(tmp_path / "x"), "--quiet",
                 "--set", "traffic.backend=replay", "--set", f"traffic.fcd={json.dumps(str(fcd))}"])
    err = capsys.readouterr().err
    assert code == 2 and "rsus.toml:rsu[0].services" in err and "libsumo" in err


def test_modelled_security_predicts_what_real_verification_decides(tmp_path):
    verdicts = {}
    for mode in ("modelled", "real"):
        sc = scenario.load(CROSSING, ["scenario.duration_s=8", f'security.mode="{mode}"',
                                      "security.verifying_share=0.3", 'services.events=""'])
        figures = run.run(sc, tmp_path / mode, progress=False).figures
        verdicts[mode] = (figures["vehicle_checks"], figures["vehicle_verified"])
    checks, verified = verdicts["real"]
    assert checks > 100 and 0.5 * checks < verified < checks  # unknown signers at first
    assert verdicts["modelled"] == verdicts["real"]


@pytest.mark.parametrize("model", sorted(PATHLOSS_MODELS))
def test_every_path_loss_model_can_be_named_by_a_scenario(model):
    sc = scenario.load(HIGHWAY, [f'radio.pathloss="{model}"'])
    config = run.radio_config(sc, 100)
    assert config.pathloss == model



def test_an_rsu_louder_than_the_vehicles_reaches_further(tmp_path):
    reach = {}
    for power in (13, 23):
        rsus = tmp_path / f"rsus{power}.toml"
        rsus.write_text((HIGHWAY / "rsus.toml").read_text().replace(
            "tx_power_dbm = 23.0", f"tx_power_dbm = {power}.0"))
        sc = scenario.load(HIGHWAY, ["scenario.duration_s=2", "radio.tx_power_dbm=13",
                                     'services.events=""',
                                     f"services.rsus={json.dumps(str(rsus))}"])
        folder = run.run(sc, tmp_path / f"p{power}", progress=False).folder
        far = [r for r in rows(folder, "rsu_to_vehicle_prr.csv")
               if r["kind"] == "ivim" and 600 <= float(r["bin_start_m"]) < 800]
        reach[power] = sum(int(r["received"]) for r in far)
    assert reach[23] > 5 * max(reach[13], 1)


def test_the_radio_in_a_process_gives_the_in_process_results(tmp_path):
    # SPaT, MAP, a relayed stopped-vehicle DENM and a hazard, vehicles and RSUs verifying
    folders = {}
    for worker in ("inline", "process"):
        sc = scenario.load(CROSSING, ["scenario.duration_s=16", f'radio.worker="{worker}"'])
        folders[worker] = run.run(sc, tmp_path / worker, progress=False).folder
    tables = sorted(p.name for p in folders["inline"].glob("*.csv"))
    assert "events.csv" in tables and "prr_distance_10m.csv" in tables
    for name in tables:
        assert (folders["process"] / name).read_bytes() == (
            folders["inline"] / name).read_bytes(), name
    assert int(rows(folders["process"], "events.csv")[0]["denms_relayed"]) > 0
