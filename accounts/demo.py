"""The demo school's people, classes and shared password: who the sign-in page lists in demo mode.

Seeding them is demo.py's (`flask seed-demo`), which knows every part."""

DEMO_SCHOOL = "Riverside Academy (demo)"
DEMO_PASSWORD = "demo-password"
DEMO_STAFF = (
    ("teacher", "Asha", "Patel", "teacher@demo.school"),
    ("dsl", "Tom", "Jones", "dsl@demo.school"),
    ("admin", "Grace", "Okafor", "admin@demo.school"),
)
# A deputy DSL (Keeping Children Safe in Education expects one): sees and gets what the DSL does.
DEMO_DEPUTY = ("Priya", "Shah", "deputy@demo.school")
# One class on each age route, so both can be tried: (name, year group, route, pupils).
DEMO_CLASSES = (
    ("8B", 8, "online-blackmail-11-13", (("Ryan", "D", "ryan.d"), ("Amir", "K", "amir.k"),
                                         ("Maya", "S", "maya.s"), ("Leo", "T", "leo.t"))),
    ("10A", 10, "online-blackmail-14-18", (("Zara", "A", "zara.a"), ("Sam", "O", "sam.o"))),
)  # fmt: skip
# The demo staff who must use an authenticator (the DSL, deputy and admin) share a fixed demo
# secret; in demo mode only, the code step shows its current code so anyone trying the demo gets in.
DEMO_MFA_EMAILS = (
    "dsl@demo.school", "deputy@demo.school", "admin@demo.school", "trust@demo.school", "operator@demo.school"
)  # fmt: skip
# A trust holding the demo school and a second, small school, and its lead: the lead sees
# figures across both, and the small school's shows how figures under TRUST_MIN_COUNT pupils are hidden.
DEMO_TRUST = "Demo Learning Trust"
DEMO_TRUST_LEAD = ("Morgan", "Reid", "trust@demo.school")
DEMO_SECOND_SCHOOL = "Brookside School (demo)"
DEMO_SECOND_CLASS = ("9C", 9, "online-blackmail-14-18", (("Ella", "B", "ella.b"), ("Noah", "C", "noah.c"),
                                                         ("Ivy", "M", "ivy.m")))  # fmt: skip
# The service's operator: signs in to the operator console, not to a school.
DEMO_OPERATOR = ("Olu", "Bankole", "operator@demo.school")
DEMO_PUPILS = tuple(pupil for *_, pupils in DEMO_CLASSES for pupil in pupils)
# Shown on the sign-in page in demo mode only (never otherwise).
DEMO_SIGN_INS = tuple(
    [(f"Pupil ({first})", username, DEMO_PASSWORD) for first, _, username in DEMO_PUPILS]
    + [(role.upper() if role == "dsl" else role.capitalize(), email, DEMO_PASSWORD) for role, _, _, email in DEMO_STAFF]
    + [
        ("Deputy DSL", DEMO_DEPUTY[2], DEMO_PASSWORD),
        ("Trust lead", DEMO_TRUST_LEAD[2], DEMO_PASSWORD),
        ("Operator", DEMO_OPERATOR[2], DEMO_PASSWORD),
    ]  # fmt: skip
)
