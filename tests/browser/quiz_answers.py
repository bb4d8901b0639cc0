"""Answer a quiz in a real page the way a pupil does: ticking boxes and choosing numbers."""

from quizzes.forms import field_name


def answer_quiz(page, quiz, right=True):
    """Fill in every question of `quiz` on the open page, rightly or wrongly."""
    for q in quiz.questions:
        name = field_name(q)
        if q.type == "order":
            for o in q.options:
                # Reversed is still wrong with an `anywhere` step: two or more other steps never keep their order.
                place = o.position if right else len(q.options) + 1 - o.position
                page.select_option(f'select[name="{field_name(q, o)}"]', str(place))
        elif q.type in ("multiple", "red_flags"):
            chosen = [o for o in q.options if o.correct == right] or list(q.options[:2])
            for o in chosen:
                page.check(f'input[name="{name}"][value="{o.id}"]')
        elif q.type == "confidence":
            page.check(f'input[name="{name}"][value="4"]')
        else:
            option = next(o for o in q.options if o.correct == right)
            page.check(f'input[name="{name}"][value="{option.id}"]')
