"""The default sales stages and lost reasons (managed lists admins may extend later)."""

from django.db import migrations

STAGES = [
    # code, name, position, probability, is_won, is_lost
    ("prospecting", "Prospecting", 10, 10, False, False),
    ("qualification", "Qualification", 20, 20, False, False),
    ("needs_analysis", "Needs analysis", 30, 35, False, False),
    ("proposal", "Proposal", 40, 50, False, False),
    ("negotiation", "Negotiation", 50, 75, False, False),
    ("won", "Won", 90, 100, True, False),
    ("lost", "Lost", 100, 0, False, True),
]

LOST_REASONS = [
    ("price", "Price"),
    ("product_fit", "Product fit"),
    ("competitor", "Competitor"),
    ("timing", "Timing"),
    ("no_decision", "No decision"),
    ("delivery_terms", "Delivery terms"),
    ("budget", "Budget"),
    ("other", "Other"),
]


def create_defaults(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    LostReason = apps.get_model("pipeline", "LostReason")
    for code, name, position, probability, is_won, is_lost in STAGES:
        Stage.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "position": position,
                "probability": probability,
                "is_won": is_won,
                "is_lost": is_lost,
            },
        )
    for code, name in LOST_REASONS:
        LostReason.objects.update_or_create(code=code, defaults={"name": name})


def remove_defaults(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    LostReason = apps.get_model("pipeline", "LostReason")
    Stage.objects.filter(code__in=[row[0] for row in STAGES], deals__isnull=True).delete()
    LostReason.objects.filter(
        code__in=[row[0] for row in LOST_REASONS], deals__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
