"""The live lesson's rules as plain functions: stages, moves, what a pupil may open, idling, totals, last-seen."""

from datetime import UTC, datetime, timedelta

from live import rules

STEPS = 5  # positions: 0 rules, 1-5 steps, 6 discuss, 7 quiz, 8 close


def state(position=0, paused=0, shown=0):
    return {"position": position, "paused": paused, "answers_shown": shown}


def test_each_position_has_its_stage():
    assert [rules.stage(p, STEPS) for p in range(9)] == [
        "rules", "step", "step", "step", "step", "step", "discuss", "quiz", "close",
    ]  # fmt: skip
    assert rules.quiz_position(STEPS) == 7 and rules.last_position(STEPS) == 8


def test_next_and_back_stop_at_the_ends_and_clear_a_pause_and_the_answers():
    assert rules.moved(state(0), "back", STEPS) == {}
    assert rules.moved(state(8), "next", STEPS) == {}
    assert rules.moved(state(7, paused=1, shown=1), "next", STEPS) == {"position": 8, "paused": 0, "answers_shown": 0}
    assert rules.moved(state(3, paused=1), "back", STEPS) == {"position": 2, "paused": 0, "answers_shown": 0}


def test_pause_resume_show_and_hide_change_only_what_they_name():
    assert rules.moved(state(2), "pause", STEPS) == {"paused": 1}
    assert rules.moved(state(2, paused=1), "pause", STEPS) == {}
    assert rules.moved(state(2, paused=1), "resume", STEPS) == {"paused": 0}
    assert rules.moved(state(2), "resume", STEPS) == {}
    # The class's answers can be shown only at the quiz.
    assert rules.moved(state(6), "show", STEPS) == {} and rules.moved(state(8), "show", STEPS) == {}
    assert rules.moved(state(7), "show", STEPS) == {"answers_shown": 1}
    assert rules.moved(state(7, shown=1), "hide", STEPS) == {"answers_shown": 0}
    assert rules.moved(state(2), "dance", STEPS) == {}


def test_a_pupil_may_open_only_steps_the_teacher_has_reached():
    assert rules.may_read(1, 3, STEPS) and rules.may_read(3, 3, STEPS)
    assert not rules.may_read(4, 3, STEPS)
    assert not rules.may_read(0, 3, STEPS) and not rules.may_read(6, 8, STEPS)


def test_an_hour_without_a_move_ends_a_session():
    moved_at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert rules.is_open(None, moved_at, moved_at + timedelta(minutes=59))
    assert not rules.is_open(None, moved_at.isoformat(), (moved_at + timedelta(hours=1)).isoformat())
    assert not rules.is_open("2026-12-07T09:10:00+00:00", moved_at, moved_at + timedelta(minutes=11))
    assert rules.idle_end(moved_at.isoformat()) == "2026-12-07T10:00:00+00:00"


def test_totals_show_from_five_answers():
    assert not rules.totals_shown(0) and not rules.totals_shown(4)
    assert rules.totals_shown(5) and rules.totals_shown(30)


def test_last_seen_is_written_at_most_every_ten_seconds_and_counts_for_thirty():
    now = datetime(2026, 12, 7, 9, 0, 30, tzinfo=UTC)
    assert rules.seen_due("", now) and rules.seen_due(None, now)
    assert not rules.seen_due((now - timedelta(seconds=9)).isoformat(), now)
    assert rules.seen_due((now - timedelta(seconds=10)).isoformat(), now)
    assert rules.following_since(now) == "2026-12-07T09:00:00+00:00"
    # A slower setting (LIVE_SEEN_SECONDS) widens both.
    assert not rules.seen_due((now - timedelta(seconds=20)).isoformat(), now, timedelta(seconds=30))
    assert rules.following_since(now, timedelta(seconds=20)) == "2026-12-07T08:59:30+00:00"


def test_the_state_tag_changes_with_a_move_and_with_the_end():
    assert rules.state_tag(3, True) != rules.state_tag(4, True)
    assert rules.state_tag(3, True) != rules.state_tag(3, False)
    assert rules.state_json(3, 7, 1, True, STEPS) == {
        "version": 3, "position": 7, "stage": "quiz", "paused": True, "ended": False,
    }  # fmt: skip


def test_answers_add_to_totals_by_option_never_by_pupil():
    assert rules.tally_choices("single", "a", True) == ["a"]
    assert rules.tally_choices("multiple", ["a", "c"], False) == ["a", "c"]
    assert rules.tally_choices("red_flags", [], False) == []
    assert rules.tally_choices("order", {"a": 1, "b": 2}, True) == ["right"]
    assert rules.tally_choices("order", {"a": 2, "b": 1}, False) == ["not right"]
    assert rules.tally_choices("confidence", 4, None) == ["4"]


def test_ground_rules_come_from_each_routes_before_you_teach(app):
    younger, older = app.extensions["courses"].values()
    first = rules.ground_rules(younger.before_you_teach_text)
    second = rules.ground_rules(older.before_you_teach_text)
    assert first.startswith("We don't share personal stories") and "**" not in first
    assert second.startswith("No personal stories") and "**" not in second
    assert rules.ground_rules("Nothing about them here.") is None


def test_a_poll_key_belongs_to_one_session_and_one_pupil():
    key = rules.poll_key("secret", 3, 41)
    assert rules.poll_key_matches("secret", 3, 41, key)
    assert not rules.poll_key_matches("secret", 3, 42, key)
    assert not rules.poll_key_matches("secret", 4, 41, key)
    assert not rules.poll_key_matches("another secret", 3, 41, key)
    assert len(key) == 32 and rules.poll_key(b"secret", 3, 41) == key
