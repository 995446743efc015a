"""What `pingzhan rebuild` shows while it works (on a terminal) and when it is done."""

from __future__ import annotations

from pingzhan.services.read.rebuild import Progress, clock


def test_progress_says_events_done_of_all_the_rate_and_the_time_left() -> None:
    progress = Progress(("roster", "audit"), done=120_000, total=800_000, seconds=2.0)

    line = progress.line()

    # 60,000 events/s; 680,000 left take 11.33 s
    assert line == "rebuilding roster, audit: 120,000 of 800,000 events (15%), 60,000 events/s, ETA 0:11"


def test_progress_before_the_first_page_has_no_rate_to_guess_from() -> None:
    assert Progress(("drives",), total=10).line() == "rebuilding drives: 0 of 10 events (0%), 0 events/s"


def test_the_last_line_says_what_was_rebuilt_how_fast_and_where_it_was_swapped_in() -> None:
    progress = Progress(("roster",), done=42_876, total=42_876, seconds=0.5, position=42_901)

    assert progress.done_line() == (
        "rebuilt roster from 42,876 events in 0.50 s (85,752 events/s); swapped in at event 42,901"
    )


def test_times_left_read_as_minutes_and_seconds_or_hours() -> None:
    assert [clock(s) for s in (0.4, 7, 59.6, 750, 3723)] == ["0:00", "0:07", "1:00", "12:30", "1:02:03"]
