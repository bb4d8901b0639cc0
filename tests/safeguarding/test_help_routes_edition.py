"""Help routes, second edition: CEOP named as part of the NCA, and the over-18 routes, for new and old schools."""

from sqlite_utils import Database

from db import migrate
from safeguarding.help_routes import DEFAULT_HELP_ROUTES

OLD_CEOP = "Report online sexual abuse or blackmail to the police's CEOP Safety Centre."


def test_new_schools_get_the_over_18_routes_and_ceop_as_part_of_the_nca():
    titles = [route["title"] for route in DEFAULT_HELP_ROUTES]
    assert titles[0].startswith("In danger") and {"StopNCII", "Revenge Porn Helpline"} <= set(titles)
    ceop = next(route for route in DEFAULT_HELP_ROUTES if "CEOP" in route["title"])
    assert "National Crime Agency" in ceop["detail"] and "police" not in ceop["detail"]


def test_the_migration_rewords_a_kept_default_adds_over_18_routes_once_and_keeps_a_schools_own_words(tmp_path):
    from migrations import migrations

    database = Database(tmp_path / "old.sqlite")
    migrations.ensure_migrations_table(database)
    for migration in migrations._migrations:  # the schema as it was before this edition
        if migration.name < "m012":
            migration.fn(database)
            migrations._record_applied(database, migration.name)
    database.execute("INSERT INTO schools (id, name, created_at) VALUES (1, 'Hill', 'x'), (2, 'Vale', 'x')")
    rows = [
        (1, 1, "Report to CEOP", OLD_CEOP),
        (2, 1, "Report to CEOP", "Our own words about CEOP."),
        (2, 2, "StopNCII", "Already added by the school."),
    ]
    for school_id, position, title, detail in rows:
        database.execute(
            "INSERT INTO help_routes (school_id, position, title, detail) VALUES (?, ?, ?, ?)",
            [school_id, position, title, detail],
        )
    database.conn.commit()
    migrate(database)
    routes = {
        school_id: [(r["position"], r["title"], r["detail"]) for r in database.query(
            "SELECT * FROM help_routes WHERE school_id = ? ORDER BY position", [school_id])]
        for school_id in (1, 2)
    }  # fmt: skip
    assert routes[1][0][2] == "Report online sexual abuse or blackmail to CEOP, part of the National Crime Agency."
    assert [title for _, title, _ in routes[1]] == ["Report to CEOP", "StopNCII", "Revenge Porn Helpline"]
    assert [position for position, _, _ in routes[1]] == [1, 2, 3]
    # A school's own wording is never overwritten, and a route it already has is not added twice.
    assert routes[2][0][2] == "Our own words about CEOP."
    assert [title for _, title, _ in routes[2]] == ["Report to CEOP", "StopNCII", "Revenge Porn Helpline"]
    migrate(database)  # safe to run again
    assert database["help_routes"].count == 6


def test_third_edition_rewords_the_take_down_routes_a_school_kept_and_keeps_its_own(tmp_path):
    from migrations import migrations
    from safeguarding.help_routes import REPORT_REMOVE_DETAIL, TAKE_IT_DOWN_DETAIL

    database = Database(tmp_path / "old.sqlite")
    migrations.ensure_migrations_table(database)
    for migration in migrations._migrations:  # the schema as it was before this edition
        if migration.name < "m027":
            migration.fn(database)
            migrations._record_applied(database, migration.name)
    database.execute("INSERT INTO schools (id, name, created_at) VALUES (1, 'Hill', 'x')")
    rows = [
        (1, "Take It Down", "Get images taken before you were 18 taken down (NCMEC)."),
        (2, "Report Remove", "Under 18? Get nude images of you taken down (Childline and the IWF)."),
        (3, "Take It Down (our words)", "Our own words about Take It Down."),
    ]
    for position, title, detail in rows:
        database.execute(
            "INSERT INTO help_routes (school_id, position, title, detail) VALUES (1, ?, ?, ?)",
            [position, title, detail],
        )
    database.conn.commit()
    migrate(database)
    details = [r["detail"] for r in database.query("SELECT detail FROM help_routes ORDER BY position")]
    assert details == [TAKE_IT_DOWN_DETAIL, REPORT_REMOVE_DETAIL, "Our own words about Take It Down."]
    assert "taken down" not in TAKE_IT_DOWN_DETAIL and "fingerprint" in TAKE_IT_DOWN_DETAIL
