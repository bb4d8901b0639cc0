"""The live lesson tests' class: six pupils, their teacher, another class and a DSL."""

import pytest


@pytest.fixture
def room(app, db, make_school, make_staff, make_pupil, make_class):
    """A class of six pupils and its teacher; another class (its own teacher and pupil) and a DSL in the school."""
    school_id = make_school()
    teacher = make_staff(school_id, "teacher@hill.test", first_name="Tara", last_name="Jones")
    other_teacher = make_staff(school_id, "other@hill.test", first_name="Omar", last_name="Ross")
    make_staff(school_id, "dsl@hill.test", role="dsl", first_name="Dee")
    pupils = [make_pupil(school_id, f"pupil{n}.x", first_name=f"Pupil{n}", last_name="Zed") for n in range(6)]
    class_id = make_class(school_id, "8B", teacher, pupils)
    outsider = make_pupil(school_id, "outsider.y", first_name="Olly")
    other_class = make_class(school_id, "8C", other_teacher, [outsider])
    return {"school_id": school_id, "class_id": class_id, "pupils": pupils, "outsider": outsider,
            "other_class": other_class}  # fmt: skip
