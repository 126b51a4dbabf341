"""Desk roles as Django groups: Editor, Desk chief, Admin. Safe to run again."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here on purpose: a migration must not change when the code around it does.
ROLE_EDITOR = "Editor"
ROLE_DESK_CHIEF = "Desk chief"
ROLE_ADMIN = "Admin"

EDITOR = {
    "articles": {
        "article": ["add", "change", "view"],
        "articletopic": ["add", "change", "delete", "view"],
        "revision": ["view"],
        "media": ["add", "change", "view"],
        "byline": ["add", "change", "view"],
        "section": ["view"],
        "topic": ["view"],
        "topicalias": ["view"],
        "storycluster": ["view"],
    },
    "sources": {"source": ["view"]},
}
ALL = ["add", "change", "delete", "view"]
DESK_CHIEF = {
    "articles": {
        "article": [*ALL, "retract"],
        "articletopic": ALL,
        "revision": ["view"],
        "media": ALL,
        "byline": ALL,
        "section": ALL,
        "topic": ALL,
        "topicalias": ALL,
        "storycluster": ["view"],
    },
    "sources": {"source": ALL},
}


def _ensure_permissions(apps):
    """Permissions normally appear after all migrations; the groups need them now."""
    for label in ("auth", "contenttypes", "sources", "articles"):
        app_config = apps.get_app_config(label)
        # Migration state has no models module, and create_permissions skips such apps.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    article_type = ContentType.objects.get(app_label="articles", model="article")
    Permission.objects.get_or_create(
        content_type=article_type,
        codename="retract_article",
        defaults={"name": "Can retract a published article"},
    )


def _permissions(apps, grants):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, models in grants.items():
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            found.extend(
                Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
    return found


def create_roles(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name=ROLE_EDITOR)
    editor.permissions.add(*_permissions(apps, EDITOR))
    chief, _ = Group.objects.get_or_create(name=ROLE_DESK_CHIEF)
    chief.permissions.add(*_permissions(apps, DESK_CHIEF))
    admin, _ = Group.objects.get_or_create(name=ROLE_ADMIN)
    admin.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["articles", "sources", "auth"])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
