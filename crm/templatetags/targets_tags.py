"""`{% targets_card %}`: Today's link to the Targets page while the list is short of its goal (issue #14).

A tag rather than a Today view change, so the card stays one self-contained include."""

from django import template

from crm.targets import TARGET_GOAL, target_count

register = template.Library()


@register.inclusion_tag("crm/_targets_card.html", takes_context=True)
def targets_card(context):
    user = context["request"].user
    count = target_count(user=user)
    return {"count": count, "goal": TARGET_GOAL, "show": count < TARGET_GOAL}
