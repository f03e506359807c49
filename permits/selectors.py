"""Reads of the building permit's own steps."""

from dataclasses import dataclass

from workflows.cases import steps_done

#: the technical reviews, in the order the decision page lists them
REVIEW_STEPS = ("review_architecture", "review_fire_safety", "review_environment")


@dataclass(frozen=True)
class Review:
    """One technical review of a permit application as its reviewer gave it."""

    step: str
    title: str
    reviewer: str
    favourable: bool | None
    comment: str
    finished: object


def permit_reviews(*, process):
    """The technical reviews done on the case, in ``REVIEW_STEPS`` order (the last one of each step, if a
    step was done more than once): who gave it, their opinion (True: favourable), their comment, when."""
    return [Review(step=done.step, title=done.title, reviewer=done.by.full_name if done.by else "",
                   favourable=done.data.get("favourable"), comment=done.data.get("comment") or "",
                   finished=done.finished)
            for done in steps_done(process, REVIEW_STEPS)]


def permit_decision_panel(task):
    """What the head reads on the decision page: every review (``permit_reviews``) and which are missing."""
    reviews = permit_reviews(process=task.process)
    given = {review.step for review in reviews}
    flow = task.flow_task.flow_class.instance
    missing = [str(getattr(flow, step).task_title) for step in REVIEW_STEPS if step not in given]
    return {"reviews": reviews, "missing_reviews": missing}
