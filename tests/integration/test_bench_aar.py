"""The benchmark's aar phase runs (a tiny year): `python -m bench --aar-only` must not be the first
to find a break."""

from __future__ import annotations

from bench import aar


def test_the_aar_phase_times_each_format_of_the_flood_report() -> None:
    result = aar.run("sqlite", quick=True, scale=0.02)

    assert result["aar_episode"] == "street:BT-BS#1" and result["aar_events"] > 10_000
    assert set(result["aar_seconds"]) == {"json", "md", "html"} and all(
        s > 0 for s in result["aar_seconds"].values()
    )
    assert "aar_seconds (street:BT-BS#1, year at scale 0.02" in aar.table(result)
