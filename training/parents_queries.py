"""SQL for the parents' view: a school by its public slug, the admin's setting, making the slug once."""

from db import IntegrityError, write_transaction
from training.parents_rules import first_free, slug_from_name

# Only a school (not a trust or the operator) that is open: a paused or offboarded school has no parents' view.
SCHOOL_BY_SLUG = """
SELECT id, name, public_slug, parents_view, parents_contact FROM schools
WHERE public_slug = ? AND kind = 'school' AND suspended_at IS NULL AND offboarded_at IS NULL
"""
PARENTS_SETTING = "SELECT id, name, public_slug, parents_view, parents_contact FROM schools WHERE id = ?"
# The slugs that start with `:slug` (it and its numbered variants among them). No LIKE: `_` is a wildcard there,
# and the two engines read that operator differently (db_translate).
SLUGS_FROM = "SELECT public_slug FROM schools WHERE substr(public_slug, 1, length(:slug)) = :slug"
SET_SLUG = "UPDATE schools SET public_slug = ? WHERE id = ? AND public_slug IS NULL"
SAVE_SETTING = "UPDATE schools SET parents_view = ?, parents_contact = ? WHERE id = ?"


def school_by_slug(db, slug):
    """The open school with this public slug, or None."""
    return next(db.query(SCHOOL_BY_SLUG, [slug]), None)


def parents_setting(db, school_id):
    """The school's parents' view setting, with its slug made first if it has none yet."""
    school = next(db.query(PARENTS_SETTING, [school_id]))
    if school["public_slug"] is None:
        ensure_slug(db, school_id, school["name"])
        school = next(db.query(PARENTS_SETTING, [school_id]))
    return school


def ensure_slug(db, school_id, name):
    """Give the school a public slug from its name, once: kept when the name changes (letters carry it)."""
    base = slug_from_name(name)
    for _ in range(5):  # another school may take the same slug between the read and the write
        taken = {row["public_slug"] for row in db.query(SLUGS_FROM, {"slug": base})}
        try:
            with write_transaction(db):
                db.execute(SET_SLUG, [first_free(base, taken), school_id])
            return
        except IntegrityError:
            continue
    raise RuntimeError(f"no free public slug for school {school_id}")


def save_setting(db, school_id, published, contact):
    """Turn the parents' view on or off, and keep whom parents ask instead."""
    with write_transaction(db):
        db.execute(SAVE_SETTING, [1 if published else 0, contact or None, school_id])
